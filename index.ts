// The example stack: one Face Liveness session, created in the stack's aws:region (Pulumi.dev.yaml).
import { FaceLivenessSession } from "./providers/faceLivenessSession";

const session = new FaceLivenessSession("example", {
    settings: { auditImagesLimit: 2, challengePreferences: [{ type: "FaceMovementAndLightChallenge" }] },
    // A session lasts 3 minutes: let `pulumi refresh` drop an expired one so the next `pulumi up` makes a fresh one.
    renewExpired: true,
});

export const sessionId = session.sessionId;
export const sessionRegion = session.region;
