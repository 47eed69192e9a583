/**
 * The README's command for seeing the package work with no AWS account, `npm run demo` (scripts/demo.ts), run as a
 * user runs it after the set-up: the emulator started, the demo stack's `up`, `refresh` and `destroy` through the
 * engine `npm run engine` gives, and the session API's handler answering a device; and the working tree left as it was.
 */
import { strict as assert } from "node:assert";
import { execFile, execFileSync } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { engineOrSkip } from "./support/layer";

const run = promisify(execFile);
const projectDir = path.resolve(__dirname, "../..");
/** Every file git sees, tracked or not, with its status: what a command run in the tree must leave as it found. */
const treeStatus = () =>
    execFileSync("git", ["status", "--porcelain", "--untracked-files=all", "--ignored=no"], { cwd: projectDir, encoding: "utf8" });

describe("npm run demo: the package at work against the emulator, with the engine npm run engine gives", function () {
    this.timeout(180_000);
    let output: string;
    let treeBefore: string;
    let treeAfter: string;

    before(async function () {
        engineOrSkip(this);
        treeBefore = treeStatus();
        // The user's shell: no AWS variables at all (the demo sets its own), and whatever else this process has.
        const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AWS_")));
        const { stdout, stderr } = await run("npm", ["run", "demo"], { cwd: projectDir, env, maxBuffer: 16 * 1024 * 1024 });
        output = stdout + stderr;
        treeAfter = treeStatus();
    });

    it("creates the stack's two sessions in the emulator and prints their ids", () => {
        assert.match(output, /\+ 3 created/);
        const ids = /sessionIds: \{\s+onboarding: "([0-9a-f-]{36})"\s+step-up\s+: "([0-9a-f-]{36})"/.exec(output);
        assert.ok(ids, `no session ids in:\n${output}`);
        assert.match(output, new RegExp(`the emulator holds: (${ids[1]}|${ids[2]}) CREATED, (${ids[1]}|${ids[2]}) CREATED`));
    });

    it("refreshes them, finding nothing changed, then destroys them and removes the stack", () => {
        assert.match(output, /Refreshing \(demo\)[\s\S]*3 unchanged/);
        assert.match(output, /Destroying \(demo\)[\s\S]*- 3 deleted/);
        assert.match(output, /Stack 'demo' has been removed/);
        assert.match(output, /demo: done/);
    });

    it("shows the session API's handler creating a session for its caller and answering its owner only pass or fail", () => {
        const created = /POST \/sessions as alice -> 201 \{"sessionId":"([0-9a-f-]{36})","region":"us-east-1"\}/.exec(output);
        assert.ok(created, `no session created by the API in:\n${output}`);
        const id = created[1];
        assert.ok(output.includes(`GET /sessions/${id} as alice -> 200 {"sessionId":"${id}","status":"CREATED","live":null}`));
        assert.ok(output.includes(`GET /sessions/${id} as alice -> 200 {"sessionId":"${id}","status":"SUCCEEDED","live":true}`));
        assert.ok(output.includes(`GET /sessions/${id} as mallory -> 404 {"error":"no such session"}`));
        // What the API answered and logged (the JSON lines): never the score the emulator was told.
        const fromTheApi = output.split("\n").filter((line) => line.includes(" -> ") || line.startsWith('{"level"'));
        // Four answers and the function's two log lines (session created, verdict recorded).
        assert.equal(fromTheApi.length, 6, fromTheApi.join("\n"));
        for (const line of fromTheApi) assert.doesNotMatch(line, /onfidence|\b98\b/, line);
    });

    it("leaves every file of the working tree as it was, tracked or not", () => {
        assert.equal(treeAfter, treeBefore);
    });
});
