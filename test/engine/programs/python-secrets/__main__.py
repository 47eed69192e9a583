"""Marks a session's token and key prefix secret in the program. The values come from the stack's config in base64, so
that they are not in the config in clear (the engine prints non-secret config; the test searches every line)."""

import base64

import pulumi
import pulumi_liveness as liveness

config = pulumi.Config()


def secret_from(key: str) -> pulumi.Output[str]:
    return pulumi.Output.secret(base64.b64decode(config.require(key)).decode())


session = liveness.FaceLivenessSession(
    "marked",
    client_request_token=secret_from("marked64"),
    settings=liveness.FaceLivenessSessionSettingsArgs(
        audit_images_limit=config.get_int("auditImagesLimit") or 1,
        output_config=liveness.OutputConfigArgs(s3_bucket="liveness-images", s3_key_prefix=secret_from("prefix64")),
    ),
)
pulumi.export("sessionId", session.session_id)
