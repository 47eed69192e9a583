// Run by package.spec.ts in a consumer's folder where this package is installed from its tarball: a consumer's own
// unit test of a program that uses LivenessSetup, with the mocks the package ships (pulumi-rekognition-liveness/testing)
// and one mock of the consumer's own. Prints what the program's outputs resolved to as one JSON line.
"use strict";
const pulumi = require("@pulumi/pulumi");
const { livenessMocks } = require("pulumi-rekognition-liveness/testing");

(async () => {
    const ownCalls = [];
    await pulumi.runtime.setMocks(
        livenessMocks({
            region: "eu-west-1",
            mocks: {
                // The consumer's own answer for a resource of its program; undefined leaves the rest to the package's mocks.
                newResource: (args) =>
                    args.type === "aws:sns/topic:Topic"
                        ? (ownCalls.push(args.name), { id: "topic", state: { arn: "arn:topic" } })
                        : undefined,
            },
        }),
        "consumer",
        "test",
        false,
    );
    const aws = require("@pulumi/aws");
    const { LivenessSetup } = require("pulumi-rekognition-liveness");
    const role = new aws.iam.Role("backend", { name: "backend", assumeRolePolicy: "{}" });
    new aws.sns.Topic("alerts");
    const kyc = new LivenessSetup("kyc", { sessions: { onboarding: {} }, backendRoleNames: [role.name] });
    const value = (output) => new Promise((resolve) => output.apply(resolve));
    const [sessionIds, backendPolicyJson, region, bucketName] = await Promise.all(
        [kyc.sessionIds, kyc.backendPolicyJson, kyc.region, kyc.bucketName].map(value),
    );
    process.stdout.write(JSON.stringify({ sessionIds, backendPolicy: JSON.parse(backendPolicyJson), region, bucketName, ownCalls }) + "\n");
})().catch((error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
});
