// Refuses a release whose versions disagree. Users add the plugin at a git tag
// (`pulumi package add github.com/<org>/<repo>/plugin@v<version>`), and their engines fetch it again by the version the
// generated SDKs carry, so the tag, package.json (the npm package's version, which the plugin and its schema report),
// plugin/package.json with its lock, and the policy pack's policy/package.json must all say the same version.
//
//   node scripts/releaseCheck.mjs                 checks the files, and every v* tag at HEAD (none outside a git checkout)
//   node scripts/releaseCheck.mjs --tag v1.2.3    checks the files against that tag (a release workflow passes its tag)
//   --root <folder>                               checks another checkout of this repository
//
// Run before the tests (npm test's pretest) and by the release workflow on every pushed tag.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const flag = (name) => {
    const at = process.argv.indexOf(name);
    return at === -1 ? undefined : process.argv[at + 1];
};
const root = path.resolve(flag("--root") ?? path.join(import.meta.dirname, ".."));
const read = (file) => JSON.parse(fs.readFileSync(path.join(root, file), "utf8"));

const { version } = read("package.json");
const pluginLock = read("plugin/package-lock.json");
const versions = {
    "plugin/package.json": read("plugin/package.json").version,
    "plugin/package-lock.json": pluginLock.version,
    'plugin/package-lock.json packages[""]': pluginLock.packages[""].version,
    // The policy pack ships in the same release: `pulumi preview --policy-pack` reports its version.
    "policy/package.json": read("policy/package.json").version,
};

/** The release tags to check: the one given, else those at HEAD. */
function tags() {
    const given = flag("--tag");
    if (given !== undefined) return [given];
    try {
        const atHead = execFileSync("git", ["tag", "--points-at", "HEAD"], {
            cwd: root,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "ignore"],
        });
        return atHead.split("\n").filter((tag) => /^v\d/.test(tag));
    } catch {
        return []; // not a git checkout (an unpacked npm package): no tag to check
    }
}
for (const tag of tags()) versions[`the tag ${tag}`] = tag.replace(/^v/, "");

const wrong = Object.entries(versions).filter(([, value]) => value !== version);
if (wrong.length > 0) {
    console.error(
        `release check: package.json's version is ${version}, but ` +
            wrong.map(([where, value]) => `${where} says ${JSON.stringify(value)}`).join(", ") +
            `. A release is tagged v${version}; after changing the version run npm run plugin:lock.`,
    );
    process.exit(1);
}
