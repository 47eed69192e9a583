"""A Python program using the liveness package's generated SDK (pulumi_liveness), run under the Pulumi Python SDK's
mocks: prints, as JSON, every resource it registers (type, name, inputs as they go on the wire) and the outputs it
reads back. test/engine/consumers.spec.ts generates the SDK, runs this, and checks what it prints."""

import json

import pulumi


class Recorder(pulumi.runtime.Mocks):
    def __init__(self):
        self.registered = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        self.registered.append({"type": args.typ, "name": args.name, "inputs": args.inputs})
        outputs = dict(args.inputs)
        if args.typ == "liveness:index:FaceLivenessSession":
            outputs.update(sessionId=f"{args.name}-id", status="CREATED", region="us-east-1", clientRequestToken="token")
        if args.typ == "liveness:index:LivenessSetup":
            # What the plugin's construct would answer (test/plugin/construct.spec.ts checks that it does).
            outputs.update(sessionIds={name: f"{args.name}-{name}-id" for name in args.inputs.get("sessions", {})})
        return [f"{args.name}-id", outputs]

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}


recorder = Recorder()
pulumi.runtime.set_mocks(recorder, preview=False)

import pulumi_liveness as liveness  # noqa: E402  (after the mocks, as the SDK requires)



def report(values):
    session_id, status, session_ids = values
    print(json.dumps({"registered": recorder.registered, "sessionId": session_id, "status": status, "sessionIds": session_ids}))


@pulumi.runtime.test
def program():
    """Declares a session and a setup, and waits, as the SDK's test runner does, for what they output."""
    session = liveness.FaceLivenessSession(
        "onboarding",
        kms_key_id="alias/kyc",
        settings=liveness.FaceLivenessSessionSettingsArgs(
            output_config=liveness.OutputConfigArgs(s3_bucket="kyc-images", s3_key_prefix="onboarding/"),
            audit_images_limit=2,
            challenge_preferences=[
                liveness.ChallengePreferenceArgs(
                    type=liveness.ChallengeType.FACE_MOVEMENT_CHALLENGE,
                    versions=liveness.ChallengeVersionsArgs(minimum="1.0.0"),
                )
            ],
        ),
        renew_expired=True,
    )
    setup = liveness.LivenessSetup(
        "kyc",
        sessions={"onboarding": liveness.LivenessSessionOptionsArgs(audit_images_limit=2)},
        session_defaults=liveness.LivenessSessionOptionsArgs(renew_expired=True),
        retention_days=14,
        backend_role_names=["kyc-backend"],
        tags={"team": "identity"},
    )
    return pulumi.Output.all(session.session_id, session.status, setup.session_ids).apply(report)


program()
