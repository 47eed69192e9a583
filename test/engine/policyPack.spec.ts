/**
 * The policy pack (policy/) under the real CLI: `pulumi preview --policy-pack policy` on stacks of sessions. The pack
 * is a Node.js policy pack, run by the language host's RunPlugin with @pulumi/policy from the repository's
 * node_modules.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { RekognitionEmulator } from "../../emulator/rekognitionEmulator";
import { TestStack, diagnostics } from "./support/pulumiCli";
import { EngineSuite } from "./support/layer";

const policyPack = path.resolve(__dirname, "../../policy");

describe("the real Pulumi engine: the policy pack on a stack of sessions", function () {
    this.timeout(120_000);
    let suite: EngineSuite;
    let emulator: RekognitionEmulator;
    let stack: TestStack;

    before(async function () {
        suite = await EngineSuite.start(this);
        emulator = suite.emulator;
        stack = await suite.stack("sessions", {}, { "aws:region": "us-east-1" });
    });
    after(() => suite?.close());

    /** The mandatory violations a preview reported, as `<policy name>: <message>` lines. */
    const violations = (run: Awaited<ReturnType<TestStack["run"]>>) =>
        run.events
            .map((e) => e.policyEvent as { policyName: string; message: string; enforcementLevel: string } | undefined)
            .filter((p) => p?.enforcementLevel === "mandatory")
            .map((p) => `${p!.policyName}: ${p!.message.trim()}`);

    it("a session without a KMS key, asking for 4 audit images: preview fails with each mandatory policy's message", async () => {
        await stack.setConfig("sessions", JSON.stringify({ loose: { settings: { auditImagesLimit: 4 } } }));
        const preview = await stack.run(["preview", "--policy-pack", policyPack]);
        assert.notEqual(preview.code, 0);
        assert.deepEqual(violations(preview).sort(), [
            "session-bounds-audit-images: Liveness sessions ask for no more audit images than the configured bound.\nSession loose asks for 4 audit images; at most 2 allowed",
            "session-sets-kms-key: Liveness sessions encrypt their images with a customer managed KMS key (kmsKeyId).\nSession loose sets no kmsKeyId",
        ]);
        assert.equal(emulator.requests.length, 0);
    });

    it("a session with a KMS key and 2 audit images passes", async () => {
        await stack.setConfig("sessions", JSON.stringify({ tight: { kmsKeyId: "alias/kyc", settings: { auditImagesLimit: 2 } } }));
        const preview = await stack.run(["preview", "--policy-pack", policyPack]);
        assert.deepEqual([preview.code, violations(preview), diagnostics(preview)], [0, [], []]);
    });
});
