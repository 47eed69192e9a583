/**
 * Direct calls of every provider method, with the real AWS SDK client talking to the loopback emulator. What this
 * does not prove (the provider after serialization, the host's protobuf encoding) is proven by
 * serializedProvider.spec.ts and the host scenarios.
 */
import { strict as assert } from "node:assert";
import { unknownValue } from "../../providers/faceLivenessApi";
import { FaceLivenessSessionOutputs } from "../../providers/faceLivenessSession";
import { RekognitionEmulator, SESSION_LIFETIME_MS, startEmulator } from "../support/rekognitionEmulator";
import { UUID_PATTERN, configureStack, provider, rejectionOf } from "../support/provider";

const settings = { outputConfig: { s3Bucket: "kyc-images", s3KeyPrefix: "onboarding/" }, auditImagesLimit: 2 };

describe("faceLivenessSessionProvider, called directly against the emulator", () => {
    let emulator: RekognitionEmulator;
    let restoreEnv: () => void;

    beforeEach(async () => {
        ({ emulator, restoreEnv } = await startEmulator());
        await configureStack({ "aws:region": "us-east-1" });
    });
    afterEach(async () => {
        await emulator.stop();
        restoreEnv();
        await configureStack({});
    });

    /** check then create, as `pulumi up` does for a new session. */
    async function up(news: Record<string, unknown>) {
        const { inputs, failures } = await provider.check({}, news);
        assert.deepEqual(failures, []);
        return provider.create(inputs);
    }

    describe("check", () => {
        it("fills in a token when none is given, and the stack's aws:region", async () => {
            const { inputs, failures } = await provider.check({}, { settings });
            assert.deepEqual(failures, []);
            assert.match(inputs.clientRequestToken, UUID_PATTERN);
            assert.deepEqual(inputs, { settings, region: "us-east-1", clientRequestToken: inputs.clientRequestToken });
        });

        it("keeps the stored token while the session stays the same, so a second up shows no change", async () => {
            const first = await provider.check({}, { settings });
            const second = await provider.check(first.inputs, { settings });
            assert.equal(second.inputs.clientRequestToken, first.inputs.clientRequestToken);
            const onlyRenewal = await provider.check(first.inputs, { settings, renewExpired: true });
            assert.equal(onlyRenewal.inputs.clientRequestToken, first.inputs.clientRequestToken);
        });

        it("gives a new token when a setting changes, so the replacement is a new session", async () => {
            const first = await provider.check({}, { settings });
            const changed = await provider.check(first.inputs, { settings: { ...settings, auditImagesLimit: 3 } });
            assert.match(changed.inputs.clientRequestToken, UUID_PATTERN);
            assert.notEqual(changed.inputs.clientRequestToken, first.inputs.clientRequestToken);
        });

        it("fails when a given token is reused for other settings, naming clientRequestToken", async () => {
            const olds = { settings, region: "us-east-1", clientRequestToken: "mine-1" };
            const { failures } = await provider.check(olds, { settings: { auditImagesLimit: 1 }, clientRequestToken: "mine-1" });
            assert.deepEqual(failures, [
                {
                    property: "clientRequestToken",
                    reason:
                        'clientRequestToken "mine-1" already created a session with other settings, and the service answers a reused ' +
                        "token with that session; give a new token, or omit it to have one generated",
                },
            ]);
        });

        it("takes the region from the input first, then aws:region, then AWS_REGION", async () => {
            assert.equal((await provider.check({}, { region: "eu-west-1" })).inputs.region, "eu-west-1");
            await configureStack({});
            process.env.AWS_REGION = "ap-south-1";
            assert.equal((await provider.check({}, {})).inputs.region, "ap-south-1");
            delete process.env.AWS_REGION;
            assert.equal("region" in (await provider.check({}, {})).inputs, false, "left to the SDK's profile chain");
        });

        it("fails when the stack's region does not offer Face Liveness, naming the supported regions", async () => {
            await configureStack({ "aws:region": "eu-central-1" });
            const { failures } = await provider.check({}, { settings });
            assert.deepEqual(failures, [
                {
                    property: "region",
                    reason:
                        `region is not set, and the stack's aws:region is "eu-central-1", where Face Liveness is not offered; ` +
                        "set region (or aws:region) to one of us-east-1, us-west-2, eu-west-1, ap-south-1, ap-northeast-1, sa-east-1, ap-southeast-5, ap-southeast-7",
                },
            ]);
        });

        it("fails on a bad setting with the property path, the value and what is allowed", async () => {
            const { failures } = await provider.check({}, { settings: { auditImagesLimit: 7 } });
            assert.deepEqual(failures, [
                { property: "settings.auditImagesLimit", reason: "settings.auditImagesLimit must be an integer from 0 to 4, got 7" },
            ]);
        });

        it("passes values unknown at preview, and makes no network call", async () => {
            const news = {
                kmsKeyId: unknownValue,
                settings: { outputConfig: { s3Bucket: unknownValue, s3KeyPrefix: "x/" } },
                region: unknownValue,
            };
            const { inputs, failures } = await provider.check({}, news);
            assert.deepEqual(failures, []);
            assert.equal(inputs.kmsKeyId, unknownValue);
            assert.equal(inputs.region, unknownValue);
            assert.equal(emulator.requests.length, 0);
        });
    });

    describe("diff", () => {
        async function created() {
            const { inputs } = await provider.check({}, { kmsKeyId: "alias/kyc", settings });
            const { outs } = await provider.create(inputs);
            return { inputs, outs: outs as FaceLivenessSessionOutputs };
        }

        it("reports no change when the checked inputs equal the stored outputs", async () => {
            const { inputs, outs } = await created();
            assert.deepEqual(await provider.diff(outs.sessionId, outs, inputs), {
                changes: false,
                replaces: [],
                deleteBeforeReplace: false,
            });
        });

        it("replaces the session for any change to what was sent, naming the property", async () => {
            const { inputs, outs } = await created();
            const replacing = async (news: Record<string, unknown>) =>
                (await provider.diff(outs.sessionId, outs, { ...inputs, ...news })).replaces;
            assert.deepEqual(await replacing({ kmsKeyId: "alias/other" }), ["kmsKeyId"]);
            assert.deepEqual(
                await replacing({ settings: { ...settings, outputConfig: { s3Bucket: "kyc-images", s3KeyPrefix: "other/" } } }),
                ["settings"],
            );
            assert.deepEqual(await replacing({ region: "us-west-2" }), ["region"]);
            assert.deepEqual(await replacing({ clientRequestToken: "another" }), ["clientRequestToken"]);
            assert.deepEqual(await replacing({ kmsKeyId: undefined }), ["kmsKeyId"]);
        });

        it("updates in place when only renewExpired changes", async () => {
            const { inputs, outs } = await created();
            assert.deepEqual(await provider.diff(outs.sessionId, outs, { ...inputs, renewExpired: true }), {
                changes: true,
                replaces: [],
                deleteBeforeReplace: false,
            });
        });

        it("counts unknown values as changed", async () => {
            const { inputs, outs } = await created();
            const result = await provider.diff(outs.sessionId, outs, {
                ...inputs,
                settings: { ...settings, outputConfig: { s3Bucket: unknownValue } },
            });
            assert.deepEqual(result, { changes: true, replaces: ["settings"], deleteBeforeReplace: false });
        });

        it("does not replace for a region it cannot resolve before create", async () => {
            const { inputs, outs } = await created();
            const { region: _resolvedLater, ...withoutRegion } = inputs;
            assert.deepEqual((await provider.diff(outs.sessionId, outs, withoutRegion)).changes, false);
        });
    });

    describe("create", () => {
        it("sends the exact request, signed for the session's region, and returns the SessionId as id", async () => {
            const { inputs } = await provider.check(
                {},
                {
                    kmsKeyId: "alias/kyc",
                    settings: { ...settings, challengePreferences: [{ type: "FaceMovementChallenge", versions: { minimum: "1.0.0" } }] },
                    region: "us-west-2",
                },
            );
            const { id, outs } = await provider.create(inputs);

            assert.equal(emulator.requests.length, 1);
            const [request] = emulator.requests;
            assert.equal(request.operation, "CreateFaceLivenessSession");
            assert.equal(request.region, "us-west-2");
            assert.equal(request.headers["x-amz-target"], "RekognitionService.CreateFaceLivenessSession");
            assert.deepEqual(request.body, {
                KmsKeyId: "alias/kyc",
                Settings: {
                    OutputConfig: { S3Bucket: "kyc-images", S3KeyPrefix: "onboarding/" },
                    AuditImagesLimit: 2,
                    ChallengePreferences: [{ Type: "FaceMovementChallenge", Versions: { Minimum: "1.0.0" } }],
                },
                ClientRequestToken: inputs.clientRequestToken,
            });
            assert.match(id, UUID_PATTERN);
            assert.ok(emulator.sessions.has(id));
            assert.deepEqual(outs, { ...inputs, sessionId: id, status: "CREATED" });
        });

        it("creates in the stack's aws:region when no region input reaches it, and records that region", async () => {
            await configureStack({ "aws:region": "ap-northeast-1" });
            const { outs } = await provider.create({ clientRequestToken: "t-1" });
            assert.equal(emulator.requests[0].region, "ap-northeast-1");
            assert.equal(outs.region, "ap-northeast-1");
        });

        it("fails without a region anywhere, saying where to set one", async () => {
            await configureStack({});
            const error = await rejectionOf(provider.create({ clientRequestToken: "t-1" }));
            assert.equal(
                error.message,
                "CreateFaceLivenessSession: no region is set (Error: Region is missing). Set region on the session, aws:region in the stack, or AWS_REGION.",
            );
            assert.equal(emulator.requests.length, 0);
        });

        it("uses credentials from stack config (aws:accessKey, aws:secretKey) over the environment", async () => {
            process.env.AWS_ACCESS_KEY_ID = "AKIDWRONG";
            await configureStack({
                "aws:region": "us-east-1",
                "aws:accessKey": emulator.accessKeyId,
                "aws:secretKey": emulator.secretAccessKey,
            });
            const { id } = await provider.create({ clientRequestToken: "t-1" });
            assert.ok(emulator.sessions.has(id));

            await configureStack({ "aws:region": "us-east-1", "aws:accessKey": emulator.accessKeyId, "aws:secretKey": "not-the-secret" });
            const error = await rejectionOf(provider.create({ clientRequestToken: "t-2" }));
            assert.match(
                error.message,
                /^CreateFaceLivenessSession in us-east-1 failed \(InvalidSignatureException: the request signature does not match\)\.$/,
            );
        });

        it("returns the same session when the same checked inputs are created twice (an interrupted up)", async () => {
            const { inputs } = await provider.check({}, { settings });
            const first = await provider.create(inputs);
            const second = await provider.create(inputs);
            assert.equal(second.id, first.id);
            assert.equal(emulator.sessions.size, 1);
            assert.equal(emulator.calls("CreateFaceLivenessSession").length, 2);
        });

        it("retries throttling with the same token and creates one session", async () => {
            emulator.failNext("CreateFaceLivenessSession", "ProvisionedThroughputExceededException", 1);
            emulator.failNext("CreateFaceLivenessSession", "ThrottlingException", 1, "Rate exceeded", 500);
            const { id } = await up({ settings });
            const calls = emulator.calls("CreateFaceLivenessSession");
            assert.equal(calls.length, 3);
            assert.equal(new Set(calls.map((c) => c.body.ClientRequestToken)).size, 1);
            assert.deepEqual([...emulator.sessions.keys()], [id]);
        });

        it("fails on AccessDenied without retrying, naming the IAM actions needed", async () => {
            emulator.failNext("CreateFaceLivenessSession", "AccessDeniedException", 1, "User is not authorized");
            const error = await rejectionOf(up({ kmsKeyId: "alias/kyc", settings }));
            assert.equal(
                error.message,
                "CreateFaceLivenessSession in us-east-1 was denied (AccessDeniedException: User is not authorized). The caller needs " +
                    "rekognition:CreateFaceLivenessSession; s3:PutObject on arn:aws:s3:::kyc-images/onboarding/*; " +
                    "kms:DescribeKey, kms:GenerateDataKey and kms:Decrypt on alias/kyc. Face Liveness is offered only in us-east-1, " +
                    "us-west-2, eu-west-1, ap-south-1, ap-northeast-1, sa-east-1, ap-southeast-5, ap-southeast-7; elsewhere the service denies every call.",
            );
            assert.equal(emulator.calls("CreateFaceLivenessSession").length, 1);
        });

        it("fails on InvalidParameter naming the input the service rejected, without retrying", async () => {
            // Past check (which would have caught it), to see what the service's own answer becomes.
            const error = await rejectionOf(
                provider.create({ region: "us-east-1", clientRequestToken: "t-1", settings: { auditImagesLimit: 9 } }),
            );
            assert.equal(
                error.message,
                "CreateFaceLivenessSession in us-east-1 rejected settings.auditImagesLimit = 9 (InvalidParameterException: 1 validation error " +
                    "detected: Value '9' at 'settings.auditImagesLimit' failed to satisfy constraint: Member must have value between 0 and 4). " +
                    "Correct that input; FaceLivenessSessionArgs documents each rule.",
            );
            assert.equal(emulator.calls("CreateFaceLivenessSession").length, 1);
        });
    });

    describe("at the service quota", () => {
        it("creates a burst of sessions concurrently with none lost and none created twice", async () => {
            emulator.options.tps = 25;
            const news = Array.from({ length: 60 }, (_, i) => ({
                settings: { outputConfig: { s3Bucket: "kyc-images", s3KeyPrefix: `burst/${i}/` } },
            }));
            const created = await Promise.all(news.map((n) => up(n)));
            assert.equal(new Set(created.map((c) => c.id)).size, 60);
            assert.equal(emulator.sessions.size, 60);
            assert.deepEqual(
                created.map((c) => emulator.sessions.get(c.id)!.request.Settings.OutputConfig.S3KeyPrefix),
                news.map((n) => n.settings.outputConfig.s3KeyPrefix),
            );
        });

        it("fails after 10 throttled attempts, saying the quota is shared and how to raise it", async () => {
            // A high configured rate keeps the limiter's pauses short for this test.
            await configureStack({ "aws:region": "us-east-1", "liveness:requestsPerSecond": "1000" });
            emulator.failNext("CreateFaceLivenessSession", "ProvisionedThroughputExceededException", 10, "Provisioned rate exceeded");
            const error = await rejectionOf(up({ settings }));
            assert.equal(
                error.message,
                "CreateFaceLivenessSession in us-east-1 was still throttled after 10 attempts (ProvisionedThroughputExceededException: " +
                    "Provisioned rate exceeded). Other clients share this account's Face Liveness quota: create fewer sessions per " +
                    "deployment, or ask for a higher quota and set liveness:requestsPerSecond.",
            );
            assert.equal(emulator.calls("CreateFaceLivenessSession").length, 10);
        });

        it("retries a transient server error", async () => {
            emulator.failNext("GetFaceLivenessSessionResults", "InternalServerError", 1, "internal", 500);
            const { id, outs } = await up({ settings });
            assert.equal((await provider.read(id, outs)).props!.status, "CREATED");
            assert.equal(emulator.calls("GetFaceLivenessSessionResults").length, 2);
        });

        it("fails to configure with a rate that is not a positive number, naming the key", async () => {
            const error = await rejectionOf(configureStack({ "liveness:requestsPerSecond": "fast" }));
            assert.equal(error.message, 'liveness:requestsPerSecond must be a number of requests per second above 0, got "fast"');
        });
    });

    describe("read", () => {
        it("reports the service's status and keeps every other output", async () => {
            const { id, outs } = await up({ settings });
            emulator.setStatus(id, "IN_PROGRESS");
            const read = await provider.read(id, outs);
            assert.deepEqual(read, { id, props: { ...outs, status: "IN_PROGRESS" } });
            const [get] = emulator.calls("GetFaceLivenessSessionResults");
            assert.deepEqual(get.body, { SessionId: id });
            assert.equal(get.region, "us-east-1");
        });

        it("keeps image bytes and confidence of a finished session out of the outputs", async () => {
            const { id, outs } = await up({ settings });
            emulator.setStatus(id, "SUCCEEDED");
            const read = await provider.read(id, outs);
            assert.deepEqual(read.props, { ...outs, status: "SUCCEEDED" });
        });

        it("reads in the region the session was created in, whatever the stack's region is now", async () => {
            const { id, outs } = await up({ region: "sa-east-1" });
            await configureStack({ "aws:region": "us-west-2" });
            await provider.read(id, outs);
            assert.equal(emulator.calls("GetFaceLivenessSessionResults")[0].region, "sa-east-1");
        });

        for (const expired of ["status", "not-found"] as const) {
            describe(`after expiry, when the service answers ${expired === "status" ? "Status EXPIRED" : "SessionNotFoundException"}`, () => {
                beforeEach(() => {
                    emulator.options.expired = expired;
                });

                it("keeps the session's id and reports EXPIRED", async () => {
                    const { id, outs } = await up({ settings });
                    emulator.advance(SESSION_LIFETIME_MS);
                    assert.deepEqual(await provider.read(id, outs), { id, props: { ...outs, status: "EXPIRED" } });
                });

                it("drops the session when renewExpired is set, so the next up creates a fresh one", async () => {
                    const { id, outs } = await up({ settings, renewExpired: true });
                    assert.deepEqual((await provider.read(id, outs)).id, id, "not before expiry");
                    emulator.advance(SESSION_LIFETIME_MS);
                    assert.deepEqual(await provider.read(id, outs), {});
                });
            });
        }

        it("fails on AccessDenied naming what reading needs: the action and the key, not the bucket", async () => {
            const { id, outs } = await up({ kmsKeyId: "alias/kyc", settings });
            emulator.failNext("GetFaceLivenessSessionResults", "AccessDeniedException", 1, "denied");
            const error = await rejectionOf(provider.read(id, outs));
            assert.equal(
                error.message,
                "GetFaceLivenessSessionResults in us-east-1 was denied (AccessDeniedException: denied). The caller needs " +
                    "rekognition:GetFaceLivenessSessionResults; kms:DescribeKey, kms:GenerateDataKey and kms:Decrypt on alias/kyc. " +
                    "Face Liveness is offered only in us-east-1, us-west-2, eu-west-1, ap-south-1, ap-northeast-1, sa-east-1, " +
                    "ap-southeast-5, ap-southeast-7; elsewhere the service denies every call.",
            );
        });
    });

    describe("update and delete", () => {
        it("update changes renewExpired alone and keeps every other output", async () => {
            const { id, outs } = await up({ settings });
            const updated = await provider.update(id, outs, { ...outs, renewExpired: true });
            assert.deepEqual(updated, { outs: { ...outs, renewExpired: true } });
            const cleared = await provider.update(id, { ...outs, renewExpired: true }, outs);
            assert.deepEqual(cleared, { outs });
            assert.equal(emulator.requests.length, 1, "only the create reached the service");
        });

        it("delete forgets the session without calling AWS", async () => {
            const { id, outs } = await up({ settings });
            await provider.delete(id, outs);
            assert.deepEqual(
                emulator.requests.map((r) => r.operation),
                ["CreateFaceLivenessSession"],
            );
            assert.ok(emulator.sessions.has(id), "the service's session is untouched");
        });
    });
});
