// Evaluates a serialized provider text alone, the way @pulumi/pulumi's dynamic-provider host does
// (require-from-string from the program directory, then `.handler()`), and runs a list of calls on it.
// Plain JavaScript, run with plain `node`: nothing of the project's TypeScript is loaded in this process.
// Usage: node runProviderText.js <provider-text-file> <calls-json-file>; prints one JSON line of results.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const [textFile, callsFile] = process.argv.slice(2);
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [process.cwd()] }));
const requireFromString = require(require.resolve("require-from-string", { paths: [pulumiDir] }));

(async () => {
    const provider = requireFromString(fs.readFileSync(textFile, "utf8")).handler();
    const { config, calls } = JSON.parse(fs.readFileSync(callsFile, "utf8"));
    await provider.configure({ config: { get: (key) => config[key], require: (key) => config[key] } });
    const results = [];
    for (const { method, args } of calls) {
        try {
            results.push({ result: (await provider[method](...args)) ?? null });
        } catch (error) {
            results.push({ error: error.message });
        }
    }
    const loaded = Object.keys(require.cache);
    const loadedProjectFiles = loaded.filter((file) => /[\\/]providers[\\/]|\.ts$/.test(file));
    const awsSdkLoaded = loaded.some((file) => file.includes(`${path.sep}@aws-sdk${path.sep}client-rekognition${path.sep}`));
    process.stdout.write(JSON.stringify({ results, loadedProjectFiles, awsSdkLoaded }) + "\n");
})().catch((error) => {
    process.stderr.write(String(error && error.stack) + "\n");
    process.exit(1);
});
