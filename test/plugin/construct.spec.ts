/**
 * `LivenessSetup` built by the plugin's construct, as a Python, Go or YAML program gets it: under Pulumi mocks standing
 * in for the engine (its AWS children need the AWS plugin, which cannot be obtained here), with inputs as the
 * provider server hands them to construct (each an Output). The registrations are what the engine would receive.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { packageRelease } from "../../plugin/release";
import { livenessProvider } from "../../plugin/provider";
import { setupOutputDocs, setupToken } from "../../plugin/schema";
import { pluginSessionType } from "../../providers/faceLivenessSession";
import { ACCOUNT_ID, mockAws } from "../support/awsMocks";
import { settle, unwrap } from "../support/mocks";
import { rejectionOf } from "../support/provider";

/** An input as the provider server passes it to construct: an Output, known or not, secret or not. */
function constructInput(value: unknown, { known = true, secret = false } = {}): pulumi.Output<unknown> {
    // The SDK's own Output constructor, as the provider server's deserializeInputs uses it.
    const Output = pulumi.Output as unknown as new (...args: unknown[]) => pulumi.Output<unknown>;
    return new Output(new Set(), Promise.resolve(value), Promise.resolve(known), Promise.resolve(secret), Promise.resolve([]));
}

describe("LivenessSetup through the plugin's construct (mocks)", () => {
    let registered: pulumi.runtime.MockResourceArgs[];
    const plugin = livenessProvider(packageRelease());

    before(async () => {
        registered = await mockAws({ region: "us-west-2" });
    });
    beforeEach(() => registered.splice(0));

    it("registers the component under its token, with sessions the plugin serves, and returns every output", async () => {
        const { urn, state } = await plugin.construct!(
            "kyc",
            setupToken,
            {
                sessions: constructInput({ onboarding: { auditImagesLimit: 2 }, "step-up": null }),
                sessionDefaults: constructInput({ challengePreferences: [{ type: "FaceMovementChallenge" }] }),
                retentionDays: constructInput(14),
                backendRoleNames: constructInput(["kyc-backend"]),
            },
            {},
        );
        await settle();
        assert.equal(await unwrap(urn as pulumi.Output<string>), `urn:pulumi:test::liveness::${setupToken}::kyc`);
        assert.deepEqual(
            registered.filter((r) => r.type === setupToken || r.type === pluginSessionType).map((r) => [r.type, r.name]),
            [
                [setupToken, "kyc"],
                [pluginSessionType, "kyc-onboarding"],
                [pluginSessionType, "kyc-step-up"],
            ],
        );
        const onboarding = registered.find((r) => r.name === "kyc-onboarding")!;
        assert.deepEqual(onboarding.inputs, {
            kmsKeyId: `arn:aws:kms:us-west-2:${ACCOUNT_ID}:key/mrk-kyc-key`,
            settings: {
                outputConfig: { s3Bucket: "kyc-images-0a1b2c3", s3KeyPrefix: "sessions/onboarding/" },
                auditImagesLimit: 2,
                challengePreferences: [{ type: "FaceMovementChallenge" }],
            },
            region: "us-west-2",
        });
        assert.equal("__provider" in onboarding.inputs, false, "the plugin's sessions carry no provider text");
        const lifecycle = registered.find((r) => r.name === "kyc-lifecycle")!;
        assert.equal(lifecycle.inputs.rules[0].expiration.days, 14);
        assert.equal(registered.find((r) => r.name === "kyc-backend-kyc-backend")!.inputs.role, "kyc-backend");

        const withoutDevices = Object.keys(setupOutputDocs).filter(
            (key) => !["identityPoolId", "deviceConfig", "apiUrl", "checksTableName", "verdictReaderPolicyJson"].includes(key),
        );
        assert.deepEqual(Object.keys(state).sort(), withoutDevices.sort());
        const outputs = Object.fromEntries(
            await Promise.all(Object.entries(state).map(async ([key, value]) => [key, await unwrap(value as pulumi.Output<unknown>)])),
        );
        assert.deepEqual(outputs.sessionIds, { onboarding: "kyc-onboarding-id", "step-up": "kyc-step-up-id" });
        assert.equal(outputs.region, "us-west-2");
        assert.equal(outputs.bucketName, "kyc-images-0a1b2c3");
        assert.deepEqual(JSON.parse(outputs.frontendPolicyJson as string).Statement[0].Action, "rekognition:StartFaceLivenessSession");
    });

    it("builds the device identity from a plain deviceIdentity, and returns its outputs too", async () => {
        const { state } = await plugin.construct!("web", setupToken, { deviceIdentity: constructInput({ allowGuests: true }) }, {});
        await settle();
        assert.deepEqual(
            registered
                .filter((r) => r.name.startsWith("web-device"))
                .map((r) => r.name)
                .sort(),
            [
                "web-device-guest",
                "web-device-guest-stream",
                "web-device-roles",
                "web-device-signed-in",
                "web-device-signed-in-stream",
                "web-devices",
            ],
        );
        const poolId = await unwrap(state.identityPoolId as pulumi.Output<string>);
        assert.deepEqual(await unwrap(state.deviceConfig as pulumi.Output<unknown>), {
            region: "us-west-2",
            identityPoolId: poolId,
            allowGuestAccess: true,
        });
    });

    it("builds the session API from a plain api, as TypeScript does, and returns its outputs too", async () => {
        const issuer = "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbCdEf123";
        const { state } = await plugin.construct!(
            "app",
            setupToken,
            { api: constructInput({ auth: { jwt: { issuer, audiences: ["client-1"] } }, confidenceThreshold: 95 }) },
            {},
        );
        await settle();
        assert.deepEqual(
            registered
                .filter((r) => r.name.startsWith("app-api"))
                .map((r) => `${r.type}::${r.name}`)
                .sort(),
            [
                "aws:apigatewayv2/api:Api::app-api",
                "aws:apigatewayv2/authorizer:Authorizer::app-api-jwt",
                "aws:apigatewayv2/integration:Integration::app-api-handler",
                "aws:apigatewayv2/route:Route::app-api-create",
                "aws:apigatewayv2/route:Route::app-api-read",
                "aws:apigatewayv2/stage:Stage::app-api",
                "aws:cloudwatch/logGroup:LogGroup::app-api-access-logs",
                "aws:cloudwatch/logGroup:LogGroup::app-api-handler-logs",
                "aws:dynamodb/table:Table::app-api-checks",
                "aws:iam/role:Role::app-api-handler",
                "aws:iam/rolePolicy:RolePolicy::app-api-handler",
                "aws:lambda/function:Function::app-api-handler",
                "aws:lambda/permission:Permission::app-api-create",
                "aws:lambda/permission:Permission::app-api-read",
            ],
        );
        const fn = registered.find((r) => r.type === "aws:lambda/function:Function" && r.name === "app-api-handler")!;
        assert.equal(fn.inputs.environment.variables.LIVENESS_CONFIDENCE_THRESHOLD, "95");
        assert.equal(await unwrap(state.apiUrl as pulumi.Output<string>), "https://a1b2c3d4e5.execute-api.us-west-2.amazonaws.com/");
        assert.equal(await unwrap(state.checksTableName as pulumi.Output<string>), "app-api-checks-0a1b2c3");
        assert.equal(JSON.parse(await unwrap(state.verdictReaderPolicyJson as pulumi.Output<string>)).Statement[0].Sid, "ReadVerdicts");
    });

    it("keeps a value unknown at preview as an Output, and a secret secret", async () => {
        const { state } = await plugin.construct!(
            "unknowns",
            setupToken,
            {
                sessions: constructInput({ onboarding: {} }),
                bucketName: constructInput(undefined, { known: false }),
                kmsKeyArn: constructInput(`arn:aws:kms:us-west-2:${ACCOUNT_ID}:key/brought`, { secret: true }),
            },
            {},
        );
        await settle();
        const session = registered.find((r) => r.name === "unknowns-onboarding")!;
        // Marked secret on the wire, as the engine receives it.
        assert.deepEqual(session.inputs.kmsKeyId, {
            [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
            value: `arn:aws:kms:us-west-2:${ACCOUNT_ID}:key/brought`,
        });
        assert.equal(await pulumi.isSecret(state.kmsKeyArn as pulumi.Output<string>), true);
        assert.equal(registered.filter((r) => r.type === "aws:s3/bucket:Bucket" && r.name.startsWith("unknowns")).length, 0);
    });

    it("reports argument mistakes as TypeScript programs see them, before any child", async () => {
        const error = await rejectionOf(
            plugin.construct!("typo", setupToken, { sessions: constructInput({ onboarding: { auditImageLimit: 2 } }) }, {}),
        );
        assert.equal(
            error.message,
            "LivenessSetup typo: sessions.onboarding.auditImageLimit (2) is not known; did you mean auditImagesLimit? " +
                "allowed: auditImagesLimit, challengePreferences, renewExpired",
        );
        await settle();
        assert.deepEqual(
            registered.filter((r) => r.name.startsWith("typo-")).map((r) => r.name),
            [],
        );
    });

    it("refuses a component type it does not have", async () => {
        const error = await rejectionOf(plugin.construct!("x", "liveness:index:Other", {}, {}));
        assert.equal(error.message, "the liveness provider has no component type liveness:index:Other");
    });
});
