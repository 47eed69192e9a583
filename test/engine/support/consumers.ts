/**
 * Programs in other languages that use the `liveness` provider plugin, set up the way a user's are: a copy of a program
 * folder under test/engine/programs, what its language needs beside it, and `pulumi package add` of the package's
 * source, a git URL at the release tag as the README gives it.
 */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import * as yaml from "js-yaml";
import { packageRelease } from "../../../plugin/release";
import { publication } from "../../../plugin/schema";
import { TestStack } from "./pulumiCli";
import { EngineSuite } from "./layer";

const projectDir = path.resolve(__dirname, "../../..");
export const pluginDir = path.join(projectDir, "plugin");
export const programsDir = path.resolve(__dirname, "../programs");
/** The Pulumi version of package-lock.json: the CLI, the Python SDK and the Go SDK the engine layer uses. */
export const pulumiVersion = JSON.parse(fs.readFileSync(path.join(projectDir, "package-lock.json"), "utf8")).packages[
    "node_modules/@pulumi/pulumi"
].version as string;

/** The release under test (package.json) and its repository, github.com/<org>/<repo>. */
export const release = packageRelease();
const [org, repo] = new URL(release.repository).pathname.slice(1).split("/");
export const releaseRepository = { host: new URL(release.repository).host, org, repo, tag: `v${release.version}` };
/** What a user adds, as the README says: the plugin folder of the repository at the release's tag. */
export const gitSource = `${releaseRepository.host}/${org}/${repo}/plugin@${releaseRepository.tag}`;
export const { goImportBasePath } = publication(release);

/** The languages of the consumer programs, by the language of a program folder. */
export type Language = "yaml" | "go" | "python";

/** What each language's program needs beside its copy before `package add`. */
/**
 * Python's virtualenv (runtime option `virtualenv: venv`): "shared", a link to the Python environment npm run engine
 * made, where the SDK's dependencies are already; "fresh", none, as in a project `pulumi new python` made, so that
 * `package add` creates it and installs requirements.txt into it as the language host does for a user.
 */
export type Virtualenv = "shared" | "fresh";

const prepare: Record<Language, (programDir: string, virtualenv: Virtualenv) => void> = {
    yaml: () => {},
    go: () => {},
    python: (programDir, virtualenv) => {
        if (virtualenv === "shared") fs.symlinkSync(path.dirname(path.dirname(sdkTools().python)), path.join(programDir, "venv"));
    },
};

/** The SDK generator and Python environment `npm run engine` makes; fails, saying so, where they are missing. */
export function sdkTools(): { gensdk: string; python: string } {
    const dir = path.join(projectDir, ".engine", `v${pulumiVersion}`, "sdk");
    if (!fs.existsSync(path.join(dir, ".complete"))) {
        throw new Error(
            `the SDK tests need ${dir} (the SDK generator and a Python environment): run npm run engine (needs Go and Python 3.9+)`,
        );
    }
    return { gensdk: path.join(dir, "pulumi-gensdk"), python: path.join(dir, "python", "bin", "python") };
}

/**
 * A stack of a fresh copy of the program folder `program` (in `language`), with the package added from `source` by
 * `pulumi package add` as a user adds it, in the environment `env` and the Pulumi home `home`, with the suite's CLI
 * or the one in the folder `cli`. The copy is removed with the suite's stacks.
 */
