/**
 * Many sessions at once under the real engine (`--parallel`), against an account quota far below the parallelism:
 * the shared rate limiter in the dynamic-provider host keeps every create within the quota and retries what is
 * throttled with the same token, so none is lost and none is created twice.
 */
import { strict as assert } from "node:assert";
import { RekognitionEmulator } from "../../emulator/rekognitionEmulator";
import { TestStack } from "./support/pulumiCli";
import { EngineSuite } from "./support/layer";

describe("the real Pulumi engine: many sessions with --parallel at a low quota", function () {
    this.timeout(120_000);
    let suite: EngineSuite;
    let emulator: RekognitionEmulator;
    let stack: TestStack;

    before(async function () {
        // eu-west-1's documented quota: 5 requests per second.
        suite = await EngineSuite.start(this, { tps: 5 });
        emulator = suite.emulator;
        stack = await suite.stack("sessions", {}, { "aws:region": "eu-west-1" });
    });
    after(() => suite?.close());

    it("30 sessions, 16 at a time: 30 in state, each exactly one session on the service", async () => {
        const names = Array.from({ length: 30 }, (_, i) => `s${String(i).padStart(2, "0")}`);
        await stack.setConfig("sessions", JSON.stringify(Object.fromEntries(names.map((n) => [n, { settings: { auditImagesLimit: 1 } }]))));
        await stack.ok(["up", "--yes", "--skip-preview", "--parallel", "16"]);
        const sessions = await stack.sessions();
        assert.deepEqual(Object.keys(sessions).sort(), names);
        const ids = Object.values(sessions).map((s) => s.id!);
        assert.equal(new Set(ids).size, 30);
        assert.equal(emulator.sessions.size, 30, "none created twice");
        for (const session of Object.values(sessions)) {
            assert.equal(emulator.sessions.get(session.id!)!.request.ClientRequestToken, session.outputs!.clientRequestToken);
        }
    });
});
