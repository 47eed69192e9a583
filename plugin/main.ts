/**
 * The entry of the `liveness` provider plugin (`plugin/index.js` loads its bundle, plugin/dist/main.js): serves the
 * provider over gRPC with @pulumi/pulumi's provider server.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { livenessProvider } from "./provider";
import { packageRelease } from "./release";

/**
 * @pulumi/pulumi's provider server (read up to 3.276) answers Configure itself and drops the provider's config
 * (sdk/nodejs/provider/server.ts). The plugin reads that config from the request before the server answers: the
 * server is registered through grpc-js's addService, the one place its handlers can be reached. A test
 * (test/plugin/grpc.spec.ts) fails the day the SDK starts handing the config over, so this can go then.
 */
function readConfigureRequests(onConfigure: (args: Record<string, unknown>) => Promise<void>): void {
    const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] })) as typeof import("@grpc/grpc-js");
    const addService = grpc.Server.prototype.addService;
    grpc.Server.prototype.addService = function (service, implementation) {
        const handlers = implementation as Record<string, (call: any, callback: (...args: unknown[]) => void) => void>;
        const answer = handlers.configure.bind(handlers);
        handlers.configure = (call, callback) => {
            onConfigure(call.request.getArgs()?.toJavaScript() ?? {}).then(
                () => answer(call, callback),
                (error: Error) => callback(error),
            );
        };
        return addService.call(this, service, implementation);
    };
}

const provider = livenessProvider(packageRelease());
readConfigureRequests((args) => provider.configure(args));
pulumi.provider.main(provider, process.argv.slice(2)).catch((error: Error) => {
    console.error(error);
    process.exit(1);
});
