/**
 * The session API's Lambda handler (HTTP API, payload format 2.0): it runs in AWS, never in the program or the
 * provider host. `npm run build` bundles it with the AWS SDK clients it uses into bin/runtime/sessionApi/index.js,
 * the file `LivenessSetup` ships as the function's code.
 *
 *   POST /sessions              -> 201 {"sessionId", "region"}: a session for the caller, recorded as theirs first
 *   GET  /sessions/{sessionId}  -> 200 {"sessionId", "status", "live"}: the caller's own session only, else 404
 *
 * The owner of a request is the identity API Gateway authorized (a JWT's `sub`, or the caller's signed-in Cognito
 * identity); the client chooses nothing else. Only pass or fail leaves: never the confidence, images, their S3 keys,
 * the token or the service's raw answer, in a response or a log line.
 *
 * Every limit and record lives in the table and holds when requests race and when a write fails before or after it
 * takes effect: a read-modify-write of an owner's limits is conditional on the version it read, a verdict and the
 * failure it counts are one transaction conditional on the session being undecided, and a verdict's event is marked
 * pending in that same transaction until it is published (see docs/session-api.md, "Under races and faults").
 */
import { randomUUID } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import { ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { NativeAttributeValue } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import {
    CreateFaceLivenessSessionCommand,
    GetFaceLivenessSessionResultsCommand,
    RekognitionClient,
    SessionNotFoundException,
} from "@aws-sdk/client-rekognition";
import type { APIGatewayProxyEventV2WithRequestContext, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { retryReason, sessionIdPattern, sessionInputs, toWire } from "../../providers/faceLivenessApi";
import { explainAwsError } from "../../providers/sessionProvider";
import type { ChallengePreference, FaceLivenessSessionInputs } from "../../providers/sessionProvider";
import { SERVICE_READ_INTERVAL_MS, configFromEnvironment, verdictEventDetailType } from "./config";
import type { VerdictEventDetail } from "./config";

/** What API Gateway puts in the request context: the authorizer's answer, JWT or IAM. */
interface AuthorizedContext {
    requestId?: string;
    authorizer?: {
        jwt?: { claims?: Record<string, unknown> };
        iam?: { cognitoIdentity?: { identityId?: string; identityPoolId?: string; amr?: string[] } | null };
    };
}
export type ApiEvent = APIGatewayProxyEventV2WithRequestContext<AuthorizedContext>;
type Answer = APIGatewayProxyStructuredResultV2;
type Item = Record<string, NativeAttributeValue>;

/** Read once per process, at load: a misconfigured function fails every cold start, loudly, before any request. */
const config = configFromEnvironment(process.env);

// Clients made once per process and reused; each reaches AWS through the SDK's standard configuration (region,
// credentials chain, AWS_ENDPOINT_URL_*). Retries are ours for Rekognition, so that they keep the request's token.
const rekognition = new RekognitionClient({ maxAttempts: 1 });
const table = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
const events = new EventBridgeClient({});
// One JSON line per event, with the request id; the keys it is given are the only ones it logs.
const logger = new Logger({ serviceName: "liveness-session-api" });

/** The largest body POST /sessions reads; it takes none but `{}`. */
const MAX_BODY_BYTES = 1024;
/** Time left for the answer after the last retry: API Gateway stops waiting at 30 s, Lambda at its timeout. */
const ANSWER_MARGIN_MS = 1500;
/** How long a read waits out the service's throttling before answering 503: short, so a read never holds an execution. */
const READ_RETRY_BUDGET_MS = 1000;
/** Tries at a conditional write of an owner's limits that racing requests keep changing. */
const LIMITS_ATTEMPTS = 8;
/** Tries at publishing a verdict's event within one request. */
const PUBLISH_ATTEMPTS = 3;
/** How long the request that holds a verdict's pending event has to publish it before another read may. */
const PUBLISH_LEASE_MS = 5000;
/** How long a read waits for another request to publish a verdict's event before answering 503 (Retry-After). */
const HOLDER_WAIT_MS = 1000;

const ownerKey = (owner: string) => `OWNER#${owner}`;
const sessionKeyOf = (owner: string, sessionId: string) => ({ pk: ownerKey(owner), sk: `SESSION#${sessionId}` });
const limitsKeyOf = (owner: string) => ({ pk: ownerKey(owner), sk: "LIMITS" });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The session's inputs: the setup's key, bucket and prefix, and the API's session options. */
function sessionRequest(clientRequestToken: string): { inputs: FaceLivenessSessionInputs; request: object } {
    const inputs: FaceLivenessSessionInputs = {
        kmsKeyId: config.kmsKeyId,
        settings: {
            outputConfig: { s3Bucket: config.s3Bucket, s3KeyPrefix: config.s3KeyPrefix },
            auditImagesLimit: config.auditImagesLimit,
            challengePreferences: config.challengePreferences as ChallengePreference[] | undefined,
        },
        clientRequestToken,
    };
    return { inputs, request: toWire(sessionInputs(), inputs) as object };
}

const json = (statusCode: number, body: object, headers: Record<string, string> = {}): Answer => ({
    statusCode,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
    body: JSON.stringify(body),
});
const refuse = (statusCode: number, error: string, headers: Record<string, string> = {}) => json(statusCode, { error }, headers);
const NOT_FOUND = () => refuse(404, "no such session");
const UNAVAILABLE = () => refuse(503, "the service is unavailable; try again shortly", { "retry-after": "1" });

/**
 * Who is calling: the owner API Gateway authorized, or why the request is refused. Under IAM auth only a signed-in
 * identity of the setup's identity pool owns sessions: anyone can get a new guest identity with one unsigned call, so
 * a limit per guest would bind nobody.
 */
function callerOf(event: ApiEvent): { owner: string } | { refusal: Answer; reason: string } {
    const authorizer = event.requestContext?.authorizer;
    if (config.authMode === "jwt") {
        const sub = authorizer?.jwt?.claims?.sub;
        if (typeof sub === "string" && sub !== "") return { owner: sub };
        return { refusal: refuse(401, "not authenticated"), reason: "no authorized identity" };
    }
    const identity = authorizer?.iam?.cognitoIdentity;
    const identityId = identity?.identityId;
    if (typeof identityId !== "string" || identityId === "") {
        return { refusal: refuse(401, "not authenticated"), reason: "no Cognito identity" };
    }
    if (!Array.isArray(identity!.amr) || !identity!.amr.includes("authenticated")) {
        return { refusal: refuse(403, "sign in to check liveness"), reason: "a guest identity" };
    }
    if (config.identityPoolId !== undefined && identity!.identityPoolId !== config.identityPoolId) {
        return { refusal: refuse(403, "sign in to check liveness"), reason: "an identity of another identity pool" };
    }
    return { owner: identityId };
}

/** Why the body of POST /sessions is refused, if it is: it may be absent or `{}`, nothing else. */
function bodyProblem(event: ApiEvent): { status: number; error: string } | undefined {
    if (event.body === undefined || event.body === null || event.body === "") return undefined;
    const bytes = event.isBase64Encoded ? Buffer.from(event.body, "base64") : Buffer.from(event.body, "utf8");
    if (bytes.length > MAX_BODY_BYTES) return { status: 413, error: `the body must be empty or {}, got ${bytes.length} bytes` };
    const text = bytes.toString("utf8").trim();
    if (text === "") return undefined;
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        return { status: 400, error: "the body must be empty or {}, got text that is not JSON" };
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        return { status: 400, error: `the body must be empty or {}, got ${Array.isArray(parsed) ? "an array" : `a ${typeof parsed}`}` };
    }
    const keys = Object.keys(parsed);
    if (keys.length > 0) {
        const named = JSON.stringify(keys[0].slice(0, 40));
        return { status: 400, error: `the body must be empty or {}: sessions take no options from the client, got ${named}` };
    }
    return undefined;
}

/** Whole seconds until `at` (epoch ms), at least 1: a Retry-After header. */
const secondsUntil = (at: number, now: number) => String(Math.max(1, Math.ceil((at - now) / 1000)));

/**
 * An owner's limits item, `LIMITS`: the times (epoch ms) of its latest admitted sessions and of its latest not-live
 * verdicts (each list sorted, and no longer than its limit: older entries cannot matter), the end of a lockout, and
 * the version every write is conditional on. `writer` names the request that wrote it last, so that a request whose
 * write took effect but whose answer was lost knows the write is its own.
 */
interface Limits {
    version: number;
    admitted: number[];
    failures: number[];
    lockedUntil: number;
    writer?: string;
}

async function readLimits(owner: string): Promise<Limits> {
    const { Item } = await table.send(new GetCommand({ TableName: config.tableName, Key: limitsKeyOf(owner), ConsistentRead: true }));
    return {
        version: (Item?.version as number | undefined) ?? 0,
        admitted: (Item?.admitted as number[] | undefined) ?? [],
        failures: (Item?.failures as number[] | undefined) ?? [],
        // An item written before versions (an older handler) may hold a lockout; it is honoured.
        lockedUntil: (Item?.lockedUntil as number | undefined) ?? 0,
        writer: Item?.writer as string | undefined,
    };
}

/** The times of `times` within the sliding window that ends at `now`. */
const inWindow = (times: number[], now: number) => times.filter((t) => t > now - config.failureWindowSeconds * 1000);

/** The update that replaces an owner's limits with `next`, if nobody has written them since `read` was read. */
function limitsWrite(owner: string, read: Limits, next: Omit<Limits, "version" | "writer">, writer: string) {
    const windowEnd = Math.max(0, ...next.admitted, ...next.failures) + config.failureWindowSeconds * 1000;
    return {
        TableName: config.tableName,
        Key: limitsKeyOf(owner),
        UpdateExpression:
            "SET admitted = :admitted, failures = :failures, lockedUntil = :lockedUntil, version = :next, writer = :writer, expiresAt = :expiresAt",
        // An item of an older handler has no version: it is taken as version 0.
        ConditionExpression: read.version === 0 ? "attribute_not_exists(version)" : "version = :version",
        ExpressionAttributeValues: {
            ":admitted": next.admitted,
            ":failures": next.failures,
            ":lockedUntil": next.lockedUntil,
            ":next": read.version + 1,
            ":writer": writer,
            // The item goes by TTL a day after nothing in it can matter any more.
            ":expiresAt": Math.ceil(Math.max(windowEnd, next.lockedUntil) / 1000) + 86_400,
            ...(read.version === 0 ? {} : { ":version": read.version }),
        },
    };
}

/** A short random pause before another try at a write that a racing request won. */
const racePause = (attempt: number) => pause(Math.random() * 20 * attempt);

/**
 * Admits one more session for `owner` now, or says when to come back: while the owner is locked out after too many
 * failures, or while `maxSessionsPerWindow` sessions were admitted within the last `failureWindowSeconds` (a sliding
 * window: no span of that length admits more).
 */
async function admit(owner: string, now: number, request: string): Promise<{ retryAt?: number }> {
    const max = config.maxSessionsPerWindow;
    for (let attempt = 1; ; attempt++) {
        const limits = await readLimits(owner);
        // A try of ours that lost the race to its own lost answer: the write took effect.
        if (attempt > 1 && limits.writer === request) return {};
        if (limits.lockedUntil > now) return { retryAt: limits.lockedUntil };
        const admitted = inWindow(limits.admitted, now);
        if (admitted.length >= max) return { retryAt: admitted[admitted.length - max] + config.failureWindowSeconds * 1000 };
        const next = { ...limits, admitted: [...admitted, now].slice(-max), failures: inWindow(limits.failures, now) };
        try {
            await table.send(new UpdateCommand(limitsWrite(owner, limits, next, request)));
            return {};
        } catch (error) {
            if (!(error instanceof ConditionalCheckFailedException) || attempt >= LIMITS_ATTEMPTS) throw error;
            await racePause(attempt);
        }
    }
}

/** The service answered throttled (or failed transiently) until the request's time for it ran out. */
class StillThrottled extends Error {}

/**
 * Sends one Rekognition request, retrying throttling and transient failures with the same request (so a Create keeps
 * its token: never a second session for one request) for at most `budgetMs`, and never past the request's own time.
 */
async function sendWithRetries<T>(command: { input: object }, context: Context, budgetMs: number): Promise<T> {
    const deadline = Math.min(Date.now() + budgetMs, Date.now() + context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS);
    for (let attempt = 1; ; attempt++) {
        try {
            return (await rekognition.send(command as never)) as T;
        } catch (error) {
            if (retryReason(error) === undefined) throw error;
            const wait = Math.random() * Math.min(2000, 50 * 2 ** attempt);
            if (Date.now() + wait > deadline) throw new StillThrottled();
            await pause(wait);
        }
    }
}

async function createSession(owner: string, context: Context): Promise<Answer> {
    const now = Date.now();
    // A token of the server's own for this attempt, reused by this attempt's retries only; it also marks its writes.
    const token = randomUUID();
    const { retryAt } = await admit(owner, now, token);
    if (retryAt !== undefined) {
        logger.info("session refused: owner over its limits");
        return refuse(429, "too many liveness checks; try again later", { "retry-after": secondsUntil(retryAt, now) });
    }
    const { inputs, request } = sessionRequest(token);
    let sessionId: string;
    try {
        ({ SessionId: sessionId } = await sendWithRetries<{ SessionId: string }>(
            new CreateFaceLivenessSessionCommand(request),
            context,
            Number.POSITIVE_INFINITY,
        ));
    } catch (error) {
        return serviceFailure("CreateFaceLivenessSession", inputs, error);
    }
    const createdAt = Date.now();
    // Recorded as the owner's before the id leaves: no id reaches a device unrecorded.
    try {
        await table.send(
            new PutCommand({
                TableName: config.tableName,
                Item: {
                    ...sessionKeyOf(owner, sessionId),
                    sessionId,
                    createdAt,
                    status: "CREATED",
                    expiresAt: Math.ceil(createdAt / 1000) + config.recordRetentionDays * 86_400,
                },
                ConditionExpression: "attribute_not_exists(pk)",
            }),
        );
    } catch (error) {
        // Only this request can write this key (the id is new, made for its token): a failed condition is its own
        // earlier try, which took effect but whose answer was lost.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    logger.info("session created", { sessionId });
    return json(201, { sessionId, region: await rekognition.config.region() });
}

/** What a read of the service came to: a final status decides the verdict. */
interface Verdict {
    status: string;
    live: boolean;
    confidence?: number;
}

async function readSession(owner: string, sessionId: string, context: Context): Promise<Answer> {
    const key = sessionKeyOf(owner, sessionId);
    const now = Date.now();
    let record: Item;
    try {
        // The right to read the service now, at most once per interval however many reads race: taken on the record
        // itself, which also answers the read when the right is not given.
        ({ Attributes: record } = (await table.send(
            new UpdateCommand({
                TableName: config.tableName,
                Key: key,
                UpdateExpression: "SET checkedAt = :now",
                ConditionExpression:
                    "attribute_exists(pk) AND attribute_not_exists(decidedAt) AND (attribute_not_exists(checkedAt) OR checkedAt <= :since)",
                ExpressionAttributeValues: { ":now": now, ":since": now - SERVICE_READ_INTERVAL_MS },
                ReturnValues: "ALL_NEW",
                ReturnValuesOnConditionCheckFailure: "ALL_OLD",
            }),
        )) as { Attributes: Item });
    } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // No item (another owner's session and an unknown one get the same answer), a verdict, or a recent read.
        const item = error.Item !== undefined ? unmarshall(error.Item) : await getRecord(key);
        if (item === undefined) return NOT_FOUND();
        if (item.decidedAt !== undefined) return answerVerdict(item);
        return json(
            200,
            { sessionId, status: item.status, live: null },
            { "retry-after": secondsUntil(now + SERVICE_READ_INTERVAL_MS, now) },
        );
    }

    let verdict: Verdict;
    try {
        // The answer may hold image bytes and S3 keys: only the status and the confidence are kept, and only here.
        const result = await sendWithRetries<{ Status: string; Confidence?: number }>(
            new GetFaceLivenessSessionResultsCommand({ SessionId: sessionId }),
            context,
            READ_RETRY_BUDGET_MS,
        );
        const live = result.Status === "SUCCEEDED" && result.Confidence !== undefined && result.Confidence >= config.confidenceThreshold;
        verdict = { status: result.Status, live, confidence: result.Confidence };
    } catch (error) {
        // After expiry the service may answer SessionNotFound instead of EXPIRED: both mean the session is spent.
        if (!(error instanceof SessionNotFoundException)) return serviceFailure("GetFaceLivenessSessionResults", {}, error);
        verdict = { status: "EXPIRED", live: false };
    }
    if (verdict.status === "CREATED" || verdict.status === "IN_PROGRESS") {
        if (verdict.status !== record.status) {
            await table
                .send(
                    new UpdateCommand({
                        TableName: config.tableName,
                        Key: key,
                        UpdateExpression: "SET #status = :status",
                        ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(decidedAt)",
                        ExpressionAttributeNames: { "#status": "status" },
                        ExpressionAttributeValues: { ":status": verdict.status },
                    }),
                )
                .catch((error: unknown) => {
                    if (!(error instanceof ConditionalCheckFailedException)) throw error;
                });
        }
        return json(200, { sessionId, status: verdict.status, live: null });
    }

    const { decided, held } = await recordVerdict(owner, record, verdict, Date.now());
    return answerVerdict(decided, held);
}

async function getRecord(key: { pk: string; sk: string }): Promise<Item | undefined> {
    const { Item } = await table.send(new GetCommand({ TableName: config.tableName, Key: key, ConsistentRead: true }));
    return Item;
}

/**
 * Records the verdict, once: one transaction writes it with its event marked pending (held by this request for
 * `PUBLISH_LEASE_MS`) and, for a not-live verdict, counts the failure in the owner's limits, locking the owner out at
 * the `maxFailures`-th within the sliding window. Conditional on the session being undecided, so racing reads and a
 * retry whose first try took effect record and count it once; the transaction's token makes the SDK's own retries
 * idempotent too. Returns the record as decided, and the event's lease if this request holds it: it decided the
 * verdict (`decidedBy` names one of its tries).
 */
async function recordVerdict(owner: string, record: Item, verdict: Verdict, now: number): Promise<{ decided: Item; held?: number }> {
    const key = sessionKeyOf(owner, record.sessionId as string);
    const decided: Item = {
        ...record,
        status: verdict.status,
        live: verdict.live,
        confidence: verdict.confidence ?? 0,
        decidedAt: now,
        owner,
        eventPending: now + PUBLISH_LEASE_MS,
    };
    const tries: string[] = [];
    for (let attempt = 1; ; attempt++) {
        const writer = randomUUID();
        tries.push(writer);
        const items: object[] = [
            {
                Update: {
                    TableName: config.tableName,
                    Key: key,
                    UpdateExpression:
                        "SET #status = :status, live = :live, confidence = :confidence, decidedAt = :decidedAt, #owner = :owner, eventPending = :lease, decidedBy = :writer",
                    ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(decidedAt)",
                    ExpressionAttributeNames: { "#status": "status", "#owner": "owner" },
                    ExpressionAttributeValues: {
                        ":status": decided.status,
                        ":live": decided.live,
                        ":confidence": decided.confidence,
                        ":decidedAt": decided.decidedAt,
                        ":owner": owner,
                        ":lease": decided.eventPending,
                        ":writer": writer,
                    },
                },
            },
        ];
        if (!verdict.live) {
            const limits = await readLimits(owner);
            const failures = [...inWindow(limits.failures, now), now];
            const locks = failures.length >= config.maxFailures;
            const next = {
                admitted: inWindow(limits.admitted, now),
                failures: locks ? [] : failures,
                lockedUntil: locks ? Math.max(limits.lockedUntil, now + config.lockoutSeconds * 1000) : limits.lockedUntil,
            };
            items.push({ Update: limitsWrite(owner, limits, next, writer) });
        }
        try {
            await table.send(new TransactWriteCommand({ TransactItems: items as never, ClientRequestToken: writer }));
            logger.info("verdict recorded", { sessionId: decided.sessionId, status: decided.status, live: decided.live });
            return { decided, held: decided.eventPending };
        } catch (error) {
            if (!(error instanceof TransactionCanceledException)) throw error;
            const [session, limits] = (error.CancellationReasons ?? []).map((reason) => reason.Code);
            // Decided already: by a racing read, or by a try of this one whose answer was lost.
            if (session === "ConditionalCheckFailed") {
                const current = await getRecord(key);
                if (current?.decidedAt === undefined) throw error;
                const mine = tries.includes(current.decidedBy as string);
                if (mine) logger.info("verdict recorded", { sessionId: current.sessionId, status: current.status, live: current.live });
                return { decided: current, held: mine ? (current.eventPending as number | undefined) : undefined };
            }
            if (limits !== "ConditionalCheckFailed" || attempt >= LIMITS_ATTEMPTS) throw error;
            await racePause(attempt);
        }
    }
}

/**
 * Answers a decided session once its event is published. The request that recorded the verdict holds the event's
 * lease (`held`) and publishes it; a read that finds the lease held by another waits a moment for it to be published,
 * else answers 503 until the lease runs out, then takes it and publishes. An event may so be published more than once;
 * consumers de-duplicate by session id.
 */
async function answerVerdict(record: Item, held?: number): Promise<Answer> {
    const answer = json(200, { sessionId: record.sessionId, status: record.status, live: record.live });
    const lease = record.eventPending as number | undefined;
    if (lease === undefined) return answer;
    const key = sessionKeyOf(record.owner as string, record.sessionId as string);
    if (held !== lease) {
        // Held by another request: publishing now (then its mark goes within moments), or failed after recording the
        // verdict without publishing (then its lease runs out). The verdict is answered only once its event is out.
        let seen = lease;
        for (let waited = 0; seen > Date.now() && waited < HOLDER_WAIT_MS; waited += 200) {
            await pause(200);
            const current = await getRecord(key);
            if (current?.eventPending === undefined) return answer;
            seen = current.eventPending as number;
        }
        const now = Date.now();
        if (seen > now) return refuse(503, "the verdict is being recorded; try again shortly", { "retry-after": secondsUntil(seen, now) });
        held = now + PUBLISH_LEASE_MS;
        // A racing read took it first: it publishes, and this one's device asks again.
        if (!(await moveLease(key, seen, held))) return UNAVAILABLE();
    }
    if (await publishVerdict(record)) {
        // Published: a mark left behind (the write failed, or another read took the lease meanwhile) only means one
        // more publication by a later read.
        await moveLease(key, held, undefined).catch((error: { name?: string }) =>
            logger.warn("a published verdict's pending mark was not cleared", { errorName: error.name ?? "Error" }),
        );
        return answer;
    }
    // Released, so that the device's retry (it gets a 503) publishes at once rather than after the lease.
    await moveLease(key, held, 0).catch(() => false);
    return UNAVAILABLE();
}

/**
 * Moves a verdict's event lease from `from` to `to` (undefined: the event is no longer pending), unless someone moved
 * it since; false if someone did.
 */
async function moveLease(key: { pk: string; sk: string }, from: number, to: number | undefined): Promise<boolean> {
    try {
        await table.send(
            new UpdateCommand({
                TableName: config.tableName,
                Key: key,
                UpdateExpression: to === undefined ? "REMOVE eventPending" : "SET eventPending = :to",
                ConditionExpression: "eventPending = :from",
                ExpressionAttributeValues: { ":from": from, ...(to === undefined ? {} : { ":to": to }) },
            }),
        );
        return true;
    } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
    }
}

