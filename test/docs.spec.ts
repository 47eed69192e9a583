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
const pages = ["README.md", ...fs.readdirSync(path.join(projectDir, "docs")).map((page) => `docs/${page}`)];

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
});
