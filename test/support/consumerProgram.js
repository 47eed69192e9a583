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
                throw new Error(`unexpected call ${args.token}`);
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
    const session = registered.find((r) => r.name === "consumer-session");
    process.stdout.write(
        JSON.stringify({
            exports: Object.keys(lib).sort(),
            resolvedFrom: require.resolve("pulumi-rekognition-liveness"),
            registeredOnImport,
            type: session.type,
            providerText: session.inputs.__provider,
        }) + "\n",
    );
})().catch((error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
});