/** Publishes a decided session's event, retrying entries EventBridge failed; false if it still has not taken it. */
async function publishVerdict(record: Item): Promise<boolean> {
    const detail: VerdictEventDetail = {
        owner: record.owner as string,
        sessionId: record.sessionId as string,
        live: record.live as boolean,
        status: record.status as string,
        confidence: (record.confidence as number | undefined) ?? null,
        createdAt: record.createdAt as number,
        decidedAt: record.decidedAt as number,
    };
    const entry = { Source: config.eventSource, DetailType: verdictEventDetailType, Detail: JSON.stringify(detail) };
    for (let attempt = 1; attempt <= PUBLISH_ATTEMPTS; attempt++) {
        try {
            // PutEvents answers 200 when entries fail: FailedEntryCount says so.
            const { FailedEntryCount, Entries } = await events.send(new PutEventsCommand({ Entries: [entry] }));
            if (!FailedEntryCount) return true;
            logger.warn("EventBridge did not take the verdict's event", {
                sessionId: detail.sessionId,
                errorCode: Entries?.[0]?.ErrorCode,
            });
        } catch (error) {
            logger.warn("EventBridge failed", { sessionId: detail.sessionId, errorName: (error as { name?: string }).name ?? "Error" });
        }
        if (attempt < PUBLISH_ATTEMPTS) await pause(100 * attempt);
    }
    return false;
}

