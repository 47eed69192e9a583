/**
 * The session API's Lambda handler (HTTP API, payload format 2.0): it runs in AWS, never in the program or the
 * provider host. `npm run build` bundles it with the AWS SDK clients it uses into bin/runtime/sessionApi/index.js,
 * the file `LivenessSetup` ships as the function's code.
 *
 *   POST /sessions              -> 201 {"sessionId", "region"}: a session for the caller, recorded as theirs first
 *   GET  /sessions/{sessionId}  -> 200 {"sessionId", "status", "live"}: the caller's own session only, else 404
 *
 * The owner of a request is the identity API Gateway authorized (a JWT's `sub`, or the caller's Cognito identity id);
 * the client chooses nothing else. Only pass or fail leaves: never the confidence, images, their S3 keys, the token
 * or the service's raw answer, in a response or a log line.
 */
import { randomUUID } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import { ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
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
import { configFromEnvironment, verdictEventDetailType } from "./config";

/** What API Gateway puts in the request context: the authorizer's answer, JWT or IAM. */
interface AuthorizedContext {
    requestId?: string;
    authorizer?: {
        jwt?: { claims?: Record<string, unknown> };
        iam?: { cognitoIdentity?: { identityId?: string } | null };
    };
}
export type ApiEvent = APIGatewayProxyEventV2WithRequestContext<AuthorizedContext>;
type Answer = APIGatewayProxyStructuredResultV2;

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

const ownerKey = (owner: string) => `OWNER#${owner}`;
const sessionKey = (sessionId: string) => ({ sk: `SESSION#${sessionId}` });
const LIMITS = "LIMITS";

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

/** The owner API Gateway authorized, or undefined when the request carries none (then the route is misconfigured). */
function ownerOf(event: ApiEvent): string | undefined {
    const authorizer = event.requestContext?.authorizer;
    const owner = config.authMode === "jwt" ? authorizer?.jwt?.claims?.sub : authorizer?.iam?.cognitoIdentity?.identityId;
    return typeof owner === "string" && owner !== "" ? owner : undefined;
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
 * Admits one more session for `owner` now, or says when to come back: while the owner is locked out after too many
 * failures, or once the window holding `maxSessionsPerWindow` sessions has passed. One request to the table: the
 * lock's condition and the count of the window (windows of `failureWindowSeconds`, aligned to the epoch) together.
 */
async function admit(owner: string, now: number): Promise<{ retryAt?: number }> {
    const windowMs = config.failureWindowSeconds * 1000;
    const window = Math.floor(now / windowMs);
    const windowEnd = (window + 1) * windowMs;
    try {
        await table.send(
            new TransactWriteCommand({
                TransactItems: [
                    {
                        ConditionCheck: {
                            TableName: config.tableName,
                            Key: { pk: ownerKey(owner), sk: LIMITS },
                            ConditionExpression: "attribute_not_exists(lockedUntil) OR lockedUntil <= :now",
                            ExpressionAttributeValues: { ":now": now },
                        },
                    },
                    {
                        Update: {
                            TableName: config.tableName,
                            Key: { pk: ownerKey(owner), sk: `WINDOW#${window}` },
                            UpdateExpression: "SET sessions = if_not_exists(sessions, :zero) + :one, expiresAt = :expiresAt",
                            ConditionExpression: "attribute_not_exists(sessions) OR sessions < :max",
                            ExpressionAttributeValues: {
                                ":zero": 0,
                                ":one": 1,
                                ":max": config.maxSessionsPerWindow,
                                ":expiresAt": Math.ceil(windowEnd / 1000) + 86_400,
                            },
                        },
                    },
                ],
            }),
        );
        return {};
    } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const [lock, count] = (error.CancellationReasons ?? []).map((reason) => reason.Code);
        if (lock === "ConditionalCheckFailed") {
            const { Item } = await table.send(
                new GetCommand({ TableName: config.tableName, Key: { pk: ownerKey(owner), sk: LIMITS }, ConsistentRead: true }),
            );
            return { retryAt: (Item?.lockedUntil as number | undefined) ?? now + config.lockoutSeconds * 1000 };
        }
        if (count === "ConditionalCheckFailed") return { retryAt: windowEnd };
        throw error;
    }
}

/** Counts a not-live verdict for `owner`; the `maxFailures`-th within the window locks the owner out. */
async function countFailure(owner: string, now: number): Promise<void> {
    const windowMs = config.failureWindowSeconds * 1000;
    const key = { pk: ownerKey(owner), sk: LIMITS };
    // The limits item goes by TTL a day after its window or a lock set now could still matter.
    const expiresAt = Math.ceil(now / 1000) + Math.max(config.failureWindowSeconds, config.lockoutSeconds) + 86_400;
    let failures: number;
    try {
        const { Attributes } = await table.send(
            new UpdateCommand({
                TableName: config.tableName,
                Key: key,
                UpdateExpression: "SET failuresInWindow = failuresInWindow + :one, expiresAt = :expiresAt",
                ConditionExpression: "failWindowStart > :windowFloor",
                ExpressionAttributeValues: { ":one": 1, ":windowFloor": now - windowMs, ":expiresAt": expiresAt },
                ReturnValues: "ALL_NEW",
            }),
        );
        failures = Attributes!.failuresInWindow as number;
    } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // The first failure of a new window.
        await table.send(
            new UpdateCommand({
                TableName: config.tableName,
                Key: key,
                UpdateExpression: "SET failWindowStart = :now, failuresInWindow = :one, expiresAt = :expiresAt",
                ExpressionAttributeValues: { ":now": now, ":one": 1, ":expiresAt": expiresAt },
            }),
        );
        failures = 1;
    }
    if (failures >= config.maxFailures) {
        await table.send(
            new UpdateCommand({
                TableName: config.tableName,
                Key: key,
                UpdateExpression: "SET lockedUntil = :until, failuresInWindow = :zero, failWindowStart = :now, expiresAt = :expiresAt",
                ExpressionAttributeValues: {
                    ":until": now + config.lockoutSeconds * 1000,
                    ":zero": 0,
                    ":now": now,
                    ":expiresAt": Math.ceil(now / 1000) + config.lockoutSeconds + 86_400,
                },
            }),
        );
    }
}

