// Loaded before every spec (.mocharc.json). The AWS SDK warns once per process that its releases after January 2027
// need Node 22; a test may run a process on the machine's own Node.js, so the tests' output is kept to what they assert.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

import { randomUUID } from "node:crypto";
import * as fs from "node:fs";

/**
 * Every process a test starts ends with the run. Each process started from here inherits this marker in its environment
 * (the CLIs, their plugins and programs too: they pass their environment on), so those still running once every test
 * has finished can be told from any other process on the machine, including another run's.
 */
const RUN_MARKER = "LIVENESS_TEST_RUN";
process.env[RUN_MARKER] = randomUUID();

/** The processes of this run still alive, other than this one: pid and command line (Linux's /proc; elsewhere none). */
export function processesOfThisRun(): { pid: number; command: string }[] {
    if (!fs.existsSync("/proc/self/environ")) return [];
    const marker = `${RUN_MARKER}=${process.env[RUN_MARKER]}`;
    const found: { pid: number; command: string }[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        const pid = Number(entry);
        if (!Number.isInteger(pid) || pid === process.pid) continue;
        try {
            if (!fs.readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").includes(marker)) continue;
            const stat = fs.readFileSync(`/proc/${pid}/stat`, "latin1");
            if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue; // exited, not yet reaped
            const command = fs.readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0").join(" ").trim();
            // Its working folder says which test's stack or project it served.
            found.push({ pid, command: `${command} (in ${fs.readlinkSync(`/proc/${pid}/cwd`)})` });
        } catch {
            // Gone meanwhile, or not ours to read.
        }
    }
    return found;
}

export const mochaHooks = {
    /** Fails the run naming each process a test started and left running (after a grace for those on their way out), then ends them. */
    async afterAll(this: Mocha.Context): Promise<void> {
        this.timeout(30_000);
        // The CLI gives plugins 5 s after an interrupt before it kills them; a process may still be on its way out.
        const deadline = Date.now() + 10_000;
        let left = processesOfThisRun();
        while (left.length > 0 && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 250));
            left = processesOfThisRun();
        }
        for (const { pid } of left) {
            try {
                process.kill(pid, "SIGKILL");
            } catch {
                // Already gone.
            }
        }
        if (left.length > 0) {
            throw new Error(
                `processes started by the tests were still running after them:\n${left.map((p) => `  ${p.pid} ${p.command}`).join("\n")}`,
            );
        }
    },
};
