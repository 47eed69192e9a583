/**
 * What the README and docs/ say about working on the project, held to what it does: their tables are well formed, and
 * the documented way to run one test file runs that file only.
 */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const projectDir = path.resolve(__dirname, "..");
const pages = [
    "README.md",
    ...fs
        .readdirSync(path.join(projectDir, "docs"))
        .filter((page) => page.endsWith(".md"))
        .map((page) => `docs/${page}`),
];

describe("the README and docs/", () => {
    it("have tables with one header row each: no table repeats its header", () => {
        for (const page of pages) {
            const lines = fs.readFileSync(path.join(projectDir, page), "utf8").split("\n");
            lines.forEach((line, i) => {
                const separator = /^\|( *:?-+:? *\|)+$/;
                if (!separator.test(line)) return;
                assert.ok(
                    i >= 1 && lines[i - 1].startsWith("|") && (i < 2 || !lines[i - 2].startsWith("|")),
                    `${page}:${i + 1}: a header row, then this separator`,
                );
                assert.ok(!separator.test(lines[i + 1] ?? ""), `${page}:${i + 2}: a second separator`);
                assert.notEqual(lines[i + 1], lines[i - 1], `${page}:${i + 2} repeats the header row`);
            });
        }
    });

    it("give a command that runs one test file, and it runs only that file", async () => {
        const readme = fs.readFileSync(path.join(projectDir, "README.md"), "utf8");
        const documented = /`npx mocha (test\/[\w/.]+\.spec\.ts)`/.exec(readme);
        assert.ok(documented, "the README shows `npx mocha test/….spec.ts`");
        const file = documented[1];
        assert.ok(fs.existsSync(path.join(projectDir, file)), `${file} exists`);
        const { stdout } = await run(process.execPath, [require.resolve("mocha/bin/mocha.js"), "--dry-run", "--reporter", "json", file], {
            cwd: projectDir,
            maxBuffer: 16 * 1024 * 1024,
        });
        const listed = JSON.parse(stdout) as { tests: { file: string }[] };
        assert.ok(listed.tests.length > 0);
        assert.deepEqual([...new Set(listed.tests.map((test) => path.relative(projectDir, test.file)))], [file]);
    });

    it("name the Go version tools/engine/go.mod asks for and the Node.js the package's engines require", () => {
        const readme = fs.readFileSync(path.join(projectDir, "README.md"), "utf8");
        const goVersion = /^go (\S+)$/m.exec(fs.readFileSync(path.join(projectDir, "tools/engine/go.mod"), "utf8"))![1];
        assert.match(readme, new RegExp(`Go ${goVersion.replace(/\./g, "\\.")} or\\s+newer`));
        const engines = JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8")).engines.node as string;
        assert.equal(engines, ">=22");
        assert.match(readme, /the package itself needs Node\.js 22 or newer/);
    });

    it("say what npm run engine -- --help does: it prints the usage, and builds nothing", async () => {
        const { stdout, stderr } = await run("bash", [path.join(projectDir, "scripts/engine.sh"), "--help"], { cwd: projectDir });
        assert.match(stdout, /^Finds the Pulumi CLI that runs this project's stacks and engine tests/);
        assert.match(stdout, /bash scripts\/engine\.sh --find/);
        assert.match(stdout, /the oldest CLI the README claims/);
        assert.equal(stderr, "", "no build started");
        assert.match(fs.readFileSync(path.join(projectDir, "README.md"), "utf8"), /`npm run engine -- --help` prints its usage/);
    });
});
