// Gives the plugin (plugin/package.json) the package's version and Node.js engines, pins its dependencies to the
// versions the root lock installs, and writes plugin/package-lock.json from the root lock, so the plugin a git-URL add
// installs runs the very modules the tests ran: npm starts from a copy of the root lock, keeps every locked version
// that satisfies the plugin's ranges and drops the packages the plugin does not reach. Run by `npm run plugin:lock` after a dependency changes; a test checks
// that the committed files are what it writes. `--dir <folder>` writes into a copy of plugin/ elsewhere.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const dirFlag = process.argv.indexOf("--dir");
const dir = dirFlag === -1 ? path.join(root, "plugin") : path.resolve(process.argv[dirFlag + 1]);

const rootLock = JSON.parse(fs.readFileSync(path.join(root, "package-lock.json"), "utf8"));
const rootManifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const manifestFile = path.join(dir, "package.json");
const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
manifest.version = rootManifest.version;
manifest.engines = rootManifest.engines;
for (const name of Object.keys(manifest.dependencies)) {
    const locked = rootLock.packages[`node_modules/${name}`];
    if (!locked) throw new Error(`plugin/package.json depends on ${name}, which the root package-lock.json does not install`);
    manifest.dependencies[name] = locked.version;
}
fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + "\n");

const { name, version, license, dependencies, engines } = manifest;
const lock = { ...rootLock, name, version, packages: { ...rootLock.packages, "": { name, version, license, dependencies, engines } } };
fs.writeFileSync(path.join(dir, "package-lock.json"), JSON.stringify(lock, null, 2) + "\n");
execFileSync("npm", ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: dir,
    stdio: "inherit",
});