/** The service answered throttled (or failed transiently) until the request's time ran out. */
class StillThrottled extends Error {}

/**
 * Sends one Rekognition request, retrying throttling and transient failures with the same request (so a Create keeps
 * its token: never a second session for one request) while the request's time allows.
 */
async function sendWithRetries<T>(command: { input: object }, context: Context): Promise<T> {
    for (let attempt = 1; ; attempt++) {
        try {
            return (await rekognition.send(command as never)) as T;
        } catch (error) {
            if (retryReason(error) === undefined) throw error;
            const pause = Math.random() * Math.min(2000, 50 * 2 ** attempt);
            if (context.getRemainingTimeInMillis() - pause < ANSWER_MARGIN_MS) throw new StillThrottled();
            await new Promise((resolve) => setTimeout(resolve, pause));
        }
    }
}

async function createSession(owner: string, context: Context): Promise<Answer> {
    const now = Date.now();
    const { retryAt } = await admit(owner, now);
    if (retryAt !== undefined) {
        logger.info("session refused: owner over its limits");
        return refuse(429, "too many liveness checks; try again later", { "retry-after": secondsUntil(retryAt, now) });
    }
    // A token of the server's own for this attempt, reused by this attempt's retries only.
    const { inputs, request } = sessionRequest(randomUUID());
    let sessionId: string;
    try {
        ({ SessionId: sessionId } = await sendWithRetries<{ SessionId: string }>(new CreateFaceLivenessSessionCommand(request), context));
    } catch (error) {
        return serviceFailure("CreateFaceLivenessSession", inputs, error);
    }
    const createdAt = Date.now();
    // Recorded as the owner's before the id leaves: no id reaches a device unrecorded.
    await table.send(
        new PutCommand({
            TableName: config.tableName,
            Item: {
                pk: ownerKey(owner),
                ...sessionKey(sessionId),
                sessionId,
                createdAt,
                status: "CREATED",
                expiresAt: Math.ceil(createdAt / 1000) + config.recordRetentionDays * 86_400,
            },
            ConditionExpression: "attribute_not_exists(pk)",
        }),
    );
    logger.info("session created", { sessionId });
    return json(201, { sessionId, region: await rekognition.config.region() });
}

