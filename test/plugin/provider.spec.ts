/**
 * The `liveness` provider plugin's methods, called directly with values as the engine sends them to a provider that
 * accepts secrets, the real AWS SDK client talking to the loopback emulator. The same core as the dynamic provider
 * answers: these tests check what the plugin adds (its config, secrets marked on the wire, the resource types) and
 * that the core's rules and messages reach its callers unchanged.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { unknownValue } from "../../providers/faceLivenessApi";
import { pluginSessionType } from "../../providers/faceLivenessSession";
import { packageRelease } from "../../plugin/release";
import { livenessProvider, unwrapSecrets, wrapSecrets } from "../../plugin/provider";
import { RekognitionEmulator, startEmulator } from "../../emulator/rekognitionEmulator";
import { UUID_PATTERN, configureStack, rejectionOf } from "../support/provider";

const urn = (name: string, type = pluginSessionType) => `urn:pulumi:test::liveness::${type}::${name}`;
const secret = (value: unknown) => ({ [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value });
const settings = { outputConfig: { s3Bucket: "kyc-images", s3KeyPrefix: "onboarding/" }, auditImagesLimit: 2 };

describe("the liveness provider plugin, called directly against the emulator", () => {
    let emulator: RekognitionEmulator;
    let restoreEnv: () => void;
    const plugin = livenessProvider(packageRelease());

    beforeEach(async () => {
        ({ emulator, restoreEnv } = await startEmulator());
        await plugin.configure({ region: "us-west-2" });
    });
    afterEach(async () => {
        await emulator.stop();
        restoreEnv();
        // Back to no config for the tests that follow in this process (the settings are process-wide).
        await configureStack({});
    });

    it("creates, reads and forgets a session in the region of its config (liveness:region)", async () => {
        const { inputs, failures } = await plugin.check!(urn("s"), {}, { settings });
        assert.deepEqual(failures, []);
        assert.deepEqual(inputs, { settings, region: "us-west-2" });
        const { id, outs } = await plugin.create!(urn("s"), inputs);
        assert.match(id, UUID_PATTERN);
        assert.deepEqual(outs, {
            settings,
            region: "us-west-2",
            clientRequestToken: outs.clientRequestToken,
            sessionId: id,
            status: "CREATED",
        });
        assert.match(outs.clientRequestToken, UUID_PATTERN);
        assert.deepEqual(
            emulator.calls("CreateFaceLivenessSession").map((c) => [c.region, c.body]),
            [
                [
                    "us-west-2",
                    {
                        Settings: { OutputConfig: { S3Bucket: "kyc-images", S3KeyPrefix: "onboarding/" }, AuditImagesLimit: 2 },
                        ClientRequestToken: outs.clientRequestToken,
                    },
                ],
            ],
        );
        assert.deepEqual(await plugin.read!(id, urn("s"), outs), { id, props: outs });
        assert.deepEqual(await plugin.diff!(id, urn("s"), outs, inputs), { changes: false, replaces: [], deleteBeforeReplace: false });
        await plugin.delete!(id, urn("s"), outs);
    });

    it("names liveness:region, not aws:region, when the configured region offers no Face Liveness", async () => {
        await plugin.configure({ region: "eu-north-1" });
        const { failures } = await plugin.check!(urn("s"), {}, {});
        assert.deepEqual(failures, [
            {
                property: "",
                reason:
                    'region is not set, and the stack\'s liveness:region is "eu-north-1", where Face Liveness is not offered; ' +
                    "set region (or liveness:region) to one of us-east-1, us-west-2, eu-west-1, ap-south-1, ap-northeast-1, sa-east-1, " +
                    "ap-southeast-5, ap-southeast-7",
            },
        ]);
    });

    it("rejects a requestsPerSecond that is not a positive number, naming liveness:requestsPerSecond", async () => {
        const error = await rejectionOf(plugin.configure({ requestsPerSecond: "fast" }));
        assert.equal(error.message, 'liveness:requestsPerSecond must be a number of requests per second above 0, got "fast"');
    });

    it("validates as the dynamic provider does: each failure names the property, the value and what is allowed", async () => {
        const { failures } = await plugin.check!(
            urn("s"),
            {},
            { settings: { auditImagesLimit: 5, challengePreferences: [{ type: "Blink" }] } },
        );
        assert.deepEqual(failures, [
            { property: "", reason: "settings.auditImagesLimit must be an integer from 0 to 4, got 5" },
            {
                property: "",
                reason:
                    "settings.challengePreferences[0].type must be a challenge type: one of FaceMovementAndLightChallenge, " +
                    'FaceMovementChallenge, got "Blink"',
            },
        ]);
    });

    it("keeps secrets secret: shown as [secret] in failures, marked secret again in its answers and outputs", async () => {
        const badKey = "not a key id!";
        const { failures } = await plugin.check!(urn("s"), {}, { kmsKeyId: secret(badKey) });
        assert.deepEqual(failures, [
            {
                property: "",
                reason:
                    "kmsKeyId must be a KMS key id, key ARN, alias name or alias ARN, matching ^[A-Za-z0-9][A-Za-z0-9:_/+=,@.-]{0,2048}$, " +
                    "got [secret]",
            },
        ]);

        const news = { kmsKeyId: secret("alias/kyc"), settings };
        const { inputs } = await plugin.check!(urn("s"), {}, news);
        assert.deepEqual(inputs, { kmsKeyId: secret("alias/kyc"), settings, region: "us-west-2" });
        const { id, outs } = await plugin.create!(urn("s"), inputs);
        assert.deepEqual(outs.kmsKeyId, secret("alias/kyc"));
        assert.equal(emulator.calls("CreateFaceLivenessSession")[0].body.KmsKeyId, "alias/kyc", "the service gets the value");
        const { props } = await plugin.read!(id, urn("s"), outs);
        assert.deepEqual(props.kmsKeyId, secret("alias/kyc"));

        emulator.failNext("CreateFaceLivenessSession", "AccessDeniedException", 1, "User is not authorized to use alias/kyc");
        const denied = await rejectionOf(plugin.create!(urn("t"), inputs));
        assert.equal(denied.message.includes("alias/kyc"), false, denied.message);
        assert.match(denied.message, /kms:DescribeKey, kms:GenerateDataKey and kms:Decrypt on \[secret\]/);
    });

    it("replaces a session whose inputs the service saw changed, and updates renewExpired in place", async () => {
        const { inputs } = await plugin.check!(urn("s"), {}, { settings });
        const { id, outs } = await plugin.create!(urn("s"), inputs);
        const changed = { ...inputs, settings: { ...settings, auditImagesLimit: 3 } };
        assert.deepEqual(await plugin.diff!(id, urn("s"), outs, changed), {
            changes: true,
            replaces: ["settings"],
            deleteBeforeReplace: false,
        });
        const renewing = { ...inputs, renewExpired: true };
        assert.deepEqual(await plugin.diff!(id, urn("s"), outs, renewing), { changes: true, replaces: [], deleteBeforeReplace: false });
        assert.deepEqual(await plugin.update!(id, urn("s"), outs, renewing), { outs: { ...outs, renewExpired: true } });
    });

    it("treats a value unknown at preview as the dynamic provider does: not checked, never equal", async () => {
        const { failures } = await plugin.check!(urn("s"), {}, { kmsKeyId: unknownValue, settings });
        assert.deepEqual(failures, []);
        const olds = { settings, region: "us-west-2", clientRequestToken: "t", sessionId: "id", status: "CREATED" };
        const diff = await plugin.diff!("id", urn("s"), olds, {
            settings: { ...settings, auditImagesLimit: unknownValue },
            region: "us-west-2",
        });
        assert.deepEqual(diff.replaces, ["settings"]);
    });

    it("refuses a resource type it does not have, naming it", async () => {
        const error = await rejectionOf(plugin.check!(urn("s", "liveness:index:Other"), {}, {}));
        assert.equal(
            error.message,
            "the liveness provider has no resource type liveness:index:Other (urn:pulumi:test::liveness::liveness:index:Other::s)",
        );
    });
});

describe("secret values on the plugin's wire", () => {
    it("unwraps every secret, however deep, listing its path as the core names paths", () => {
        const wire = { a: secret("x"), b: { c: [1, secret({ d: 2 })] }, e: "plain" };
        assert.deepEqual(unwrapSecrets(wire), { plain: { a: "x", b: { c: [1, { d: 2 }] }, e: "plain" }, secretPaths: ["a", "b.c[1]"] });
    });

    it("marks the values at those paths secret again", () => {
        assert.deepEqual(wrapSecrets({ a: "x", b: { c: [1, { d: 2 }] }, e: "plain" }, ["a", "b.c[1]"]), {
            a: secret("x"),
            b: { c: [1, secret({ d: 2 })] },
            e: "plain",
        });
    });
});
