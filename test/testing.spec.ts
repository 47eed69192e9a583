/**
 * The mocks the package ships (`pulumi-rekognition-liveness/testing`) answer every resource and call a `LivenessSetup`
 * declares, with every option on: no output, policy document or input of a child names `undefined` or `null`, which
 * is what a user's unit test of their own policies would otherwise trip over.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { livenessMocks } from "../testing";
import { settle, unwrap } from "./support/mocks";

describe("livenessMocks (pulumi-rekognition-liveness/testing): a setup with every option", () => {
    const registered: pulumi.runtime.MockResourceArgs[] = [];
    let outputs: Record<string, unknown>;

    before(async () => {
        await pulumi.runtime.setMocks(
            livenessMocks({
                region: "eu-west-1",
                // Records what the setup declares, answering nothing itself.
                mocks: { newResource: (args) => void registered.push(args) },
            }),
            "consumer",
            "test",
            false,
        );
        const { LivenessSetup } = await import("../components/livenessSetup");
        const setup = new LivenessSetup("full", {
            sessions: { onboarding: { auditImagesLimit: 1 } },
            backendRoleNames: ["backend"],
            frontendRoleNames: ["frontend"],
            deviceIdentity: { allowGuests: true },
            api: { corsAllowOrigins: ["https://app.example.com"] },
        });
        await settle();
        outputs = Object.fromEntries(
            await Promise.all(
                (
                    [
                        "sessionIds",
                        "region",
                        "bucketName",
                        "bucketArn",
                        "kmsKeyArn",
                        "backendPolicyJson",
                        "frontendPolicyJson",
                        "identityPoolId",
                        "deviceConfig",
                        "apiUrl",
                        "checksTableName",
                        "verdictReaderPolicyJson",
                    ] as const
                ).map(async (name) => [name, await unwrap(setup[name] as pulumi.Output<unknown>)]),
            ),
        );
    });

    it("answers every output with a value", () => {
        for (const [name, value] of Object.entries(outputs)) {
            assert.notEqual(value, undefined, name);
            assert.doesNotMatch(JSON.stringify(value), /undefined|null/, `${name}: ${JSON.stringify(value)}`);
        }
        assert.match(String(outputs.apiUrl), /^https:\/\/.+\.execute-api\.eu-west-1\.amazonaws\.com\/$/);
        assert.match(String(outputs.checksTableName), /^full-api-checks/);
    });

    it("gives every child's inputs, policies and environment included, values: none names undefined or null", () => {
        assert.ok(registered.length > 20, `${registered.length} resources`);
        for (const { type, name, inputs } of registered) {
            assert.doesNotMatch(JSON.stringify(inputs), /undefined|null/, `${type} ${name}: ${JSON.stringify(inputs)}`);
        }
        const handlerPolicy = registered.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name === "full-api-handler")!;
        for (const statement of JSON.parse(handlerPolicy.inputs.policy).Statement) {
            assert.ok(statement.Resource, `statement ${statement.Sid} has a resource`);
        }
    });
});
