import pulumi
import pulumi_liveness as liveness

session = liveness.FaceLivenessSession(
    "onboarding",
    settings=liveness.FaceLivenessSessionSettingsArgs(
        audit_images_limit=1,
        challenge_preferences=[liveness.ChallengePreferenceArgs(type=liveness.ChallengeType.FACE_MOVEMENT_CHALLENGE)],
    ),
)
pulumi.export("sessionId", session.session_id)
pulumi.export("region", session.region)
