/**
 * What a user sees from the real CLI when the program's arguments hold a mistake: one clear message on the resource,
 * with no stack trace and no dump of the component (the error is raised before any AWS child, so no AWS plugin is
 * needed here).
 */
import { strict as assert } from "node:assert";
import { RekognitionEmulator, startEmulator } from "../support/rekognitionEmulator";
import { TestStack, diagnostics } from "./support/pulumiCli";
import { engineOrSkip } from "./support/layer";

describe("the real Pulumi engine: a mistake in the program's arguments", function () {
    this.timeout(120_000);
    let emulator: RekognitionEmulator;
    let restoreEnv: () => void;
    let setupStack: TestStack;
    let sessionStack: TestStack;

    before(async function () {
        const binDir = engineOrSkip(this);
        ({ emulator, restoreEnv } = await startEmulator());
        setupStack = await TestStack.create(binDir, "setup", { ...process.env });
        sessionStack = await TestStack.create(binDir, "sessions", { ...process.env });
    });
    after(async () => {
        await setupStack?.remove();
        await sessionStack?.remove();
        await emulator?.stop();
        restoreEnv?.();
    });

    it("LivenessSetup: a misspelt session option in stack config is one line naming it, the value and what is allowed", async () => {
        await setupStack.setConfig("args", JSON.stringify({ sessions: { onboarding: { auditImageLimit: 2 }, recovery: null } }));
        const preview = await setupStack.run(["preview"]);
        assert.notEqual(preview.code, 0);
        assert.deepEqual(diagnostics(preview), [
            "LivenessSetup kyc: sessions.onboarding.auditImageLimit (2) is not known; did you mean auditImagesLimit? allowed: auditImagesLimit, challengePreferences, renewExpired",
        ]);
    });

    it("FaceLivenessSession: a plain bad value is one line naming the property", async () => {
        await sessionStack.setConfig("sessions", JSON.stringify({ a: { settings: { auditImagesLimit: 7 } } }));
        const preview = await sessionStack.run(["preview"]);
        assert.notEqual(preview.code, 0);
        assert.deepEqual(diagnostics(preview), ["FaceLivenessSession a: settings.auditImagesLimit must be an integer from 0 to 4, got 7"]);
        assert.equal(emulator.requests.length, 0);
    });
});
