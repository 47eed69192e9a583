/**
 * Programs in other languages that use the `liveness` provider plugin, set up the way a user's are: a copy of a program
 * folder under test/engine/programs, what its language needs beside it, and `pulumi package add` of `plugin/`.
 */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import * as yaml from "js-yaml";
import { TestStack } from "./pulumiCli";
import { EngineSuite } from "./layer";

const projectDir = path.resolve(__dirname, "../../..");
export const pluginDir = path.join(projectDir, "plugin");
export const programsDir = path.resolve(__dirname, "../programs");
/** The Pulumi version of package-lock.json: the CLI, the Python SDK and the Go SDK the engine layer uses. */
export const pulumiVersion = JSON.parse(fs.readFileSync(path.join(projectDir, "package-lock.json"), "utf8")).packages[
    "node_modules/@pulumi/pulumi"
].version as string;

/** The languages of the consumer programs, by the language of a program folder. */
export type Language = "yaml" | "go" | "python";

/** What each language's program needs beside its copy before `package add`. */
const prepare: Record<Language, (programDir: string) => void> = {
    yaml: () => {},
    go: () => {},
    // The program's virtualenv (runtime option `virtualenv: venv`): the Python environment npm run engine made.
    python: (programDir) => fs.symlinkSync(path.dirname(path.dirname(sdkTools().python)), path.join(programDir, "venv")),
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
 * A stack of a fresh copy of the program folder `program` (in `language`), with the package added by `pulumi package
 * add` as a user adds it. The copy is removed with the suite's stacks.
 */
export async function consumerStack(
    suite: EngineSuite,
    language: Language,
    program: string,
    config: Record<string, string> = {},
): Promise<TestStack> {
    const programDir = fs.mkdtempSync(path.join(os.tmpdir(), `liveness-${program}-`));
    fs.cpSync(path.join(programsDir, program), programDir, { recursive: true });
    prepare[language](programDir);
    const stack = await suite.stack(programDir, {}, config);
    suite.removeWithStacks(programDir);
    const added = await stack.ok(["package", "add", pluginDir]);
    assert.match(added.stderr + added.stdout, /Added package Rekognition Face Liveness/);
    const project = yaml.load(fs.readFileSync(path.join(programDir, "Pulumi.yaml"), "utf8")) as { packages?: Record<string, unknown> };
    assert.deepEqual(project.packages, { liveness: pluginDir }, "the project records where the package comes from");
    return stack;
}

/** Takes the generated Python SDK that `package add` installed out of the shared Python environment again. */
export async function uninstallPythonSdk(): Promise<void> {
    const dir = path.join(projectDir, ".engine", `v${pulumiVersion}`, "sdk");
    if (!fs.existsSync(path.join(dir, ".complete"))) return;
    await promisify(execFile)(sdkTools().python, ["-m", "pip", "uninstall", "--quiet", "--yes", "pulumi_liveness"]).catch(() => undefined);
}
