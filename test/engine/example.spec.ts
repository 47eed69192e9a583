/**
 * scripts/example.sh (npm run example:preview / example:up / example:destroy) only reads the tracked Pulumi.dev.yaml:
 * the stack's encryption salt, which `pulumi stack init` writes into the stack's config file, goes to .pulumi-state/.
 * Run with the real CLI in a copy of the project's stack files (the example stack itself needs the AWS provider plugin
 * and an account, so its preview fails here after the stack is set up; that is not what is checked).
 */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { engineOrSkip } from "./support/layer";

const run = promisify(execFile);
const projectDir = path.resolve(__dirname, "../..");

describe("npm run example:*: the example stack's commands", function () {
    this.timeout(120_000);
    let copy: string;
    let binDir: string;

    before(function () {
        binDir = engineOrSkip(this);
        copy = fs.mkdtempSync(path.join(os.tmpdir(), "liveness-example-"));
        for (const file of [
            "scripts/example.sh",
            "scripts/engine.sh",
            "Pulumi.yaml",
            "Pulumi.dev.yaml",
            "index.ts",
            "package.json",
            "package-lock.json",
        ]) {
            fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
            fs.copyFileSync(path.join(projectDir, file), path.join(copy, file));
        }
        // What engine.sh reads to find the CLI `npm run engine` built: its sources' pins, and .engine/ itself.
        for (const folder of ["node_modules", "tools", ".engine"]) fs.symlinkSync(path.join(projectDir, folder), path.join(copy, folder));
    });
    after(() => copy && fs.rmSync(copy, { recursive: true, force: true }));

    /** `bash scripts/example.sh preview` in the copy, with nothing of AWS and, unless `onPath` is false, the engine's CLI first on PATH. */
    async function preview(onPath = true): Promise<string> {
        // Without it: no folder holding a `pulumi` on PATH at all, as on a machine where only `npm run engine` built one.
        const withoutPulumi = (process.env.PATH ?? "")
            .split(path.delimiter)
            .filter((dir) => !fs.existsSync(path.join(dir, "pulumi")))
            .join(path.delimiter);
        const env = {
            ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AWS_") && !name.startsWith("PULUMI_"))),
            PATH: onPath ? `${binDir}${path.delimiter}${process.env.PATH}` : withoutPulumi,
            PULUMI_HOME: path.join(copy, ".pulumi-home"),
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        };
        const done = await run("bash", ["scripts/example.sh", "preview"], { cwd: copy, env }).then(
            ({ stdout, stderr }) => stdout + stderr,
            (error: { stdout: string; stderr: string }) => error.stdout + error.stderr,
        );
        return done;
    }

    it("creates the stack, and previews it again, without rewriting the tracked Pulumi.dev.yaml", async () => {
        const tracked = fs.readFileSync(path.join(projectDir, "Pulumi.dev.yaml"), "utf8");
        const first = await preview();
        assert.match(first, /Created stack 'dev'/);
        assert.match(first, /Previewing update \(dev\)/, first);
        const used = fs.readFileSync(path.join(copy, ".pulumi-state/Pulumi.dev.yaml"), "utf8");
        const salt = /^encryptionsalt: .+$/m.exec(used)?.[0];
        assert.ok(salt, `no salt in the stack's config file:\n${used}`);
        assert.equal(used, `${salt}\n${tracked}`, "the CLI ran with the tracked config as written, and the salt");

        const second = await preview();
        assert.doesNotMatch(second, /Created stack/);
        assert.match(second, /Previewing update \(dev\)/, second);
        assert.equal(fs.readFileSync(path.join(copy, ".pulumi-state/Pulumi.dev.yaml"), "utf8"), used, "the same salt, reused");
        assert.equal(fs.readFileSync(path.join(copy, "Pulumi.dev.yaml"), "utf8"), tracked);
        assert.deepEqual(fs.readdirSync(copy).sort(), [
            ".engine",
            ".pulumi-home",
            ".pulumi-state",
            "Pulumi.dev.yaml",
            "Pulumi.yaml",
            "index.ts",
            "node_modules",
            "package-lock.json",
            "package.json",
            "scripts",
            "tools",
        ]);
    });

    it("finds the CLI npm run engine built when there is none on PATH, as the demo does", async () => {
        const output = await preview(false);
        assert.doesNotMatch(output, /The Pulumi CLI is not installed/);
        assert.match(output, /Previewing update \(dev\)/, output);
    });
});
