// `npm run build`'s bundles (scripts/bundles.mjs), named on the command line: text (the provider text, before tsc,
// which compiles the file it writes), api (the session API's handler) and plugin (the provider plugin's entry).
import * as path from "node:path";
import { bundlers } from "./bundles.mjs";

const bundle = bundlers(path.resolve(import.meta.dirname, "..", "node_modules"));
for (const name of process.argv.slice(2)) {
    if (!(name in bundle)) throw new Error(`unknown bundle ${JSON.stringify(name)}: expected one of ${Object.keys(bundle).join(", ")}`);
    await bundle[name]();
}
