/**
 * An `up` killed in the middle of creates (the CLI and every plugin it started, as when a CI job is cancelled or a
 * laptop sleeps), then what the user does next, under the real engine: what they see, what the state and the service
 * hold, and that no session in state is lost.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { RekognitionEmulator } from "../../emulator/rekognitionEmulator";
import { TestStack, diagnostics } from "./support/pulumiCli";
import { EngineSuite } from "./support/layer";

/** The processes started, directly or not, by `pid` (plugins run in process groups of their own). */
function descendants(pid: number): number[] {
    const table = execFileSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" })
        .trim()
        .split("\n")
        .map((line) => line.trim().split(/\s+/).map(Number));
    const children = (parent: number): number[] =>
        table.filter(([, ppid]) => ppid === parent).flatMap(([child]) => [child, ...children(child)]);
    return children(pid);
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
        if (Date.now() > deadline) throw new Error("timed out");
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

describe("the real Pulumi engine: an up killed in the middle of creates", function () {
    this.timeout(120_000);
    let suite: EngineSuite;
    let emulator: RekognitionEmulator;
    let stack: TestStack;
    const names = ["k1", "k2", "k3", "k4"];

    before(async function () {
        // The service creates each session at once but answers 3 s later: the kill lands between the two.
        suite = await EngineSuite.start(this, { createLatencyMs: 3000 });
        emulator = suite.emulator;
        const sessions = JSON.stringify(Object.fromEntries(names.map((n) => [n, {}])));
        stack = await suite.stack("sessions", {}, { "aws:region": "us-east-1", sessions });
    });
    after(() => suite?.close());

    it("creates in flight become pending operations; after pulumi cancel, the next up creates each session anew", async () => {
        const killed = stack.start(["up", "--yes", "--skip-preview", "--parallel", "8"]);
        await waitFor(() => emulator.sessions.size === names.length, 30000);
        // Everything at once, as when the machine running the CLI goes away: the CLI, its language host, the program
        // and the dynamic-provider host (which, unlike other plugins, never notices that the engine is gone).
        for (const pid of [killed.child.pid!, ...descendants(killed.child.pid!)]) process.kill(pid, "SIGKILL");
        await killed.done;
        const unrecorded = [...emulator.sessions.keys()];

        // State: no session, each create in flight a pending operation (the service did create them).
        const interrupted = await stack.exportState();
        assert.deepEqual(
            interrupted.pendingOperations.map((p) => [p.type, p.resource.urn]).sort(),
            names.map((n) => ["creating", stack.urn(n)]),
        );
        assert.deepEqual(Object.keys(await stack.sessions()), []);

        // The killed CLI left its lock: the next up refuses to start, and changes nothing.
        emulator.options.createLatencyMs = 0;
        const locked = await stack.run(["up", "--yes", "--skip-preview"]);
        assert.notEqual(locked.code, 0);
        assert.deepEqual(locked.events, []);
        assert.deepEqual((await stack.exportState()).pendingOperations, interrupted.pendingOperations);

        // After `pulumi cancel`, up warns of the interrupted creates and creates every session with a new token.
        await stack.ok(["cancel", "--yes"]);
        const next = await stack.ok(["up", "--yes", "--skip-preview"]);
        const [warning] = diagnostics(next, "warning").filter((w) => w.includes("pending operations"));
        for (const name of names) assert.ok(warning.includes(`${stack.urn(name)}, interrupted while creating`), name);
        // The engine keeps the interrupted creates as pending until a refresh clears them; the sessions are untouched.
        assert.equal((await stack.exportState()).pendingOperations.length, names.length);
        await stack.ok(["refresh", "--yes", "--clear-pending-creates"]);
        assert.deepEqual((await stack.exportState()).pendingOperations, []);
        const sessions = await stack.sessions();
        assert.deepEqual(Object.keys(sessions).sort(), names);
        for (const session of Object.values(sessions)) {
            assert.ok(emulator.sessions.has(session.id!), "each session in state exists on the service");
            assert.equal(unrecorded.includes(session.id!), false, "a new session: the unrecorded one expires unused");
        }
        assert.equal(emulator.sessions.size, 2 * names.length);
    });
});
