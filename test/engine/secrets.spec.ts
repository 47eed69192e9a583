/**
 * Values the program marks secret (here, secret stack config) under the real engine: the dynamic-provider host hands
 * them to the provider in clear, and the engine prints provider failures as written, so the provider must never quote
 * them. Every line any command printed or logged, and every state file on disk, is searched for them.
 */
import { strict as assert } from "node:assert";
import { RekognitionEmulator } from "../../emulator/rekognitionEmulator";
import { TestStack, diagnostics } from "./support/pulumiCli";
import { EngineSuite } from "./support/layer";

/** The wire's mark of a secret value in state and in `stack export`. */
const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";

describe("the real Pulumi engine: a secret kmsKeyId and clientRequestToken", function () {
    this.timeout(120_000);
    let suite: EngineSuite;
    let emulator: RekognitionEmulator;
    let stack: TestStack;
    const secrets = { key: "alias/kyc-secret-key-4711", token: "token-secret-4711", badKey: "kms key 4711", badToken: "bad token 4711" };

    before(async function () {
        suite = await EngineSuite.start(this);
        emulator = suite.emulator;
        stack = await suite.stack("sessions", {}, { "aws:region": "us-east-1" });
    });
    after(async () => {
        if (stack) {
            const shown = stack.everythingShown();
            for (const value of Object.values(secrets)) assert.equal(shown.includes(value), false, `${value} was shown or stored in clear`);
        }
        await suite?.close();
    });

    it("invalid: preview fails naming each property and what is allowed, with [secret] in place of the values", async () => {
        await stack.setConfig("secretKmsKeyId", secrets.badKey, { secret: true });
        await stack.setConfig("secretToken", secrets.badToken, { secret: true });
        const preview = await stack.run(["preview"]);
        assert.notEqual(preview.code, 0);
        const failures = diagnostics(preview).join("\n");
        assert.match(failures, /kmsKeyId must be a KMS key id, key ARN, alias name or alias ARN, matching .*, got \[secret\]/);
        assert.match(failures, /clientRequestToken must be letters, digits, '-' and '_', matching .*, got \[secret\]/);
        assert.equal(emulator.requests.length, 0);
    });

    it("valid, but the service refuses the key: the AWS error names what is needed, with [secret] in place of the key", async () => {
        await stack.setConfig("secretKmsKeyId", secrets.key, { secret: true });
        await stack.setConfig("secretToken", secrets.token, { secret: true });
        emulator.failNext("CreateFaceLivenessSession", "AccessDeniedException", 1, `User is not authorized to use ${secrets.key}`);
        const up = await stack.run(["up", "--yes", "--skip-preview"]);
        assert.notEqual(up.code, 0);
        assert.match(
            diagnostics(up).join("\n"),
            /CreateFaceLivenessSession in us-east-1 was denied \(AccessDeniedException: User is not authorized to use \[secret\]\)\. The caller needs rekognition:CreateFaceLivenessSession; kms:DescribeKey, kms:GenerateDataKey and kms:Decrypt on \[secret\]\./,
        );
    });

    it("valid: up, refresh and destroy succeed; the values reach the service, and state keeps them as secrets", async () => {
        await stack.ok(["up", "--yes", "--skip-preview"]);
        await stack.ok(["refresh", "--yes"]);
        const session = (await stack.sessions()).secret;
        assert.deepEqual(
            [emulator.sessions.get(session.id!)!.request.KmsKeyId, emulator.sessions.get(session.id!)!.request.ClientRequestToken],
            [secrets.key, secrets.token],
        );
        for (const name of ["kmsKeyId", "clientRequestToken"]) {
            assert.ok(SECRET_SIGNATURE in session.inputs![name], `input ${name} is secret in state`);
            assert.ok(SECRET_SIGNATURE in session.outputs![name], `output ${name} is secret in state`);
        }
        await stack.ok(["destroy", "--yes"]);
    });
});
