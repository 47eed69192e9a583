/**
 * The stack's namespaced config reaches the provider's `configure` under the real engine (CLI 3.139 and newer):
 * aws:region, aws:profile and liveness:requestsPerSecond change what is sent, where, and how fast.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RekognitionEmulator } from "../../emulator/rekognitionEmulator";
import { TestStack } from "./support/pulumiCli";
import { EngineSuite } from "./support/layer";

describe("the real Pulumi engine: the stack's config reaches the provider", function () {
    this.timeout(120_000);
    let suite: EngineSuite;
    let emulator: RekognitionEmulator;
    let stack: TestStack;
    let credentialsDir: string;

    before(async function () {
        suite = await EngineSuite.start(this);
        emulator = suite.emulator;
        // A credentials file of this test's own, with the emulator's keys under one profile.
        credentialsDir = fs.mkdtempSync(path.join(os.tmpdir(), "liveness-credentials-"));
        const credentials = path.join(credentialsDir, "credentials");
        fs.writeFileSync(
            credentials,
            `[liveness-test]\naws_access_key_id = ${emulator.accessKeyId}\naws_secret_access_key = ${emulator.secretAccessKey}\n`,
        );
        stack = await suite.stack("sessions", {
            AWS_SHARED_CREDENTIALS_FILE: credentials,
            // What the environment says loses to the stack's config.
            AWS_REGION: "us-west-2",
            AWS_ACCESS_KEY_ID: "AKIDFROMENVIRONMENT",
            AWS_SECRET_ACCESS_KEY: "not-the-emulator-secret",
        });
    });
    after(async () => {
        if (credentialsDir) fs.rmSync(credentialsDir, { recursive: true, force: true });
        await suite?.close();
    });

    it("aws:region and aws:profile: sessions are created in the stack's region with the profile's credentials", async () => {
        await stack.setConfig("aws:region", "eu-west-1");
        await stack.setConfig("aws:profile", "liveness-test");
        await stack.setConfig("sessions", JSON.stringify({ r: {} }));
        await stack.ok(["up", "--yes", "--skip-preview"]);
        const [create] = emulator.calls("CreateFaceLivenessSession");
        assert.equal(create.region, "eu-west-1");
        assert.match(String(create.headers.authorization), new RegExp(`Credential=${emulator.accessKeyId}/`));
        assert.equal((await stack.sessions()).r.outputs!.region, "eu-west-1");
    });

    it("liveness:requestsPerSecond paces the creates to a quota below the region's default", async () => {
        // us-east-1's documented 25 per second would overrun this account's (emulated) 2.
        emulator.options.tps = 2;
        emulator.resetQuota();
        await stack.setConfig("aws:region", "us-east-1");
        await stack.setConfig("liveness:requestsPerSecond", "2");
        const names = ["p1", "p2", "p3", "p4", "p5", "p6"];
        await stack.setConfig("sessions", JSON.stringify(Object.fromEntries(names.map((n) => [n, {}]))));
        const throttledBefore = emulator.throttledCount;
        await stack.ok(["up", "--yes", "--skip-preview", "--parallel", "8"]);
        assert.deepEqual(Object.keys(await stack.sessions()).sort(), names);
        assert.equal(emulator.throttledCount, throttledBefore, "no request was throttled");
    });
});
