/**
 * The release the plugin serves comes from the package's own package.json, the one place its version and address are
 * written: the plugin's, the schema's and the git tag's versions cannot drift apart in code.
 */
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { packageRelease } from "../../plugin/release";

const projectDir = path.resolve(__dirname, "../..");

describe("the plugin's release", () => {
    it("is read from the package's package.json, the repository as its web address", () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8"));
        assert.deepEqual(packageRelease(), {
            version: manifest.version,
            repository: manifest.repository.url.replace(/^git\+/, "").replace(/\.git$/, ""),
            homepage: manifest.homepage,
            license: manifest.license,
        });
        assert.match(packageRelease().repository, /^https:\/\/github\.com\/[^/]+\/[^/]+$/);
    });

    it("skips the plugin's own package.json on the way up, and says which field is wrong", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "liveness-release-"));
        try {
            fs.mkdirSync(path.join(dir, "plugin", "dist"), { recursive: true });
            fs.writeFileSync(
                path.join(dir, "plugin", "package.json"),
                JSON.stringify({ name: "pulumi-resource-liveness", version: "9.9.9" }),
            );
            fs.writeFileSync(
                path.join(dir, "package.json"),
                JSON.stringify({ name: "pulumi-rekognition-liveness", version: "1.0.0", repository: "github:someone/somewhere" }),
            );
            assert.throws(
                () => packageRelease(path.join(dir, "plugin", "dist")),
                /package\.json's repository\.url is "github:someone\/somewhere": expected git\+https:\/\/<host>\/<org>\/<repo>\.git/,
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("pins the plugin's dependencies to the root lock's versions, and its lock is what npm run plugin:lock writes", function () {
        this.timeout(60_000);
        const committed = (file: string) => fs.readFileSync(path.join(projectDir, "plugin", file), "utf8");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "liveness-plugin-lock-"));
        try {
            fs.writeFileSync(path.join(dir, "package.json"), committed("package.json"));
            execFileSync(process.execPath, [path.join(projectDir, "scripts", "pluginLock.mjs"), "--dir", dir], { stdio: "pipe" });
            assert.equal(fs.readFileSync(path.join(dir, "package.json"), "utf8"), committed("package.json"), "run npm run plugin:lock");
            assert.equal(
                fs.readFileSync(path.join(dir, "package-lock.json"), "utf8"),
                committed("package-lock.json"),
                "run npm run plugin:lock",
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
        const rootLock = JSON.parse(fs.readFileSync(path.join(projectDir, "package-lock.json"), "utf8"));
        const pluginLock = JSON.parse(committed("package-lock.json"));
        for (const [at, locked] of Object.entries<{ version: string }>(pluginLock.packages)) {
            if (at !== "") assert.equal(locked.version, rootLock.packages[at]?.version, `${at}: the version the tests ran`);
        }
    });
});

describe("the release check (scripts/releaseCheck.mjs, before the tests and on every pushed tag)", () => {
    const version = JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8")).version as string;
    const check = (...args: string[]) =>
        spawnSync(process.execPath, [path.join(projectDir, "scripts", "releaseCheck.mjs"), ...args], { encoding: "utf8" });

    /** A copy of the files the check reads, with `change` applied. */
    function checkout(change: (dir: string) => void = () => {}): string {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "liveness-release-check-"));
        fs.mkdirSync(path.join(dir, "plugin"));
        fs.mkdirSync(path.join(dir, "policy"));
        for (const file of ["package.json", "plugin/package.json", "plugin/package-lock.json", "policy/package.json"]) {
            fs.copyFileSync(path.join(projectDir, file), path.join(dir, file));
        }
        change(dir);
        return dir;
    }

    it(`passes the tag v${version}`, () => {
        const result = check("--tag", `v${version}`);
        assert.equal(result.status, 0, result.stderr);
    });

    it("refuses a tag that is not package.json's version, naming both", () => {
        const result = check("--tag", "v9.9.9");
        assert.equal(result.status, 1);
        assert.equal(
            result.stderr.trim(),
            `release check: package.json's version is ${version}, but the tag v9.9.9 says "9.9.9". ` +
                `A release is tagged v${version}; after changing the version run npm run plugin:lock.`,
        );
    });

    for (const [what, file, wrong] of [
        ["a plugin", "plugin/package.json", "0.0.1"],
        ["a policy pack", "policy/package.json", "0.1.0"],
    ]) {
        it(`refuses ${what} whose version is not package.json's`, () => {
            const dir = checkout((at) => {
                const changed = path.join(at, file);
                fs.writeFileSync(changed, JSON.stringify({ ...JSON.parse(fs.readFileSync(changed, "utf8")), version: wrong }));
            });
            try {
                const result = check("--root", dir);
                assert.equal(result.status, 1);
                assert.ok(result.stderr.includes(`but ${file} says "${wrong}".`), result.stderr);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    }

    it("checks every v* tag at HEAD of a checkout, as CI does on a clone of a tag", () => {
        const dir = checkout();
        try {
            const git = (...args: string[]) =>
                execFileSync("git", args, {
                    cwd: dir,
                    stdio: "pipe",
                    env: {
                        ...process.env,
                        GIT_AUTHOR_NAME: "t",
                        GIT_AUTHOR_EMAIL: "t@t.invalid",
                        GIT_COMMITTER_NAME: "t",
                        GIT_COMMITTER_EMAIL: "t@t.invalid",
                    },
                });
            git("init", "--quiet");
            git("add", "--all");
            git("commit", "--quiet", "--message", "release");
            git("tag", `v${version}`);
            assert.equal(check("--root", dir).status, 0);
            git("tag", "v0.0.9");
            const result = check("--root", dir);
            assert.equal(result.status, 1);
            assert.match(result.stderr, /but the tag v0\.0\.9 says "0\.0\.9"\./);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