export async function consumerStack(
    suite: EngineSuite,
    language: Language,
    program: string,
    {
        source,
        config = {},
        env = {},
        home,
        cli,
        virtualenv = "shared",
    }: { source: string; config?: Record<string, string>; env?: NodeJS.ProcessEnv; home?: string; cli?: string; virtualenv?: Virtualenv },
): Promise<TestStack> {
    const programDir = fs.mkdtempSync(path.join(os.tmpdir(), `liveness-${program}-`));
    fs.cpSync(path.join(programsDir, program), programDir, { recursive: true });
    prepare[language](programDir, virtualenv);
    const stack = await suite.stack(programDir, env, config, { home, cli });
    suite.removeWithStacks(programDir);
    const added = await stack.ok(["package", "add", source]);
    assert.match(added.stderr + added.stdout, /Added package (\S+\/)?Rekognition Face Liveness/);
    const packages = projectPackages(programDir) as Record<string, string>;
    assert.deepEqual(Object.keys(packages), ["liveness"]);
    assert.match(packages.liveness, recordedAs(source), "the project records where the package comes from");
    if (language === "yaml") assertYamlPackageLock(programDir);
    else assertSdkFetchesThisPlugin(programDir);
    return stack;
}

/**
 * What Pulumi.yaml records for `source`: a git source as given where `package add` installs the plugin, but with the
 * tag's `v` dropped where the plugin was installed already (CLI 3.248); both name the tag refs/tags/v<version>.
 */
export function recordedAs(source: string): RegExp {
    const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    const tagged = /^(.*)@v(\d+\.\d+\.\d+)$/.exec(source);
    return new RegExp(tagged ? `^${escape(tagged[1])}@v?${escape(tagged[2])}$` : `^${escape(source)}$`);
}

/**
 * The SDK `package add` generated in the project says which plugin its programs need: this release's version, from the
 * git source the README gives (the schema's pluginDownloadURL), so a consumer's engine installs exactly that plugin.
 */
export function assertSdkFetchesThisPlugin(programDir: string): void {
    const found = fs
        .readdirSync(path.join(programDir, "sdks"), { recursive: true, encoding: "utf8" })
        .filter((file) => path.basename(file) === "pulumi-plugin.json");
    // Python's, and its copy where pip built the SDK in its folder.
    assert.ok(found.length > 0, "the generated SDK has its pulumi-plugin.json");
    for (const file of found) {
        assert.deepEqual(JSON.parse(fs.readFileSync(path.join(programDir, "sdks", file), "utf8")), {
            resource: true,
            name: "liveness",
            version: release.version,
            server: publication(release).pluginDownloadURL,
        });
    }
}

/**
 * YAML gets no code, but pulumi-yaml's GeneratePackage writes a package lock, sdks/<folder>/liveness-<version>.yaml,
 * naming the plugin its programs need, as docs/other-languages.md says (the folder is the package's name, after its
 * publisher's namespace where the source gives one: rekognition-liveness-liveness from the git tag).
 */
export function assertYamlPackageLock(programDir: string): void {
    const [folder, ...more] = fs.readdirSync(path.join(programDir, "sdks"));
    assert.deepEqual(more, [], "one package folder");
    assert.deepEqual(fs.readdirSync(path.join(programDir, "sdks", folder)), [`liveness-${release.version}.yaml`]);
    const lock = yaml.load(fs.readFileSync(path.join(programDir, "sdks", folder, `liveness-${release.version}.yaml`), "utf8"));
    assert.deepEqual(lock, {
        packageDeclarationVersion: 1,
        name: "liveness",
        version: release.version,
        downloadUrl: publication(release).pluginDownloadURL,
    });
}

/** The `packages:` of the project in `programDir`. */
export function projectPackages(programDir: string): Record<string, string> | undefined {
    return (yaml.load(fs.readFileSync(path.join(programDir, "Pulumi.yaml"), "utf8")) as { packages?: Record<string, string> }).packages;
}

/** Takes the generated Python SDK that `package add` installed out of the shared Python environment again. */
export async function uninstallPythonSdk(): Promise<void> {
    const dir = path.join(projectDir, ".engine", `v${pulumiVersion}`, "sdk");
    if (!fs.existsSync(path.join(dir, ".complete"))) return;
    await promisify(execFile)(sdkTools().python, ["-m", "pip", "uninstall", "--quiet", "--yes", "pulumi_liveness"]).catch(() => undefined);
}
