// Preloaded into the provider host by the benchmark (NODE_OPTIONS=--require): when the host is stopped, writes the
// modules it loaded to BENCH_MODULE_REPORT, to tell whether preview loaded the AWS SDK.
"use strict";
const fs = require("node:fs");
process.on("SIGTERM", () => {
    fs.writeFileSync(process.env.BENCH_MODULE_REPORT, JSON.stringify(Object.keys(require.cache)));
    process.exit(0);
});
