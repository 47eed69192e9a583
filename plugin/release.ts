/**
 * The release the plugin serves, read from the package's own package.json: its version (the plugin's, the schema's,
 * and the git tag `v<version>` it is added at) and where it is published. package.json is the one place these are
 * written; a release tag that disagrees with it fails CI (scripts/releaseCheck.mjs).
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The name of the package.json that holds the release: the npm package's. */
const packageName = "pulumi-rekognition-liveness";

export interface PackageRelease {
    version: string;
    /** The repository's web address: https://github.com/<org>/<repo>. */
    repository: string;
    homepage: string;
    license: string;
}

/** The release, from the nearest package.json of the package above `dir`: bin/plugin, plugin/dist or plugin. */
export function packageRelease(dir: string = __dirname): PackageRelease {
    for (let at = dir; at !== path.dirname(at); at = path.dirname(at)) {
        const file = path.join(at, "package.json");
        if (!fs.existsSync(file)) continue;
        const manifest = JSON.parse(fs.readFileSync(file, "utf8"));
        if (manifest.name !== packageName) continue;
        return {
            version: manifest.version,
            repository: repositoryAddress(manifest.repository?.url ?? manifest.repository),
            homepage: manifest.homepage,
            license: manifest.license,
        };
    }
    throw new Error(`no package.json of ${packageName} above ${dir}`);
}

/** `git+https://github.com/<org>/<repo>.git` (npm's form) as https://github.com/<org>/<repo>. */
function repositoryAddress(url: unknown): string {
    const match = typeof url === "string" ? /^(?:git\+)?https:\/\/([^/]+\/[^/]+\/[^/]+?)(?:\.git)?$/.exec(url) : null;
    if (!match) throw new Error(`package.json's repository.url is ${JSON.stringify(url)}: expected git+https://<host>/<org>/<repo>.git`);
    return `https://${match[1]}`;
}
