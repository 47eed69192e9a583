/**
 * The session API's handler as built (bin/runtime/sessionApi/index.js, the very file the function's code holds),
 * invoked in this process with payload-2.0 events as API Gateway sends them. Its AWS SDK clients reach the project's
 * Rekognition emulator and moto's DynamoDB, EventBridge and SQS on loopback through AWS_ENDPOINT_URL_*, as the
 * function reaches AWS. Not proven here: API Gateway's own authorizers and throttles (the component's tests check
 * their configuration), and AWS itself (`npm run test:aws`).
 */
import { strict as assert } from "node:assert";
import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { RekognitionEmulator, startEmulator } from "../../emulator/rekognitionEmulator";
import { Moto } from "../support/moto";
import { Fault, FaultProxy } from "../support/faultProxy";
import { SessionApiConfig, defaultEventSource, sessionTable, verdictEventDetailType } from "../../runtime/sessionApi/config";
import {
    Answer,
    CALLER_JWT,
    Handler,
    SETUP_IDENTITY_POOL,
    apiEvent,
    builtHandler,
    configFor,
    createChecksTable,
    lambdaContext,
    loadHandler,
} from "../support/sessionApi";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const REGION = "us-east-1";

describe("the session API's handler, as built, against the emulator and moto", function () {
    this.timeout(60_000);
    let moto: Moto;
    let emulator: RekognitionEmulator;
    let restoreEnv: () => void;
    const dynamodb = () => new DynamoDBClient({ region: REGION });
    let queueUrl: string;
    let tables = 0;
    /** Every answer and every line the handler wrote, searched for what must never leave it. */
    const answers: Answer[] = [];
    const logLines: string[] = [];
    const realNow = Date.now;

    before(async function () {
        moto = await Moto.start(this);
        ({ emulator, restoreEnv } = await startEmulator());
        process.env.AWS_REGION = REGION;
        // Every verdict event on the default bus lands in a queue the tests read.
        const sqs = new SQSClient({ region: REGION });
        ({ QueueUrl: queueUrl } = (await sqs.send(new CreateQueueCommand({ QueueName: "verdicts" }))) as { QueueUrl: string });
        const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }));
        const eventBridge = new EventBridgeClient({ region: REGION });
        await eventBridge.send(
            new PutRuleCommand({ Name: "verdicts", EventPattern: JSON.stringify({ "detail-type": [verdictEventDetailType] }) }),
        );
        await eventBridge.send(new PutTargetsCommand({ Rule: "verdicts", Targets: [{ Id: "queue", Arn: Attributes!.QueueArn }] }));
    });
    after(async () => {
        Date.now = realNow;
        restoreEnv?.();
        await emulator?.stop();
        await moto?.stop();
    });
    afterEach(() => {
        Date.now = realNow;
    });

    /** A new table laid out as the component declares it. */
    async function newTable(): Promise<string> {
        const name = `sessions-${++tables}`;
        await createChecksTable(REGION, name);
        return name;
    }

    /** A fresh load of the built handler with `config` as the function's environment (it reads it at load). */
    function load(config: SessionApiConfig): Handler {
        const handler = loadHandler(config);
        return async (event, context) => {
            captureLogs(+1);
            try {
                const answer = await handler(event, context);
                answers.push(answer);
                return answer;
            } finally {
                captureLogs(-1);
            }
        };
    }

    /** The handler's log lines, taken from stdout and stderr while any invocation runs (some run at once). */
    let capturing = 0;
    const written = { out: process.stdout.write, err: process.stderr.write };
    function captureLogs(change: 1 | -1): void {
        capturing += change;
        if (change === 1 && capturing === 1) {
            const capture = (chunk: unknown) => (logLines.push(String(chunk)), true);
            process.stdout.write = capture as never;
            process.stderr.write = capture as never;
        } else if (capturing === 0) {
            process.stdout.write = written.out;
            process.stderr.write = written.err;
        }
    }

    const context = (remainingMs = 29_000) => lambdaContext(remainingMs, realNow);
    const event = apiEvent;
    const JWT = CALLER_JWT;
    const bodyOf = (answer: Answer) => JSON.parse(answer.body);

    async function receivedEvents(): Promise<{ source: string; "detail-type": string; detail: Record<string, unknown> }[]> {
        const sqs = new SQSClient({ region: REGION });
        const received: { source: string; "detail-type": string; detail: Record<string, unknown> }[] = [];
        for (;;) {
            const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
            if (!Messages || Messages.length === 0) return received;
            received.push(...Messages.map((m) => JSON.parse(m.Body!)));
        }
    }

    describe("POST /sessions", () => {
        it("creates a session with the setup's key, bucket, prefix and options, records it as the caller's, and answers its id and region", async () => {
            const tableName = await newTable();
            const handler = load(configFor(tableName));
            const creates = emulator.calls("CreateFaceLivenessSession").length;
            const answer = await handler(event("POST /sessions"), context());
            assert.equal(answer.statusCode, 201);
            assert.equal(answer.headers["content-type"], "application/json");
            const { sessionId } = bodyOf(answer);
            assert.match(sessionId, UUID);
            assert.deepEqual(bodyOf(answer), { sessionId, region: REGION });
            const [create] = emulator.calls("CreateFaceLivenessSession").slice(creates);
            assert.match(create.body.ClientRequestToken, UUID, "a token of the server's own");
            assert.deepEqual(create.body, {
                KmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                Settings: {
                    OutputConfig: { S3Bucket: "kyc-images", S3KeyPrefix: "liveness-api/" },
                    AuditImagesLimit: 2,
                    ChallengePreferences: [{ Type: "FaceMovementChallenge" }],
                },
                ClientRequestToken: create.body.ClientRequestToken,
            });
            const { Item } = await DynamoDBDocumentClient.from(dynamodb()).send(
                new GetCommand({ TableName: tableName, Key: { pk: "OWNER#alice", sk: `SESSION#${sessionId}` } }),
            );
            assert.deepEqual(Object.keys(Item!).sort(), ["createdAt", "expiresAt", "pk", "sessionId", "sk", "status"]);
            assert.equal(Item!.status, "CREATED");
        });

        it("takes the owner from the caller's Cognito identity with IAM auth", async () => {
            const tableName = await newTable();
            const handler = load(configFor(tableName, { authMode: "iam" }));
            const { sessionId } = bodyOf(await handler(event("POST /sessions", { owner: "us-east-1:identity-1", iam: true }), context()));
            const own = await handler(
                event("GET /sessions/{sessionId}", { owner: "us-east-1:identity-1", iam: true, sessionId }),
                context(),
            );
            assert.equal(own.statusCode, 200);
            // A JWT's sub is not an owner under IAM auth: the request carries no identity this API trusts.
            assert.equal((await handler(event("POST /sessions", { owner: "bob" }), context())).statusCode, 401);
        });

        it("refuses guests and identities of another identity pool with 403 under IAM auth, before any Create", async () => {
            const tableName = await newTable();
            const handler = load(configFor(tableName, { authMode: "iam", identityPoolId: SETUP_IDENTITY_POOL }));
            const creates = emulator.calls("CreateFaceLivenessSession").length;
            const own = bodyOf(await handler(event("POST /sessions", { owner: "us-east-1:signed-in", iam: true }), context()));
            assert.match(own.sessionId, UUID);
            // 30 fresh guest identities, one GetId each: not one session, and no read of another's either.
            for (let i = 0; i < 30; i++) {
                const owner = `us-east-1:guest-${i}`;
                for (const request of [
                    event("POST /sessions", { owner, iam: { amr: ["unauthenticated"] } }),
                    event("GET /sessions/{sessionId}", { owner, sessionId: own.sessionId, iam: { amr: ["unauthenticated"] } }),
                ]) {
                    const answer = await handler(request, context());
                    assert.deepEqual([answer.statusCode, bodyOf(answer)], [403, { error: "sign in to check liveness" }]);
                }
            }
            const otherPool = await handler(
                event("POST /sessions", {
                    owner: "eu-west-1:stranger",
                    iam: { identityPoolId: "eu-west-1:0f0e0d0c-9999-4222-8333-944455556666" },
                }),
                context(),
            );
            assert.deepEqual([otherPool.statusCode, bodyOf(otherPool)], [403, { error: "sign in to check liveness" }]);
            const noAmr = await handler(event("POST /sessions", { owner: "us-east-1:odd", iam: { amr: undefined } }), context());
            assert.equal(noAmr.statusCode, 403);
            assert.equal(emulator.calls("CreateFaceLivenessSession").length, creates + 1, "one Create: the signed-in caller's");
        });

        it("fails with 503 and no session id when the record cannot be stored: no id reaches a device unrecorded", async () => {
            const tableName = await newTable();
            const handler = load(configFor(tableName));
            const sessions = emulator.sessions.size;
            // The table goes away while the service is still answering the Create: once the session exists, and
            // well within the 5 s the service holds its answer, however busy the machine.
            emulator.options.createLatencyMs = 5000;
            try {
                const answering = handler(event("POST /sessions"), context());
                while (emulator.sessions.size === sessions) await new Promise((resolve) => setTimeout(resolve, 20));
                await dynamodb().send(new DeleteTableCommand({ TableName: tableName }));
                const answer = await answering;
                assert.equal(emulator.sessions.size, sessions + 1, "the service made a session");
                assert.deepEqual(
                    [answer.statusCode, bodyOf(answer), answer.headers["retry-after"]],
                    [503, { error: "the service is unavailable; try again shortly" }, "1"],
                );
            } finally {
                emulator.options.createLatencyMs = undefined;
            }
        });

        it("retries throttling with the same token within the request's time: one session for one request", async () => {
            const handler = load(configFor(await newTable()));
            const sessions = emulator.sessions.size;
            const creates = emulator.calls("CreateFaceLivenessSession").length;
            emulator.failNext("CreateFaceLivenessSession", "ProvisionedThroughputExceededException", 2, "Provisioned rate exceeded");
            emulator.failNext("CreateFaceLivenessSession", "ThrottlingException", 1, "Rate exceeded", 500);
            const answer = await handler(event("POST /sessions"), context());
            assert.equal(answer.statusCode, 201);
            const calls = emulator.calls("CreateFaceLivenessSession").slice(creates);
            assert.equal(calls.length, 4);
            assert.equal(new Set(calls.map((c) => c.body.ClientRequestToken)).size, 1, "every attempt sent the same token");
            assert.equal(emulator.sessions.size, sessions + 1);
        });

        it("answers 503 with Retry-After when the service is still throttled as the request's time runs out, creating nothing", async () => {
            const handler = load(configFor(await newTable()));
            const sessions = emulator.sessions.size;
            emulator.failNext("CreateFaceLivenessSession", "ProvisionedThroughputExceededException", 1000, "Provisioned rate exceeded");
            try {
                const answer = await handler(event("POST /sessions"), context(2500));
                assert.equal(answer.statusCode, 503);
                assert.deepEqual(bodyOf(answer), { error: "the liveness service is busy; try again shortly" });
                assert.equal(answer.headers["retry-after"], "1");
                assert.equal(emulator.sessions.size, sessions);
            } finally {
                emulator.clearInjected();
            }
        });

        const badBodies: [string, string, boolean, number, string][] = [
            ["a JSON array", "[]", false, 400, "the body must be empty or {}, got an array"],
            ["a number", "42", false, 400, "the body must be empty or {}, got a number"],
            ["text that is not JSON", "threshold=0", false, 400, "the body must be empty or {}, got text that is not JSON"],
            [
                "an option the client may not choose",
                '{"confidenceThreshold": 0}',
                false,
                400,
                'the body must be empty or {}: sessions take no options from the client, got "confidenceThreshold"',
            ],
            ["a body over 1 KiB", JSON.stringify({ pad: "x".repeat(2000) }), false, 413, "the body must be empty or {}, got 2010 bytes"],
            [
                "a base64 body holding an option",
                Buffer.from('{"kmsKeyId":"x"}').toString("base64"),
                true,
                400,
                'the body must be empty or {}: sessions take no options from the client, got "kmsKeyId"',
            ],
        ];
        for (const [what, body, base64, status, error] of badBodies) {
            it(`fails with ${status} on ${what}, creating nothing`, async () => {
                const handler = load(configFor(await newTable()));
                const creates = emulator.calls("CreateFaceLivenessSession").length;
                const answer = await handler(event("POST /sessions", { body, base64 }), context());
                assert.deepEqual([answer.statusCode, bodyOf(answer)], [status, { error }]);
                assert.equal(emulator.calls("CreateFaceLivenessSession").length, creates);
            });
        }

        it("takes an absent, empty, whitespace or {} body, base64 or not", async () => {
            const handler = load(configFor(await newTable()));
            for (const [body, base64] of [
                [undefined, false],
                ["", false],
                ["  \n", false],
                ["{}", false],
                [Buffer.from("{ }").toString("base64"), true],
            ] as const) {
                assert.equal(
                    (await handler(event("POST /sessions", { body, base64 }), context())).statusCode,
                    201,
                    `body ${JSON.stringify(body)}`,
                );
            }
        });
    });

    describe("GET /sessions/{sessionId}", () => {
        let tableName: string;
        let handler: Handler;
        beforeEach(async () => {
            tableName = await newTable();
            handler = load(configFor(tableName));
        });
        const create = async (owner = "alice") => bodyOf(await handler(event("POST /sessions", { owner }), context())).sessionId as string;
        const read = (sessionId: string, owner = "alice") => handler(event("GET /sessions/{sessionId}", { owner, sessionId }), context());

        it("answers the owner only; another caller and an unknown id get the same 404", async () => {
            const sessionId = await create("alice");
            assert.deepEqual(bodyOf(await read(sessionId, "alice")), { sessionId, status: "CREATED", live: null });
            const others = await read(sessionId, "bob");
            const unknown = await read("0c7e1d54-1111-4222-8333-944455556666", "alice");
            for (const answer of [others, unknown])
                assert.deepEqual([answer.statusCode, bodyOf(answer)], [404, { error: "no such session" }]);
        });

        it("answers live null while CREATED or IN_PROGRESS, and records nothing", async () => {
            const sessionId = await create();
            emulator.setOutcome(sessionId, { status: "IN_PROGRESS" });
            assert.deepEqual(bodyOf(await read(sessionId)), { sessionId, status: "IN_PROGRESS", live: null });
            const { Item } = await DynamoDBDocumentClient.from(dynamodb()).send(
                new GetCommand({ TableName: tableName, Key: { pk: "OWNER#alice", sk: `SESSION#${sessionId}` } }),
            );
            assert.equal(Item!.decidedAt, undefined);
        });

        const verdicts: [string, { status: "SUCCEEDED" | "FAILED"; confidence?: number }, boolean][] = [
            ["SUCCEEDED at the threshold (90)", { status: "SUCCEEDED", confidence: 90 }, true],
            ["SUCCEEDED just below it (89.9)", { status: "SUCCEEDED", confidence: 89.9 }, false],
            ["FAILED", { status: "FAILED", confidence: 99 }, false],
        ];
        for (const [what, outcome, live] of verdicts) {
            it(`answers live ${live} for ${what}`, async () => {
                const sessionId = await create();
                emulator.setOutcome(sessionId, outcome);
                assert.deepEqual(bodyOf(await read(sessionId)), { sessionId, status: outcome.status, live });
            });
        }

        it("answers live false for an expired session, whether the service says EXPIRED or SessionNotFound", async () => {
            const expired = await create();
            emulator.advance(3 * 60_000);
            try {
                assert.deepEqual(bodyOf(await read(expired)), { sessionId: expired, status: "EXPIRED", live: false });
            } finally {
                emulator.advance(-3 * 60_000);
            }
            const forgotten = await create();
            emulator.sessions.delete(forgotten);
            assert.deepEqual(bodyOf(await read(forgotten)), { sessionId: forgotten, status: "EXPIRED", live: false });
        });

        it("records the verdict once and publishes one event, for racing reads too; later reads never call Rekognition", async () => {
            await receivedEvents();
            const sessionId = await create();
            const { Item: created } = await DynamoDBDocumentClient.from(dynamodb()).send(
                new GetCommand({ TableName: tableName, Key: { pk: "OWNER#alice", sk: `SESSION#${sessionId}` } }),
            );
            emulator.setOutcome(sessionId, { status: "SUCCEEDED", confidence: 96.25 });
            const gets = emulator.calls("GetFaceLivenessSessionResults").length;
            const racing = await Promise.all([1, 2, 3, 4, 5].map(() => read(sessionId)));
            // One read asks the service; the others are answered from the record: the verdict if it is there by then,
            // else the status recorded so far with when to ask again.
            assert.equal(emulator.calls("GetFaceLivenessSessionResults").length, gets + 1, "one read of the service");
            for (const answer of racing) {
                const body = bodyOf(answer);
                if (body.live === null)
                    assert.deepEqual([body, answer.headers["retry-after"]], [{ sessionId, status: "CREATED", live: null }, "2"]);
                else assert.deepEqual(body, { sessionId, status: "SUCCEEDED", live: true });
            }
            assert.ok(racing.some((answer) => bodyOf(answer).live === true));
            assert.deepEqual(bodyOf(await read(sessionId)), { sessionId, status: "SUCCEEDED", live: true });
            assert.equal(emulator.calls("GetFaceLivenessSessionResults").length, gets + 1, "answered from the record");

            const published = await receivedEvents();
            const { Item: decided } = await DynamoDBDocumentClient.from(dynamodb()).send(
                new GetCommand({ TableName: tableName, Key: { pk: "OWNER#alice", sk: `SESSION#${sessionId}` } }),
            );
            assert.equal(decided!.eventPending, undefined, "the event is no longer pending");
            assert.deepEqual(
                published.map((e) => [e.source, e["detail-type"], e.detail]),
                [
                    [
                        defaultEventSource,
                        verdictEventDetailType,
                        {
                            owner: "alice",
                            sessionId,
                            live: true,
                            status: "SUCCEEDED",
                            confidence: 96.25,
                            // When the check could happen (the session's creation), not only when it was read.
                            createdAt: created!.createdAt,
                            decidedAt: decided!.decidedAt,
                        },
                    ],
                ],
            );
            // The app's backend finds the owner's latest verdict in one request.
            const { Items } = await DynamoDBDocumentClient.from(dynamodb()).send(
                new QueryCommand({
                    TableName: tableName,
                    IndexName: sessionTable.verdictIndex.name,
                    KeyConditionExpression: "#owner = :owner",
                    ExpressionAttributeNames: { "#owner": "owner" },
                    ExpressionAttributeValues: { ":owner": "alice" },
                    ScanIndexForward: false,
                    Limit: 1,
                }),
            );
            assert.deepEqual(
                Items!.map((i) => [i.sessionId, i.status, i.live, i.confidence]),
                [[sessionId, "SUCCEEDED", true, 96.25]],
            );
        });

        it("a verdict whose recorder died before publishing: later reads answer 503 until its lease runs out, then publish it and answer", async () => {
            await receivedEvents();
            const sessionId = await create();
            emulator.setOutcome(sessionId, { status: "FAILED" });
            await read(sessionId);
            assert.equal((await receivedEvents()).length, 1);
            // As if the request that recorded the verdict had died between its transaction and its event.
            const key = { pk: "OWNER#alice", sk: `SESSION#${sessionId}` };
            const markPending = (lease: number) =>
                DynamoDBDocumentClient.from(dynamodb()).send(
                    new UpdateCommand({
                        TableName: tableName,
                        Key: key,
                        UpdateExpression: "SET eventPending = :lease",
                        ExpressionAttributeValues: { ":lease": lease },
                    }),
                );
            await markPending(realNow() + 60_000);
            const held = await read(sessionId);
            assert.deepEqual(
                [held.statusCode, bodyOf(held)],
                [503, { error: "the verdict is being recorded; try again shortly" }],
                "no verdict answered before its event is out",
            );
            // Until the lease runs out: a minute less the second it waited for the holder (more on a busy machine).
            const retryAfter = Number(held.headers["retry-after"]);
            assert.ok(retryAfter >= 45 && retryAfter <= 59, `Retry-After ${retryAfter}`);
            assert.deepEqual(await receivedEvents(), [], "a lease still held: its holder may still publish");
            await markPending(realNow() - 1);
            assert.deepEqual(bodyOf(await read(sessionId)), { sessionId, status: "FAILED", live: false });
            assert.deepEqual(
                (await receivedEvents()).map((e) => e.detail.sessionId),
                [sessionId],
                "published by the read that found the lease run out",
            );
            const { Item } = await DynamoDBDocumentClient.from(dynamodb()).send(new GetCommand({ TableName: tableName, Key: key }));
            assert.equal(Item!.eventPending, undefined);
        });

        it("fails with 400 on a malformed session id, and 401 without an identity", async () => {
            for (const sessionId of ["abc", "0C7E1D54-1111-4222-8333-944455556666", "../LIMITS"]) {
                const answer = await read(sessionId);
                assert.deepEqual(
                    [answer.statusCode, bodyOf(answer)],
                    [400, { error: "sessionId must be a session id (a lower-case UUID)" }],
                );
            }
            const anonymous = await handler(
                event("GET /sessions/{sessionId}", { owner: null, sessionId: "0c7e1d54-1111-4222-8333-944455556666" }),
                context(),
            );
            assert.deepEqual([anonymous.statusCode, bodyOf(anonymous)], [401, { error: "not authenticated" }]);
        });
    });

    describe("limits per owner, enforced before any Create", () => {
        /** A time `offsetMs` after a multiple of `seconds` (an edge where windows aligned to the clock would turn over). */
        const atClockEdge = (seconds: number, offsetMs = 0) => Math.ceil(realNow() / (seconds * 1000)) * seconds * 1000 + offsetMs;
        /** Creates a session for `owner` and has its check fail; answers the session id. */
        async function failedSession(handler: Handler, owner = "alice"): Promise<string> {
            const { sessionId } = bodyOf(await handler(event("POST /sessions", { owner }), context()));
            emulator.setOutcome(sessionId, { status: "FAILED" });
            return sessionId;
        }
        const readOf = (handler: Handler, sessionId: string, owner = "alice") =>
            handler(event("GET /sessions/{sessionId}", { owner, sessionId }), context());

        it(`after 5 not-live verdicts within 180 s the owner is refused for 1800 s (429, Retry-After); others are not`, async () => {
            const handler = load(configFor(await newTable()));
            const start = realNow();
            Date.now = () => start;
            for (let i = 0; i < 5; i++) await readOf(handler, await failedSession(handler));
            const creates = emulator.calls("CreateFaceLivenessSession").length;
            const refused = await handler(event("POST /sessions"), context());
            assert.deepEqual(
                [refused.statusCode, bodyOf(refused), refused.headers["retry-after"]],
                [429, { error: "too many liveness checks; try again later" }, "1800"],
            );
            assert.equal(emulator.calls("CreateFaceLivenessSession").length, creates, "no Create for a refused request");
            assert.equal((await handler(event("POST /sessions", { owner: "bob" }), context())).statusCode, 201);
            Date.now = () => start + 1799_000;
            assert.equal((await handler(event("POST /sessions"), context())).headers["retry-after"], "1");
            Date.now = () => start + 1800_000;
            assert.equal((await handler(event("POST /sessions"), context())).statusCode, 201, "admitted again once the lockout ends");
        });

        it("5 not-live verdicts read at once lock the owner out too: each counted once, none lost to the race", async () => {
            const handler = load(configFor(await newTable()));
            const sessions: string[] = [];
            for (let i = 0; i < 5; i++) sessions.push(await failedSession(handler));
            const answers = await Promise.all(sessions.map((sessionId) => readOf(handler, sessionId)));
            assert.deepEqual(
                answers.map((a) => [a.statusCode, bodyOf(a).live]),
                sessions.map(() => [200, false]),
            );
            const refused = await handler(event("POST /sessions"), context());
            assert.deepEqual([refused.statusCode, refused.headers["retry-after"]], [429, "1800"]);
        });

        it("not-live verdicts are counted in a window sliding with time: 5 within 180 s lock, across any clock edge", async () => {
            const check = async (handler: Handler, at: number) => {
                Date.now = () => at;
                await readOf(handler, await failedSession(handler));
            };
            const edge = atClockEdge(180);
            const locked = load(configFor(await newTable()));
            for (let i = 0; i < 4; i++) await check(locked, edge - 1000);
            await check(locked, edge + 1000); // 2 s after the first four, in the next clock-aligned window
            Date.now = () => edge + 2000;
            assert.equal((await locked(event("POST /sessions"), context())).statusCode, 429);

            const spread = load(configFor(await newTable()));
            for (let i = 0; i < 4; i++) await check(spread, edge);
            await check(spread, edge + 180_000); // the fifth, 180 s after the others: they have left the window
            Date.now = () => edge + 181_000;
            assert.equal((await spread(event("POST /sessions"), context())).statusCode, 201);
        });

        it("at most 10 sessions per owner in any 180 s, across a clock edge too: the 11th waits for the oldest to leave", async () => {
            const handler = load(configFor(await newTable()));
            const edge = atClockEdge(180);
            Date.now = () => edge - 1000;
            for (let i = 0; i < 10; i++) assert.equal((await handler(event("POST /sessions"), context())).statusCode, 201);
            Date.now = () => edge + 1000;
            const creates = emulator.calls("CreateFaceLivenessSession").length;
            const refused = await handler(event("POST /sessions"), context());
            assert.deepEqual([refused.statusCode, refused.headers["retry-after"]], [429, "178"]);
            assert.equal(emulator.calls("CreateFaceLivenessSession").length, creates);
            Date.now = () => edge + 179_000;
            assert.equal((await handler(event("POST /sessions"), context())).statusCode, 201, "the first ten have left the window");
        });

        it("racing creates of one owner admit exactly the limit", async () => {
            const handler = load(configFor(await newTable(), { maxSessionsPerWindow: 4 }));
            const answers = await Promise.all(Array.from({ length: 12 }, () => handler(event("POST /sessions"), context())));
            assert.deepEqual(answers.map((a) => a.statusCode).sort(), [201, 201, 201, 201, 429, 429, 429, 429, 429, 429, 429, 429]);
        });
    });

    describe("under faults: DynamoDB writes failing before or after they take effect, EventBridge failing entries", () => {
        let proxy: FaultProxy;
        let tableName: string;
        let handler: Handler;
        /** Of every six writes of each kind to the table, one refused before it reaches moto and one lost after it took effect. */
        const oneInThree = (operation: string, n: number): Fault =>
            ["UpdateItem", "PutItem", "TransactWriteItems"].includes(operation)
                ? (["pass", "before", "pass", "pass", "after", "pass"] as const)[n % 6]
                : "pass";

        beforeEach(async () => {
            clock = realNow();
            Date.now = () => clock;
            tableName = await newTable();
            proxy = await FaultProxy.start(moto.endpoint, oneInThree);
            // The handler's clients find their endpoints on their first request. (The tests' own reads pass through.)
            process.env.AWS_ENDPOINT_URL_DYNAMODB = process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = proxy.endpoint;
            // Limits out of the way: a create answered 503 after its admission was written counts, as it should.
            handler = load(configFor(tableName, { maxFailures: 1000, maxSessionsPerWindow: 1000 }));
        });
        afterEach(async () => {
            process.env.AWS_ENDPOINT_URL_DYNAMODB = process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = moto.endpoint;
            await proxy.stop();
        });

        /**
         * Sends `request` until it is answered with a session or a verdict, as a device told Retry-After does (the
         * handler's clock moved on by the 2 s it asks for): at most 10 times.
         */
        async function untilAnswered(request: object): Promise<Answer> {
            for (let i = 0; ; i++) {
                const answer = await handler(request, context());
                if ((answer.statusCode !== 503 && bodyOf(answer).live !== null) || i === 9) return answer;
                clock += 2000;
            }
        }
        let clock: number;
        const limitsOf = async (owner: string) =>
            (
                await DynamoDBDocumentClient.from(dynamodb()).send(
                    new GetCommand({ TableName: tableName, Key: { pk: `OWNER#${owner}`, sk: "LIMITS" }, ConsistentRead: true }),
                )
            ).Item!;

        it("every not-live verdict is counted exactly once and published at least once, reads racing", async () => {
            await receivedEvents();
            const owners = ["alice", "bob", "carol"];
            const sessions: [owner: string, sessionId: string][] = [];
            for (const owner of owners) {
                for (let i = 0; i < 4; i++) {
                    const created = await untilAnswered(event("POST /sessions", { owner }));
                    assert.equal(created.statusCode, 201);
                    const { sessionId } = bodyOf(created);
                    emulator.setOutcome(sessionId, { status: "FAILED" });
                    sessions.push([owner, sessionId]);
                }
            }
            const reads = await Promise.all(
                sessions.map(([owner, sessionId]) => untilAnswered(event("GET /sessions/{sessionId}", { owner, sessionId }))),
            );
            assert.deepEqual(
                reads.map((a) => [a.statusCode, bodyOf(a).live]),
                sessions.map(() => [200, false]),
            );
            // The faults did happen, both ways, on the writes that count.
            assert.ok(
                proxy.count("TransactWriteItems", "before") > 0 && proxy.count("TransactWriteItems", "after") > 0,
                JSON.stringify(proxy.seen),
            );
            for (const owner of owners) {
                const limits = await limitsOf(owner);
                assert.equal(limits.failures.length, 4, `${owner}: four failures counted, once each`);
            }
            const published = await receivedEvents();
            assert.deepEqual(
                [...new Set(published.map((e) => e.detail.sessionId))].sort(),
                sessions.map(([, sessionId]) => sessionId).sort(),
                "every verdict's event, at least once",
            );
        });

        it("an event EventBridge fails (200 with FailedEntryCount) is retried, and published by the next read if still failing", async () => {
            await receivedEvents();
            proxy.schedule = () => "pass";
            const created = await handler(event("POST /sessions"), context());
            const { sessionId } = bodyOf(created);
            emulator.setOutcome(sessionId, { status: "FAILED" });
            proxy.schedule = (operation) => (operation === "PutEvents" ? "failed-entries" : "pass");
            const first = await handler(event("GET /sessions/{sessionId}", { sessionId }), context());
            assert.deepEqual([first.statusCode, first.headers["retry-after"]], [503, "1"]);
            assert.equal(proxy.count("PutEvents", "failed-entries"), 3, "three tries within the request");
            assert.deepEqual(await receivedEvents(), []);
            proxy.schedule = () => "pass";
            const second = await handler(event("GET /sessions/{sessionId}", { sessionId }), context());
            assert.deepEqual(bodyOf(second), { sessionId, status: "FAILED", live: false });
            assert.deepEqual(
                (await receivedEvents()).map((e) => e.detail.sessionId),
                [sessionId],
            );
            assert.equal((await limitsOf("alice")).failures.length, 1, "counted once over both reads");
            const third = await handler(event("GET /sessions/{sessionId}", { sessionId }), context());
            assert.deepEqual(bodyOf(third), { sessionId, status: "FAILED", live: false });
            assert.deepEqual(await receivedEvents(), [], "published once the retry succeeded, not again");
        });
    });

    describe("one caller cannot starve the others: reads are bounded against the account's quota", () => {
        let quotaEmulator: RekognitionEmulator;
        let restoreQuotaEnv: () => void;
        before(async () => {
            // A second emulator with a quota of 10 requests a second, as the handler's only Rekognition endpoint.
            ({ emulator: quotaEmulator, restoreEnv: restoreQuotaEnv } = await startEmulator({ tps: 10 }));
            process.env.AWS_REGION = REGION;
        });
        after(async () => {
            restoreQuotaEnv?.();
            await quotaEmulator?.stop();
        });

        it("one owner polling its unfinished session 250 times in bursts of 50 reads the service once per 2 s; another owner still creates", async () => {
            const handler = load(configFor(await newTable()));
            const { sessionId } = bodyOf(await handler(event("POST /sessions"), context()));
            quotaEmulator.setOutcome(sessionId, { status: "IN_PROGRESS" });
            const gets = () => quotaEmulator.calls("GetFaceLivenessSessionResults").length;
            const before = gets();
            const started = realNow();
            let slowest = 0;
            const poll = async () => {
                const sent = realNow();
                const answer = await handler(event("GET /sessions/{sessionId}", { sessionId }), context());
                slowest = Math.max(slowest, realNow() - sent);
                return answer;
            };
            for (let burst = 0; burst < 5; burst++) {
                const answers = await Promise.all(Array.from({ length: 50 }, poll));
                for (const answer of answers) assert.equal(bodyOf(answer).live, null);
                const other = await handler(event("POST /sessions", { owner: `other-${burst}` }), context());
                assert.equal(other.statusCode, 201, "another owner's create is not starved");
            }
            const elapsed = realNow() - started;
            assert.ok(gets() - before <= Math.floor(elapsed / 2000) + 1, `${gets() - before} service reads in ${elapsed} ms`);
            // Not the ~23 s a read once spent retrying throttling; moto answering one request at a time sets the pace here.
            assert.ok(slowest < 10_000, `the slowest read took ${slowest} ms`);
        });

        it("a read the service throttles waits at most about a second, then answers 503 with Retry-After", async () => {
            const handler = load(configFor(await newTable()));
            const { sessionId } = bodyOf(await handler(event("POST /sessions"), context()));
            quotaEmulator.failNext("GetFaceLivenessSessionResults", "ThrottlingException", 1000, "Rate exceeded");
            try {
                const sent = realNow();
                const answer = await handler(event("GET /sessions/{sessionId}", { sessionId }), context());
                const took = realNow() - sent;
                assert.deepEqual([answer.statusCode, answer.headers["retry-after"]], [503, "1"]);
                assert.ok(took < 5000, `answered after ${took} ms, not the request's whole time`);
            } finally {
                quotaEmulator.clearInjected();
            }
        });
    });

    describe("everything else", () => {
        it("answers 405 for another method on its paths and 404 elsewhere", async () => {
            const handler = load(configFor(await newTable()));
            const cases: [object, number, string][] = [
                [event("DELETE /sessions", { rawPath: "/sessions" }), 405, "method not allowed"],
                [
                    event("PUT /sessions/{sessionId}", { rawPath: "/sessions/0c7e1d54-1111-4222-8333-944455556666" }),
                    405,
                    "method not allowed",
                ],
                [event("$default", { rawPath: "/admin" }), 404, "no such route"],
            ];
            for (const [request, status, error] of cases) {
                const answer = await handler(request, context());
                assert.deepEqual([answer.statusCode, bodyOf(answer)], [status, { error }]);
            }
        });

        it("fails at load, naming every missing or bad variable, when misconfigured", () => {
            const saved = { threshold: process.env.LIVENESS_CONFIDENCE_THRESHOLD, table: process.env.LIVENESS_TABLE_NAME };
            process.env.LIVENESS_CONFIDENCE_THRESHOLD = "10";
            delete process.env.LIVENESS_TABLE_NAME;
            delete require.cache[builtHandler];
            try {
                assert.throws(
                    () => require(builtHandler),
                    (error: Error) =>
                        error.message ===
                        'the liveness session API is misconfigured: LIVENESS_TABLE_NAME is not set; LIVENESS_CONFIDENCE_THRESHOLD must be a number from 50 to 100, got "10"',
                );
            } finally {
                process.env.LIVENESS_CONFIDENCE_THRESHOLD = saved.threshold;
                process.env.LIVENESS_TABLE_NAME = saved.table;
            }
        });

        it("no answer and no log line holds a confidence, image bytes, an image's S3 key, a token or the caller's JWT", async () => {
            // Runs last: it searches what every test above answered and logged.
            assert.ok(answers.length > 40 && logLines.length > 20, `searched ${answers.length} answers and ${logLines.length} log lines`);
            const tokens = emulator.calls("CreateFaceLivenessSession").map((c) => c.body.ClientRequestToken as string);
            const forbidden = [
                "96.25",
                "89.9",
                // The key, in a log line and in an answer's body (escaped): the caller's own "confidenceThreshold" is echoed.
                '"confidence"',
                '\\"confidence\\"',
                Buffer.from("reference-image-bytes").toString("base64"),
                "reference.jpg",
                "audit-0",
                JWT,
                emulator.secretAccessKey,
                ...tokens,
            ];
            const everything = [...answers.map((a) => JSON.stringify(a)), ...logLines].join("\n");
            for (const value of forbidden) assert.equal(everything.includes(value), false, `${value} was answered or logged`);
            // The logs are Powertools' JSON lines, one per event, with the request id.
            const first = JSON.parse(logLines.find((line) => line.includes("session created"))!);
            assert.deepEqual(
                [first.level, first.message, first.service, typeof first.sessionId],
                ["INFO", "session created", "liveness-session-api", "string"],
            );
        });
    });
});
