// Run by package.spec.ts in a consumer's folder where this package is installed from its tarball. Plain JavaScript,
// as a consumer's compiled program: requires the package under Pulumi mocks, declares one session, and prints what
// happened as one JSON line.
"use strict";
const pulumi = require("@pulumi/pulumi");

(async () => {
    const registered = [];
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                registered.push(args);
                return { id: `${args.name}-id`, state: args.inputs };
            },
            call: (args) => {
                const answers = {
                    "aws:index/getRegion:getRegion": { region: "us-east-1", name: "us-east-1", id: "us-east-1" },
                    "aws:index/getPartition:getPartition": { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" },
                    "aws:index/getCallerIdentity:getCallerIdentity": {
                        accountId: "123456789012",
                        arn: "arn:aws:iam::123456789012:user/u",
                        userId: "U",
                        id: "123456789012",
                    },
                };
                if (!answers[args.token]) throw new Error(`unexpected call ${args.token}`);
                return answers[args.token];
            },
        },
        "consumer",
        "dev",
        false,
    );
    const lib = require("pulumi-rekognition-liveness");
    await pulumi.runtime.waitForRPCs();
    const registeredOnImport = registered.length;
    new lib.FaceLivenessSession("consumer-session", { settings: { auditImagesLimit: 1 } });
    await pulumi.runtime.waitForRPCs();
    // A setup with the session API: its function's code is the handler the installed package ships.
    new lib.LivenessSetup("consumer-setup", { api: { auth: "iam" } });
    await pulumi.runtime.waitForRPCs();
    const handler = registered.find((r) => r.type === "aws:lambda/function:Function");
    const session = registered.find((r) => r.name === "consumer-session");
    process.stdout.write(
        JSON.stringify({
            exports: Object.keys(lib).sort(),
            resolvedFrom: require.resolve("pulumi-rekognition-liveness"),
            registeredOnImport,
            type: session.type,
            providerText: session.inputs.__provider,
            handlerCode: await (await handler.inputs.code.assets)["index.js"].path,
        }) + "\n",
    );
})().catch((error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
});
