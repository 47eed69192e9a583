// The plugin's `postinstall`: builds the plugin where it is installed. `pulumi package add <git URL>/plugin@v<version>`
// clones the repository at the tag and runs `npm install` in plugin/ only, no build step: CLIs before 3.209 with
// `--production`, later ones through the Node.js language host. So everything the build needs is among this folder's
// `dependencies` (esbuild and the modules the session API's handler bundles, beside the plugin's run-time ones), and
// this script builds, from the clone's sources, the provider text, the session API's handler (bin/runtime/sessionApi)
// and the plugin's entry (plugin/dist/main.js), as `npm run build` does in a checkout (scripts/bundles.mjs).
import * as path from "node:path";
import { bundlers } from "../scripts/bundles.mjs";

const bundle = bundlers(path.join(import.meta.dirname, "node_modules"));
await bundle.text();
await bundle.api();
await bundle.plugin();
