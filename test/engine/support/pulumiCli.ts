/**
 * Runs the real Pulumi CLI and engine (`npm run engine` finds or builds it: scripts/engine.sh) on a local file backend
 * in a temporary folder, for the test programs under test/engine/programs/. Everything is read from machine-readable
 * output: `--json` documents, `pulumi stack export`, `pulumi config --json`, and the engine's event log.
 */
import { execFileSync, spawn, ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { faceLivenessSessionType } from "../../../providers/faceLivenessSession";

const projectDir = path.resolve(__dirname, "../../..");
export const programsDir = path.resolve(__dirname, "../programs");

/** Where `pulumi` is, or why there is none. */
export function findEngine(): { binDir: string } | { missing: string } {
    try {
        const out = execFileSync("bash", [path.join(projectDir, "scripts/engine.sh"), "--find"], {
            cwd: projectDir,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
        });
        return { binDir: out.trim().split("\n").pop()! };
    } catch (error) {
        const stderr = String((error as { stderr?: string }).stderr ?? error).trim();
        return { missing: stderr.replace(/^engine: /, "") };
    }
}

export interface Run {
    code: number;
    stdout: string;
    stderr: string;
    /** The engine's events (`--event-log`), one object per line. */
    events: EngineEvent[];
}

/** One line of the engine's event log: exactly one of the `…Event` members is set. */
export interface EngineEvent {
    sequence: number;
    diagnosticEvent?: { urn?: string; message: string; severity: string };
    resourcePreEvent?: { metadata: StepMetadata };
    resOutputsEvent?: { metadata: StepMetadata };
    resOpFailedEvent?: { metadata: StepMetadata };
    summaryEvent?: { resourceChanges: Record<string, number> };
    [key: string]: unknown;
}

export interface StepMetadata {
    op: string;
    urn: string;
    type: string;
    keys?: string[];
    diffs?: string[];
    old?: { inputs: Record<string, any>; outputs: Record<string, any>; id?: string };
    new?: { inputs: Record<string, any>; outputs: Record<string, any>; id?: string };
}

export interface StateResource {
    urn: string;
    type: string;
    id?: string;
    inputs?: Record<string, any>;
    outputs?: Record<string, any>;
}

/** One stack of one test program, with its own backend, Pulumi home and config file. */
export class TestStack {
    readonly dir: string;
    readonly configFile: string;
    /** Everything any command printed, searched for values that must never be shown. */
    readonly transcript: string[] = [];
    private counter = 0;

    /** The Pulumi home (plugins, caches): the stack's own, or one shared with other stacks as on a user's machine. */
    readonly home: string;

    private constructor(
        readonly binDir: string,
        readonly program: string,
        readonly stackName: string,
        private readonly env: NodeJS.ProcessEnv,
        home: string | undefined,
    ) {
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "liveness-engine-"));
        fs.mkdirSync(path.join(this.dir, "backend"));
        this.configFile = path.join(this.dir, `Pulumi.${stackName}.yaml`);
        this.home = home ?? path.join(this.dir, "home");
    }

    /** Creates the stack of `program` (a folder under test/engine/programs) with the given environment. */
    static async create(
        binDir: string,
        program: string,
        env: NodeJS.ProcessEnv,
        { stackName = "test", home }: { stackName?: string; home?: string } = {},
    ): Promise<TestStack> {
        const stack = new TestStack(binDir, program, stackName, env, home);
        const init = await stack.run(["stack", "init"]);
        if (init.code !== 0) throw new Error(`pulumi stack init failed:\n${init.stderr}`);
        // `stack init` writes the stack's encryption salt beside Pulumi.yaml: move it to this stack's own folder.
        fs.renameSync(path.join(stack.programDir, `Pulumi.${stackName}.yaml`), stack.configFile);
        return stack;
    }

    /** The program's folder: one of test/engine/programs, or a copy elsewhere (an absolute path). */
    get programDir(): string {
        return path.isAbsolute(this.program) ? this.program : path.join(programsDir, this.program);
    }

    /** The environment of every command: a backend, home and passphrase of this stack's own, and the test's AWS. */
    commandEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
        return {
            ...this.env,
            PATH: `${this.binDir}${path.delimiter}${this.env.PATH ?? process.env.PATH}`,
            PULUMI_BACKEND_URL: `file://${path.join(this.dir, "backend")}`,
            PULUMI_HOME: this.home,
            PULUMI_CONFIG_PASSPHRASE: "engine-test-passphrase",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_SKIP_CONFIRMATIONS: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            // Enables --event-log, the engine's own events as JSON lines.
            PULUMI_DEBUG_COMMANDS: "true",
            NO_COLOR: "1",
            ...extra,
        };
    }

    private commonArgs(args: string[]): string[] {
        const base = [...args, "--non-interactive", "--cwd", this.programDir];
        // Commands that take no stack.
        if (["version", "package", "install"].includes(args[0])) return base;
        const readsConfig = ["up", "preview", "refresh", "destroy", "import", "config"].includes(args[0]);
        return [...base, "--stack", this.stackName, ...(readsConfig ? ["--config-file", this.configFile] : [])];
    }

    /** Spawns `pulumi args…` without waiting, logging the engine's events to a file of this run's own. */
    start(args: string[], extraEnv: NodeJS.ProcessEnv = {}): { child: ChildProcess; eventLog: string; done: Promise<Run> } {
        const eventLog = path.join(this.dir, `events-${++this.counter}.jsonl`);
        const withLog = ["up", "preview", "refresh", "destroy", "import"].includes(args[0]) ? [...args, "--event-log", eventLog] : args;
        const child = spawn(path.join(this.binDir, "pulumi"), this.commonArgs(withLog), {
            cwd: this.programDir,
            env: this.commandEnv(extraEnv),
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
        child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
        const done = new Promise<Run>((resolve, reject) => {
            child.once("error", reject);
            child.once("close", (code, signal) => {
                this.transcript.push(stdout, stderr);
                const events = fs.existsSync(eventLog)
                    ? fs
                          .readFileSync(eventLog, "utf8")
                          .split("\n")
                          .filter((line) => line.trim() !== "")
                          .map((line) => JSON.parse(line) as EngineEvent)
                    : [];
                if (fs.existsSync(eventLog)) this.transcript.push(fs.readFileSync(eventLog, "utf8"));
                resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, events });
            });
        });
        return { child, eventLog, done };
    }

    /** Runs `pulumi args…` to its end. */
    run(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
        return this.start(args, extraEnv).done;
    }

    /** Runs a command that must succeed, failing with what it printed otherwise. */
    async ok(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
        const result = await this.run(args, extraEnv);
        if (result.code !== 0) {
            throw new Error(`pulumi ${args.join(" ")} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
        }
        return result;
    }

    async setConfig(key: string, value: string, options: { secret?: boolean; path?: boolean } = {}): Promise<void> {
        const flags = [...(options.secret ? ["--secret"] : []), ...(options.path ? ["--path"] : [])];
        await this.ok(["config", "set", key, value, ...flags]);
    }

    async removeConfig(key: string, options: { path?: boolean } = {}): Promise<void> {
        await this.ok(["config", "rm", key, ...(options.path ? ["--path"] : [])]);
    }

    /** The deployment as `pulumi stack export` gives it, and the raw text (searched for plain-text secrets). */
    async exportState(): Promise<{
        text: string;
        resources: StateResource[];
        pendingOperations: { type: string; resource: StateResource }[];
    }> {
        const { stdout } = await this.ok(["stack", "export"]);
        const deployment = JSON.parse(stdout).deployment ?? {};
        return { text: stdout, resources: deployment.resources ?? [], pendingOperations: deployment.pending_operations ?? [] };
    }

    /** The stack's sessions in state, by resource name. */
    async sessions(): Promise<Record<string, StateResource>> {
        const { resources } = await this.exportState();
        return Object.fromEntries(
            resources.filter((r) => r.type === faceLivenessSessionType).map((r) => [r.urn.slice(r.urn.lastIndexOf("::") + 2), r]),
        );
    }

    urn(name: string, type = faceLivenessSessionType): string {
        return `urn:pulumi:${this.stackName}::${this.projectName}::${type}::${name}`;
    }

    get projectName(): string {
        const yaml = fs.readFileSync(path.join(this.programDir, "Pulumi.yaml"), "utf8");
        return /^name:\s*(\S+)/m.exec(yaml)![1];
    }

    /** Everything every command of this stack printed or logged, and the state files on disk. */
    everythingShown(): string {
        const backend = path.join(this.dir, "backend");
        const files: string[] = [];
        const walk = (dir: string) => {
            for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
                const full = path.join(dir, entry.name);
                if (entry.isDirectory()) walk(full);
                else files.push(fs.readFileSync(full, "utf8"));
            }
        };
        walk(backend);
        return [...this.transcript, ...files].join("\n");
    }

    async remove(): Promise<void> {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/** The steps of a run by op and resource name, e.g. `{ create: ["a"], replace: ["b"] }` (the stack and providers left out). */
export function stepsByOp(run: Run): Record<string, string[]> {
    return byOp(run.events.map((e) => e.resOutputsEvent?.metadata));
}

/** The steps a preview planned, by op and resource name. */
export function plannedByOp(run: Run): Record<string, string[]> {
    return byOp(run.events.map((e) => e.resourcePreEvent?.metadata));
}

function byOp(steps: (StepMetadata | undefined)[]): Record<string, string[]> {
    const names: Record<string, string[]> = {};
    for (const step of steps) {
        if (!step || step.type === "pulumi:pulumi:Stack" || step.type.startsWith("pulumi:providers:")) continue;
        (names[step.op] ??= []).push(step.urn.slice(step.urn.lastIndexOf("::") + 2));
    }
    for (const list of Object.values(names)) list.sort();
    return names;
}

/** The error and warning messages the engine reported, without colour codes. */
export function diagnostics(run: Run, severity: "error" | "warning" = "error"): string[] {
    return run.events
        .filter((e) => e.diagnosticEvent?.severity === severity)
        .map((e) => e.diagnosticEvent!.message.replace(/<\{%[^%]*%\}>/g, "").trim());
}
