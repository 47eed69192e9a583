/**
 * What a user sees from the real CLI when the program's arguments hold a mistake: one clear message on the resource,
 * with no stack trace and no dump of the component (the error is raised before any AWS child, so no AWS plugin is
 * needed here).
 */
import { strict as assert } from "node:assert";
import { RekognitionEmulator } from "../../emulator/rekognitionEmulator";
import { TestStack, diagnostics } from "./support/pulumiCli";
import { EngineSuite } from "./support/layer";

describe("the real Pulumi engine: a mistake in the program's arguments", function () {
    this.timeout(120_000);
    let suite: EngineSuite;
    let emulator: RekognitionEmulator;
    let setupStack: TestStack;
    let sessionStack: TestStack;

    before(async function () {
        suite = await EngineSuite.start(this);
        emulator = suite.emulator;
        setupStack = await suite.stack("setup");
        sessionStack = await suite.stack("sessions");
    });
    after(() => suite?.close());

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