/** A Rekognition failure: throttling past the request's time is a 503 to retry; anything else is logged, explained. */
function serviceFailure(operation: string, inputs: FaceLivenessSessionInputs, error: unknown): Answer {
    if (error instanceof StillThrottled) {
        logger.warn("Rekognition still throttled when the request's time for it ran out", { operation });
        return refuse(503, "the liveness service is busy; try again shortly", { "retry-after": "1" });
    }
    // The explanation names the service's error and what the function's role needs; never shown to the caller.
    logger.error("Rekognition refused the request", {
        operation,
        explanation: explainAwsError(operation, undefined, inputs, error, 1).message,
    });
    return refuse(502, "the liveness service could not be reached");
}

/** The function's entry: routes the two routes, refuses everything else. */
export async function handler(event: ApiEvent, context: Context): Promise<Answer> {
    logger.addContext(context);
    const route = event.routeKey;
    try {
        if (route !== "POST /sessions" && route !== "GET /sessions/{sessionId}") {
            const path = event.rawPath ?? "";
            const knownPath = path === "/sessions" || /^\/sessions\/[^/]+$/.test(path);
            return knownPath ? refuse(405, "method not allowed") : refuse(404, "no such route");
        }
        const caller = callerOf(event);
        if ("refusal" in caller) {
            logger.warn("request refused", { route, reason: caller.reason });
            return caller.refusal;
        }
        if (route === "POST /sessions") {
            const problem = bodyProblem(event);
            if (problem !== undefined) return refuse(problem.status, problem.error);
            return await createSession(caller.owner, context);
        }
        const sessionId = event.pathParameters?.sessionId ?? "";
        if (!sessionIdPattern.test(sessionId)) return refuse(400, "sessionId must be a session id (a lower-case UUID)");
        return await readSession(caller.owner, sessionId, context);
    } catch (error) {
        // DynamoDB or EventBridge failed: the name of the error only (its message may quote keys).
        logger.error("request failed", { route, errorName: (error as { name?: string }).name ?? "Error" });
        return UNAVAILABLE();
    }
}
