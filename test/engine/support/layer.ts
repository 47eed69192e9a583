/**
 * Whether the engine layer runs: always when an engine is at hand; when none is, CI fails the run and a developer's
 * `npm test` prints one line saying it skipped the layer and why.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { EmulatorOptions, RekognitionEmulator, startEmulator } from "../../../emulator/rekognitionEmulator";
import { TestStack, findEngine } from "./pulumiCli";

let announced = false;

/** The folder holding `pulumi`, or skips the calling suite (failing instead where the layer is required). */
export function engineOrSkip(context: Mocha.Context): string {
    const engine = findEngine();
    if ("binDir" in engine) return engine.binDir;
    const required = process.env.CI === "true" || process.env.LIVENESS_ENGINE_REQUIRED === "1";
    if (required) {
        throw new Error(`the engine layer is required here (CI or LIVENESS_ENGINE_REQUIRED=1), but ${engine.missing}`);
    }
    if (!announced) {
        announced = true;
        console.log(`\n  SKIPPED the real-engine layer (test/engine/): ${engine.missing}\n`);
    }
    context.skip();
}

/** The oldest CLI the README claims for a git-URL add (tools/engine/oldest), built by `npm run engine`. */
export const oldestCliVersion = /github\.com\/pulumi\/pulumi\/pkg\/v3 v([0-9.]+)/.exec(
    fs.readFileSync(path.resolve(__dirname, "../../../tools/engine/oldest/go.mod"), "utf8"),
)![1];

/** The folder holding the oldest CLI, or skips the calling suite (failing instead where the layer is required). */
export function oldestCliOrSkip(context: Mocha.Context): string {
    const dir = path.resolve(__dirname, "../../..", ".engine", `oldest-v${oldestCliVersion}`);
    if (fs.existsSync(path.join(dir, "pulumi"))) return dir;
    const missing = `the oldest CLI tested, ${oldestCliVersion}, is not built in ${dir} (run npm run engine; it needs Go)`;
    if (process.env.CI === "true" || process.env.LIVENESS_ENGINE_REQUIRED === "1") {
        throw new Error(`the engine layer is required here (CI or LIVENESS_ENGINE_REQUIRED=1), but ${missing}`);
    }
    console.log(`\n  SKIPPED the oldest-CLI tests: ${missing}\n`);
    context.skip();
}

/**
 * What every engine suite needs: the engine, a Rekognition emulator that the AWS SDK of this process and of every CLI
 * it starts points at, and stacks that are removed with it. Start it in `before`, close it in `after`.
 */
export class EngineSuite {
    private readonly stacks: TestStack[] = [];
    private readonly folders: string[] = [];

    private constructor(
        readonly binDir: string,
        readonly emulator: RekognitionEmulator,
        private readonly restoreEnv: () => void,
    ) {}

    static async start(context: Mocha.Context, emulatorOptions: EmulatorOptions = {}): Promise<EngineSuite> {
        const binDir = engineOrSkip(context);
        const { emulator, restoreEnv } = await startEmulator(emulatorOptions);
        return new EngineSuite(binDir, emulator, restoreEnv);
    }

    /**
     * A new stack of `program` (a folder of test/engine/programs) with the given environment on top of this process's,
     * its own Pulumi home unless `home` names one to share, run by this suite's CLI unless `cli` names another folder
     * holding a `pulumi` (which then finds this suite's language hosts on PATH).
     */
    async stack(
        program: string,
        env: NodeJS.ProcessEnv = {},
        config: Record<string, string> = {},
        { home, cli }: { home?: string; cli?: string } = {},
    ): Promise<TestStack> {
        const hosts = cli ? { PATH: `${this.binDir}${path.delimiter}${env.PATH ?? process.env.PATH}` } : {};
        const stack = await TestStack.create(cli ?? this.binDir, program, { ...process.env, ...env, ...hosts }, { home });
        this.stacks.push(stack);
        for (const [key, value] of Object.entries(config)) await stack.setConfig(key, value);
        return stack;
    }

    /** Removes `folder` (a copy of a program) when the suite closes. */
    removeWithStacks(folder: string): void {
        this.folders.push(folder);
    }

    async close(): Promise<void> {
        for (const stack of this.stacks) await stack.remove();
        for (const folder of this.folders) fs.rmSync(folder, { recursive: true, force: true });
        await this.emulator.stop();
        this.restoreEnv();
    }
}
