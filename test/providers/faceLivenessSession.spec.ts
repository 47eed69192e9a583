/**
 * Direct calls of every provider method, with the real AWS SDK client talking to the loopback emulator. What this
 * does not prove (the provider after serialization, the host's protobuf encoding) is proven by
 * serializedProvider.spec.ts and the host scenarios.
 */
import { strict as assert } from "node:assert";
import { unknownValue } from "../../providers/faceLivenessApi";
import { FaceLivenessSessionOutputs } from "../../providers/faceLivenessSession";
import { RekognitionEmulator, SESSION_LIFETIME_MS, startEmulator } from "../../emulator/rekognitionEmulator";
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
        it("fills in the stack's aws:region and makes no token (create makes it)", async () => {
            const { inputs, failures } = await provider.check({}, { settings });
            assert.deepEqual(failures, []);
            assert.deepEqual(inputs, { settings, region: "us-east-1" });
        });

        it("is deterministic: the same olds and news give the same result, as a saved update plan needs", async () => {
            const olds = { settings, region: "us-east-1" };
            for (const [o, n] of [
                [{}, { settings }],
                [olds, { settings: { ...settings, auditImagesLimit: 3 } }],
                [olds, { settings, renewExpired: true }],
            ]) {
                assert.deepEqual(await provider.check(o, n), await provider.check(o, n));
            }
        });

        it("fails when a given token is reused for a session that must be replaced, naming clientRequestToken", async () => {
            const olds = { settings, region: "us-east-1", clientRequestToken: "mine-1" };
            const { failures } = await provider.check(olds, { settings: { auditImagesLimit: 1 }, clientRequestToken: "mine-1" });
            assert.deepEqual(failures, [
                {
                    property: "",
                    reason:
                        'clientRequestToken "mine-1" already created a session, and settings changed, which needs a new session; ' +
                        "the service answers a reused token with the session it already created: give a new token, or omit it to " +
                        "have one made at each create",
                },
            ]);
            const renewalOnly = await provider.check(olds, { settings, renewExpired: true, clientRequestToken: "mine-1" });
            assert.deepEqual(renewalOnly.failures, [], "renewExpired is never sent: the same session stays");
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
                    property: "",
                    reason:
                        `region is not set, and the stack's aws:region is "eu-central-1", where Face Liveness is not offered; ` +
                        "set region (or aws:region) to one of us-east-1, us-west-2, eu-west-1, ap-south-1, ap-northeast-1, sa-east-1, ap-southeast-5, ap-southeast-7",
                },
            ]);
        });

        it("fails when the stack sets config that the CLI did not pass to configure (CLIs older than 3.139)", async () => {
            // configure received only aws:region; the program saw aws:region and aws:profile in the stack's config.
            const { failures } = await provider.check({}, { settings, __stackConfig: ["aws:region", "aws:profile"] });
            assert.deepEqual(failures, [
                {
                    property: "",
                    reason:
                        "the stack sets aws:profile, but this Pulumi CLI did not pass them to the provider (CLIs older than 3.139 do " +
                        "not), so the session would use the environment's region and credentials instead: upgrade the Pulumi CLI",
                },
            ]);
            assert.deepEqual((await provider.check({}, { settings, __stackConfig: ["aws:region"] })).failures, []);
        });

        it("fails on a bad setting with the property path, the value and what is allowed", async () => {
            const { failures } = await provider.check({}, { settings: { auditImagesLimit: 7 } });
            assert.deepEqual(failures, [{ property: "", reason: "settings.auditImagesLimit must be an integer from 0 to 4, got 7" }]);
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

        it("does not replace when only the source of the region changes (profile, AWS_REGION, aws:region, the input)", async () => {
            // Created with the region the SDK found in the profile: check could not know it, create recorded it.
            await configureStack({});
            const fromProfile = await provider.check({}, { settings });
            assert.equal(fromProfile.inputs.region, undefined);
            const { outs } = await provider.create({ ...fromProfile.inputs, region: "us-east-1" });
            for (const stack of [{ "aws:region": "us-east-1" }, {}] as Record<string, string>[]) {
                await configureStack(stack);
                process.env.AWS_REGION = "us-east-1";
                for (const news of [{ settings }, { settings, region: "us-east-1" }]) {
                    const checked = await provider.check(fromProfile.inputs, news);
                    assert.deepEqual(checked.failures, []);
                    assert.deepEqual(await provider.diff(outs.sessionId, outs, checked.inputs), {
                        changes: false,
                        replaces: [],
                        deleteBeforeReplace: false,
                    });
                }
            }
            await configureStack({ "aws:region": "us-west-2" });
            const moved = await provider.check(fromProfile.inputs, { settings });
            assert.deepEqual((await provider.diff(outs.sessionId, outs, moved.inputs)).replaces, ["region"], "a new value replaces");
        });

        it("keeps the session when the program gives no token: the stored one was made at create", async () => {
            const { inputs, outs } = await created();
            assert.equal(inputs.clientRequestToken, undefined);
            assert.match(outs.clientRequestToken, UUID_PATTERN);
            assert.equal((await provider.diff(outs.sessionId, outs, inputs)).changes, false);
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
                ClientRequestToken: request.body.ClientRequestToken,
            });
            assert.match(request.body.ClientRequestToken, UUID_PATTERN, "a token made by create");
            assert.match(id, UUID_PATTERN);
            assert.ok(emulator.sessions.has(id));
            assert.deepEqual(outs, { ...inputs, clientRequestToken: request.body.ClientRequestToken, sessionId: id, status: "CREATED" });
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

        it("makes a new token for each create, so a replacement is a new session; a given token returns its session", async () => {
            const { inputs } = await provider.check({}, { settings });
            const first = await provider.create(inputs);
            const replacement = await provider.create(inputs);
            assert.notEqual(replacement.id, first.id);
            assert.notEqual(replacement.outs.clientRequestToken, first.outs.clientRequestToken);
            const given = await provider.create({ ...inputs, clientRequestToken: "mine-1" });
            const again = await provider.create({ ...inputs, clientRequestToken: "mine-1" });
            assert.equal(again.id, given.id);
            assert.equal(emulator.sessions.size, 3);
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

    describe("values the program marked secret", () => {
        // The resource class lists the secret inputs' paths in __secretInputs; the host hands their values over plain.
        it("check shows [secret] in place of a secret value, and still names the property and what is allowed", async () => {
            const { failures } = await provider.check(
                {},
                { kmsKeyId: "bad key!", clientRequestToken: "has space", settings, __secretInputs: ["kmsKeyId", "clientRequestToken"] },
            );
            assert.deepEqual(failures, [
                {
                    property: "",
                    reason: "kmsKeyId must be a KMS key id, key ARN, alias name or alias ARN, matching ^[A-Za-z0-9][A-Za-z0-9:_/+=,@.-]{0,2048}$, got [secret]",
                },
                {
                    property: "",
                    reason: "clientRequestToken must be letters, digits, '-' and '_', matching ^[a-zA-Z0-9-_]+$, got [secret]",
                },
            ]);
        });

        it("a secret whole settings object hides every value under it; values not marked secret are still shown", async () => {
            const { failures } = await provider.check(
                {},
                { kmsKeyId: "bad key!", settings: { auditImagesLimit: 7 }, __secretInputs: ["settings"] },
            );
            assert.deepEqual(
                failures!.map((f) => f.reason.replace(/.*, got /, "")),
                ['"bad key!"', "[secret]"],
            );
        });

        it("a reused secret token is not shown", async () => {
            const olds = { settings, region: "us-east-1", clientRequestToken: "mine-1" };
            const { failures } = await provider.check(olds, {
                settings: { auditImagesLimit: 1 },
                clientRequestToken: "mine-1",
                __secretInputs: ["clientRequestToken"],
            });
            assert.match(failures![0].reason, /^clientRequestToken \[secret\] already created a session/);
        });

        it("AWS errors name the IAM actions on [secret] resources, and the service's own message loses the values", async () => {
            const secretKey = "arn:aws:kms:us-east-1:123456789012:key/secret-key-id";
            emulator.failNext("CreateFaceLivenessSession", "AccessDeniedException", 1, `not authorized to use ${secretKey}`);
            const denied = await rejectionOf(up({ kmsKeyId: secretKey, settings, __secretInputs: ["kmsKeyId", "settings.outputConfig"] }));
            assert.equal(
                denied.message,
                "CreateFaceLivenessSession in us-east-1 was denied (AccessDeniedException: not authorized to use [secret]). The caller " +
                    "needs rekognition:CreateFaceLivenessSession; s3:PutObject on arn:aws:s3:::[secret]/[secret]*; kms:DescribeKey, " +
                    "kms:GenerateDataKey and kms:Decrypt on [secret]. Face Liveness is offered only in us-east-1, us-west-2, eu-west-1, " +
                    "ap-south-1, ap-northeast-1, sa-east-1, ap-southeast-5, ap-southeast-7; elsewhere the service denies every call.",
            );
            const invalid = await rejectionOf(
                provider.create({
                    region: "us-east-1",
                    clientRequestToken: "tok-secret-1",
                    kmsKeyId: "bad key",
                    __secretInputs: ["clientRequestToken", "kmsKeyId"],
                } as never),
            );
            assert.doesNotMatch(invalid.message, /tok-secret-1|bad key/);
            assert.match(
                invalid.message,
                /^CreateFaceLivenessSession in us-east-1 rejected kmsKeyId = \[secret\] \(InvalidParameterException: /,
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
