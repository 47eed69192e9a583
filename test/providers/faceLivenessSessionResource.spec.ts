/**
 * The resource class in a program, under Pulumi mocks: the type token, what it registers, and errors raised at
 * construction. Mocks do not run the provider; serializedProvider.spec.ts runs what they capture.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { faceLivenessSessionProviderText } from "../../providers/sessionProviderText";
import { mockPulumi, settle, unwrap } from "../support/mocks";

describe("FaceLivenessSession in a program (mocks)", () => {
    let registered: pulumi.runtime.MockResourceArgs[];
    let FaceLivenessSession: typeof import("../../providers/faceLivenessSession").FaceLivenessSession;

    before(async () => {
        registered = await mockPulumi({
            newResource: async (args) => ({
                id: "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
                state: { ...args.inputs, sessionId: "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9", status: "CREATED" },
            }),
        });
        ({ FaceLivenessSession } = await import("../../providers/faceLivenessSession"));
    });
    beforeEach(() => registered.splice(0));

    it("registers as pulumi-nodejs:dynamic/rekognition:FaceLivenessSession with its inputs and the provider text", async () => {
        const session = new FaceLivenessSession("onboarding", {
            kmsKeyId: "alias/kyc",
            settings: { outputConfig: { s3Bucket: pulumi.output("kyc-images"), s3KeyPrefix: "onboarding/" }, auditImagesLimit: 2 },
            renewExpired: true,
        });
        assert.equal(await unwrap(session.sessionId), "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9");
        assert.equal(await unwrap(session.status), "CREATED");
        assert.equal(registered.length, 1);
        const [args] = registered;
        assert.equal(args.type, "pulumi-nodejs:dynamic/rekognition:FaceLivenessSession");
        assert.equal(args.name, "onboarding");
        const { __provider, ...inputs } = args.inputs;
        assert.deepEqual(inputs, {
            kmsKeyId: "alias/kyc",
            settings: { outputConfig: { s3Bucket: "kyc-images", s3KeyPrefix: "onboarding/" }, auditImagesLimit: 2 },
            renewExpired: true,
        });
        assert.equal(__provider, faceLivenessSessionProviderText);
    });

    it("lists the paths of the inputs marked secret, however deep, so the provider never shows their values", async () => {
        new FaceLivenessSession("secretive", {
            kmsKeyId: pulumi.secret("alias/kyc"),
            clientRequestToken: "plain-token",
            settings: { outputConfig: { s3Bucket: pulumi.secret("kyc-images"), s3KeyPrefix: pulumi.output("onboarding/") } },
        });
        new FaceLivenessSession("nothing-secret", { kmsKeyId: pulumi.output("alias/kyc") });
        await settle();
        const byName = (name: string) => registered.find((r) => r.name === name)!;
        const [secretive, plain] = [byName("secretive"), byName("nothing-secret")];
        assert.deepEqual(secretive.inputs.__secretInputs, ["kmsKeyId", "settings.outputConfig.s3Bucket"]);
        assert.equal("__secretInputs" in plain.inputs, false, "nothing is stored when no input is secret");
    });

    it("lists which of the stack config keys the provider reads are set, so that an old CLI that drops them is caught", async () => {
        const saved = process.env.PULUMI_CONFIG;
        // The stack's config as the language host hands it to the program.
        pulumi.runtime.setAllConfig({ "aws:region": "eu-west-1", "liveness:requestsPerSecond": "3" });
        try {
            new FaceLivenessSession("configured", {});
            await settle();
            const configured = registered.find((r) => r.name === "configured")!;
            assert.deepEqual(configured.inputs.__stackConfig, ["aws:region", "liveness:requestsPerSecond"]);
        } finally {
            if (saved === undefined) delete process.env.PULUMI_CONFIG;
            else process.env.PULUMI_CONFIG = saved;
        }
    });

    it("fails at construction on a plain bad value, naming the property, the value and what is allowed", () => {
        assert.throws(
            () => new FaceLivenessSession("bad", { settings: { auditImagesLimit: 9, challengePreferences: [{ type: "Blink" as any }] } }),
            (error: Error) => {
                assert.ok(pulumi.ResourceError.isInstance(error));
                assert.equal(
                    error.message,
                    "FaceLivenessSession bad: settings.auditImagesLimit must be an integer from 0 to 4, got 9; " +
                        'settings.challengePreferences[0].type must be a challenge type: one of FaceMovementAndLightChallenge, FaceMovementChallenge, got "Blink"',
                );
                return true;
            },
        );
        assert.equal(registered.length, 0);
    });

    it("leaves values from other resources to the provider's check", () => {
        assert.doesNotThrow(
            () =>
                new FaceLivenessSession("later", {
                    kmsKeyId: pulumi.output("alias/kyc"),
                    settings: pulumi.output({ auditImagesLimit: 1 }),
                }),
        );
    });
});
