/**
 * LivenessSetup's `deviceIdentity` under Pulumi mocks: the identity pool and its roles, their exact inputs, the trust
 * and permission policies statement by statement, and the outputs a front end is configured with.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { ACCOUNT_ID, mockAws } from "../support/awsMocks";
import { settle, unwrap } from "../support/mocks";

type Setup = typeof import("../../components/livenessSetup").LivenessSetup;

describe("LivenessSetup with deviceIdentity (mocks)", () => {
    let registered: pulumi.runtime.MockResourceArgs[];
    let LivenessSetup: Setup;

    before(async () => {
        registered = await mockAws({ region: "us-west-2" });
        ({ LivenessSetup } = await import("../../components/livenessSetup"));
    });

    const ofSetup = (name: string) => registered.filter((r) => r.name === name || r.name.startsWith(`${name}-`));
    const child = (name: string) => {
        const found = registered.filter((r) => r.name === name);
        assert.equal(found.length, 1, `one resource named ${name}, found ${found.length}`);
        return found[0];
    };
    const poolIdOf = (setup: string) => `us-west-2:0f1e2d3c-4b5a-4978-8695-${`${setup}-devices`.length.toString().padStart(12, "0")}`;
    /** The trust policy a device role of `setup` must have: this pool's identities of one kind, through web identity. */
    const trust = (setup: string, signedIn: boolean) => ({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: signedIn ? "SignedInDevicesOfThisPool" : "GuestDevicesOfThisPool",
                Effect: "Allow",
                Principal: { Federated: "cognito-identity.amazonaws.com" },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: { "cognito-identity.amazonaws.com:aud": poolIdOf(setup) },
                    "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": signedIn ? "authenticated" : "unauthenticated" },
                },
            },
        ],
    });
    const streamOnly = {
        Version: "2012-10-17",
        Statement: [{ Sid: "StreamLivenessSessions", Effect: "Allow", Action: "rekognition:StartFaceLivenessSession", Resource: "*" }],
    };

    it("adds nothing when absent", async () => {
        const setup = new LivenessSetup("plain", { sessions: { onboarding: {} } });
        await settle();
        const types = ofSetup("plain").map((r) => r.type);
        assert.equal(types.filter((t) => t.startsWith("aws:cognito") || t === "aws:iam/role:Role").length, 0);
        assert.equal(setup.identityPoolId, undefined);
        assert.equal(setup.deviceConfig, undefined);
    });

    describe("signed-in devices only (the default)", () => {
        let setup: InstanceType<Setup>;
        const userPool = {
            clientId: "7abc",
            providerName: "cognito-idp.us-west-2.amazonaws.com/us-west-2_Users",
            serverSideTokenCheck: true,
        };

        before(async () => {
            setup = new LivenessSetup("kyc", {
                sessions: { onboarding: {} },
                deviceIdentity: { cognitoIdentityProviders: [userPool] },
                tags: { team: "id" },
            });
            await settle();
        });

        it("creates a pool, one role with its stream policy, and the pool's role attachment", () => {
            const devices = ofSetup("kyc").filter((r) => r.type.startsWith("aws:cognito") || r.name.startsWith("kyc-device"));
            assert.deepEqual(
                devices.map((r) => [r.type, r.name]),
                [
                    ["aws:cognito/identityPool:IdentityPool", "kyc-devices"],
                    ["aws:iam/role:Role", "kyc-device-signed-in"],
                    ["aws:iam/rolePolicy:RolePolicy", "kyc-device-signed-in-stream"],
                    ["aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment", "kyc-device-roles"],
                ],
            );
        });

        it("keeps guests out and the basic flow off, with the user pool as given", () => {
            assert.deepEqual(child("kyc-devices").inputs, {
                identityPoolName: "kyc liveness devices",
                allowUnauthenticatedIdentities: false,
                allowClassicFlow: false,
                cognitoIdentityProviders: [userPool],
                tags: { team: "id" },
            });
        });

        it("lets only this pool's signed-in identities assume the role, which holds the stream action and nothing else", () => {
            const role = child("kyc-device-signed-in");
            assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy), trust("kyc", true));
            assert.deepEqual(Object.keys(role.inputs).sort(), ["assumeRolePolicy", "description", "tags"], "no inline or managed policies");
            const policy = child("kyc-device-signed-in-stream");
            assert.equal(policy.inputs.role, "kyc-device-signed-in-0a1b2c3");
            assert.deepEqual(JSON.parse(policy.inputs.policy), streamOnly);
            const attachments = registered.filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
            assert.deepEqual(attachments, [], "no managed policy is attached");
        });

        it("attaches the role to the pool for signed-in identities only", () => {
            assert.deepEqual(child("kyc-device-roles").inputs, {
                identityPoolId: poolIdOf("kyc"),
                roles: { authenticated: `arn:aws:iam::${ACCOUNT_ID}:role/kyc-device-signed-in-0a1b2c3` },
            });
        });

        it("outputs the pool id, and the detector's configuration ready to paste", async () => {
            assert.equal(await unwrap(setup.identityPoolId!), poolIdOf("kyc"));
            assert.deepEqual(await unwrap(setup.deviceConfig!), {
                region: "us-west-2",
                identityPoolId: poolIdOf("kyc"),
                allowGuestAccess: false,
            });
        });
    });

    describe("with allowGuests", () => {
        let setup: InstanceType<Setup>;

        before(async () => {
            setup = new LivenessSetup("web", {
                deviceIdentity: {
                    allowGuests: true,
                    supportedLoginProviders: { "accounts.google.com": "client.apps.googleusercontent.com" },
                },
            });
            await settle();
        });

        it("opens the pool to guests, with a guest role of their own trusted only for unauthenticated identities", () => {
            assert.equal(child("web-devices").inputs.allowUnauthenticatedIdentities, true);
            assert.deepEqual(child("web-devices").inputs.supportedLoginProviders, {
                "accounts.google.com": "client.apps.googleusercontent.com",
            });
            assert.deepEqual(JSON.parse(child("web-device-signed-in").inputs.assumeRolePolicy), trust("web", true));
            assert.deepEqual(JSON.parse(child("web-device-guest").inputs.assumeRolePolicy), trust("web", false));
            assert.deepEqual(JSON.parse(child("web-device-guest-stream").inputs.policy), streamOnly);
            assert.equal(child("web-device-guest-stream").inputs.role, "web-device-guest-0a1b2c3");
        });

        it("attaches each role to its kind of identity", async () => {
            assert.deepEqual(child("web-device-roles").inputs.roles, {
                authenticated: `arn:aws:iam::${ACCOUNT_ID}:role/web-device-signed-in-0a1b2c3`,
                unauthenticated: `arn:aws:iam::${ACCOUNT_ID}:role/web-device-guest-0a1b2c3`,
            });
            assert.equal((await unwrap(setup.deviceConfig!)).allowGuestAccess, true);
        });
    });

    it("names the pool from the setup's name, with the characters identity pool names cannot hold replaced", async () => {
        new LivenessSetup("kyc/eu:prod", { deviceIdentity: {} });
        await settle();
        assert.equal(child("kyc/eu:prod-devices").inputs.identityPoolName, "kyc-eu-prod liveness devices");
    });

    it("names a misspelt option and a guests switch that is not a boolean, before any child", async () => {
        assert.throws(
            () => new LivenessSetup("typo", { deviceIdentity: { allowGuest: true, allowGuests: "yes" } as never }),
            (error: Error) =>
                error.message ===
                "LivenessSetup typo: deviceIdentity.allowGuest (true) is not known; did you mean allowGuests? allowed: allowGuests, " +
                    "cognitoIdentityProviders, supportedLoginProviders, openidConnectProviderArns, samlProviderArns, developerProviderName; " +
                    'deviceIdentity.allowGuests must be true or false, got "yes"',
        );
        await settle();
        assert.deepEqual(
            registered.filter((r) => r.name.startsWith("typo-")).map((r) => r.name),
            [],
            "no child",
        );
    });
});
