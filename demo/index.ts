// The stack `npm run demo` runs (scripts/demo.ts): two Face Liveness sessions, created, refreshed and deleted by the
// real engine against the Rekognition emulator. The storage a real stack puts beside them (LivenessSetup's key and
// bucket) needs the AWS provider plugin and an account, so this stack holds sessions only.
import { FaceLivenessSession } from "../lib";

const onboarding = new FaceLivenessSession("onboarding", { settings: { auditImagesLimit: 2 } });
const stepUp = new FaceLivenessSession("step-up", {
    settings: { challengePreferences: [{ type: "FaceMovementChallenge" }] },
});

export const sessionIds = { onboarding: onboarding.sessionId, "step-up": stepUp.sessionId };
export const statuses = { onboarding: onboarding.status, "step-up": stepUp.status };
