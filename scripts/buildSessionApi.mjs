// Builds the session API's Lambda handler (runtime/sessionApi/handler.ts) into one self-contained file,
// bin/runtime/sessionApi/index.js: esbuild bundles it with what it imports from this package (the API description, the
// retry rule, the error explanations) and the AWS SDK clients and Powertools logger it uses, minified, for the
// function's Node.js runtime. `LivenessSetup` ships this very file as the function's code (index.handler); the tests
// invoke it as built. Run by `npm run build` and before the tests.
import * as esbuild from "esbuild";
import * as fs from "node:fs";
import * as path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const outfile = path.join(root, "bin", "runtime", "sessionApi", "index.js");

await esbuild.build({
    entryPoints: [path.join(root, "runtime", "sessionApi", "handler.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    // The function's runtime (components/sessionApi.ts): nodejs22.x.
    target: "node22",
    minify: true,
    legalComments: "none",
    // Each SDK package's `module` build, as AWS bundles them for Lambda: smaller than `main`.
    mainFields: ["module", "main"],
    logLevel: "warning",
});
console.error(`session API handler: ${fs.statSync(outfile).size} bytes -> ${path.relative(root, outfile)}`);
