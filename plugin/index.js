// The `liveness` provider plugin, as Pulumi runs it from source (PulumiPlugin.yaml): the bundle `npm run build` or this
// folder's own install (build.mjs) writes.
"use strict";
require("./dist/main.js");