async function readSession(owner: string, sessionId: string, context: Context): Promise<Answer> {
    const key = { pk: ownerKey(owner), ...sessionKey(sessionId) };
    const { Item: record } = await table.send(new GetCommand({ TableName: config.tableName, Key: key, ConsistentRead: true }));
    // Another owner's session and an unknown one get the same answer.
    if (record === undefined) return NOT_FOUND();
    if (record.decidedAt !== undefined) return json(200, { sessionId, status: record.status, live: record.live });

    let status: string;
    let confidence: number | undefined;
    try {
        // The answer may hold image bytes and S3 keys: only the status and the confidence are kept, and only here.
        const result = await sendWithRetries<{ Status: string; Confidence?: number }>(
            new GetFaceLivenessSessionResultsCommand({ SessionId: sessionId }),
            context,
        );
        status = result.Status;
        confidence = result.Confidence;
    } catch (error) {
        // After expiry the service may answer SessionNotFound instead of EXPIRED: both mean the session is spent.
        if (!(error instanceof SessionNotFoundException)) return serviceFailure("GetFaceLivenessSessionResults", {}, error);
        status = "EXPIRED";
    }
    if (status === "CREATED" || status === "IN_PROGRESS") return json(200, { sessionId, status, live: null });

    const live = status === "SUCCEEDED" && confidence !== undefined && confidence >= config.confidenceThreshold;
    const decidedAt = Date.now();
    try {
        // The first read to see a final status records the verdict; the condition lets only one of racing reads win.
        await table.send(
            new UpdateCommand({
                TableName: config.tableName,
                Key: key,
                UpdateExpression: "SET #status = :status, live = :live, confidence = :confidence, decidedAt = :decidedAt, #owner = :owner",
                ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(decidedAt)",
                ExpressionAttributeNames: { "#status": "status", "#owner": "owner" },
                ExpressionAttributeValues: {
                    ":status": status,
                    ":live": live,
                    ":confidence": confidence ?? 0,
                    ":decidedAt": decidedAt,
                    ":owner": owner,
                },
            }),
        );
    } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const { Item: decided } = await table.send(new GetCommand({ TableName: config.tableName, Key: key, ConsistentRead: true }));
        return json(200, { sessionId, status: decided!.status, live: decided!.live });
    }
    if (!live) await countFailure(owner, decidedAt);
    await events.send(
        new PutEventsCommand({
            Entries: [
                {
                    Source: config.eventSource,
                    DetailType: verdictEventDetailType,
                    Detail: JSON.stringify({ owner, sessionId, live, confidence: confidence ?? null }),
                },
            ],
        }),
    );
    logger.info("verdict recorded", { sessionId, status, live });
    return json(200, { sessionId, status, live });
}

/** A Rekognition failure: throttling past the request's time is a 503 to retry; anything else is logged, explained. */
function serviceFailure(operation: string, inputs: FaceLivenessSessionInputs, error: unknown): Answer {
    if (error instanceof StillThrottled) {
        logger.warn("Rekognition still throttled when the request's time ran out", { operation });
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
        const owner = ownerOf(event);
        if (owner === undefined) {
            logger.warn("request without an authorized identity", { route });
            return refuse(401, "not authenticated");
        }
        if (route === "POST /sessions") {
            const problem = bodyProblem(event);
            if (problem !== undefined) return refuse(problem.status, problem.error);
            return await createSession(owner, context);
        }
        const sessionId = event.pathParameters?.sessionId ?? "";
        if (!sessionIdPattern.test(sessionId)) return refuse(400, "sessionId must be a session id (a lower-case UUID)");
        return await readSession(owner, sessionId, context);
    } catch (error) {
        // DynamoDB or EventBridge failed: the name of the error only (its message may quote keys).
        logger.error("request failed", { route, errorName: (error as { name?: string }).name ?? "Error" });
        return refuse(503, "the service is unavailable; try again shortly", { "retry-after": "1" });
    }
}
