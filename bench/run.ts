/**
 * `npm run bench`: measurements, each side by side in this one run against a baseline, reported as ratios (these
 * machines are noisy; absolute times are only for orientation). Not a test: nothing here fails on a number.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import * as pulumi from "@pulumi/pulumi";
import { unknownValue } from "../providers/faceLivenessApi";
import { sessionOutputs } from "../providers/faceLivenessSession";
import { MinimalResource, minimalProvider } from "./minimal";
import { sessionApiRows } from "./sessionApi";
import { TestStack, findEngine } from "../test/engine/support/pulumiCli";
import { mockAws } from "../test/support/awsMocks";
import { settle, unwrap } from "../test/support/mocks";
import { configureStack, provider } from "../test/support/provider";
import { ProviderHost, sessionUrn } from "../test/support/providerHost";
import { RekognitionEmulator, startEmulator } from "../emulator/rekognitionEmulator";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
// The session API handler's own log lines (one per request) would bury the rows.
process.env.POWERTOOLS_LOG_LEVEL = "SILENT";

const rows: string[] = [];
function row(...cells: (string | number)[]) {
    rows.push(`| ${cells.join(" | ")} |`);
    process.stderr.write(`${cells.join(" | ")}\n`);
}
const round = (n: number, digits = 2) => Number(n.toFixed(digits));

/** A resource with no provider text: what any Pulumi resource costs a program. */
class BareResource extends pulumi.CustomResource {
    constructor(name: string, props: pulumi.Inputs) {
        super("bench:index:Bare", name, props);
    }
}

/** The text the previous version (0.1.0) stored: serialized at run time by pulumi.dynamic.Resource, frozen as a fixture. */
const previousProviderText = fs.readFileSync(path.join(__dirname, "../test/fixtures/provider-text-0.1.0-serialized-last.js"), "utf8");

/** `sessions` creates at once against a quota of `tps`, each answer held `roundTripMs` as a real round trip holds it. */
async function sessionsAtQuota(emulator: RekognitionEmulator, sessions: number, tps: number, roundTripMs: number) {
    // The provider's default rate for the region is the documented quota: 25 in us-east-1, 5 in eu-west-1.
    const region = tps === 25 ? "us-east-1" : "eu-west-1";
    const limit = (sessions - tps) / tps;
    for (const [name, create] of [
        ["this provider", (token: string) => provider.create({ clientRequestToken: token, region })],
        ["baseline: SDK defaults", (token: string) => minimalProvider.create({ clientRequestToken: token, region })],
    ] as const) {
        await configureStack({ "aws:region": region });
        emulator.sessions.clear();
        emulator.options.tps = tps;
        emulator.options.burst = tps;
        emulator.options.roundTripMs = roundTripMs || undefined;
        emulator.resetQuota();
        const throttledBefore = emulator.throttledCount;
        const tokens = Array.from({ length: sessions }, (_, i) => `bench-${name.length}-${sessions}-${tps}-${i}-${Date.now()}`);
        const started = performance.now();
        const results = await Promise.allSettled(tokens.map((t) => create(t)));
        const seconds = (performance.now() - started) / 1000;
        const ids = results.filter((r) => r.status === "fulfilled").map((r) => (r as PromiseFulfilledResult<{ id: string }>).value.id);
        const lost = sessions - ids.length;
        // Sessions the service created beyond one per logical session (token).
        const duplicated = emulator.sessions.size - new Set([...emulator.sessions.values()].map((s) => s.request.ClientRequestToken)).size;
        row(
            `${sessions} sessions at ${tps} TPS${roundTripMs ? `, each answer held ${roundTripMs} ms` : ""}`,
            name,
            `${round(seconds, 1)} s`,
            `${round(limit, 1)} s`,
            `${round(seconds / limit)}×`,
            lost,
            duplicated,
            emulator.throttledCount - throttledBefore,
        );
    }
    emulator.options.tps = undefined;
    emulator.options.roundTripMs = undefined;
}

/** Provider texts as a program stores them: ours and the minimal one. */
async function providerTexts(): Promise<{ ours: string; minimal: string }> {
    const registered = await mockAws({});
    const { FaceLivenessSession } = await import("../providers/faceLivenessSession");
    new FaceLivenessSession("ours", {});
    new MinimalResource("minimal");
    await settle();
    const text = (name: string) => registered.find((r) => r.name === name)!.inputs.__provider as string;
    return { ours: text("ours"), minimal: text("minimal") };
}

/** Rounds of each timed measurement: the rows report the median, the rounds interleave the compared sides. */
const ROUNDS = 3;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** CPU time a process has spent so far, in ms, from /proc (Linux); undefined elsewhere. */
function cpuMsOf(pid: number): number | undefined {
    try {
        // Fields 14 and 15 of /proc/<pid>/stat: user and system time in clock ticks (100 a second on Linux).
        const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
        return (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
        return undefined;
    }
}

/** Check and diff, as preview sends them, of `sessions` sessions with unknown bucket and key through a fresh host. */
async function previewOnce(text: string, sessions: number, env: NodeJS.ProcessEnv): Promise<{ wallMs: number; hostCpuMs?: number }> {
    const host = await ProviderHost.start(env);
    try {
        await host.configure({ "aws:region": "us-east-1" });
        const news = (i: number) => ({
            kmsKeyId: unknownValue,
            settings: { outputConfig: { s3Bucket: unknownValue, s3KeyPrefix: `sessions/s${i}/` } },
            __provider: text,
        });
        const previewAll = (count: number) =>
            Promise.all(
                Array.from({ length: count }, async (_, i) => {
                    const { inputs } = await host.check(sessionUrn(`s${i}`), {}, news(i));
                    await host.diff(`id-${i}`, sessionUrn(`s${i}`), { ...inputs, sessionId: `id-${i}` }, inputs);
                }),
            );
        // Untimed: loads the provider and warms both processes' code, as the first sessions of any preview do.
        await previewAll(Math.min(200, sessions));
        const [started, cpuBefore] = [performance.now(), cpuMsOf(host.pid)];
        await previewAll(sessions);
        const [wallMs, cpuAfter] = [performance.now() - started, cpuMsOf(host.pid)];
        return { wallMs: wallMs / sessions, hostCpuMs: cpuBefore === undefined ? undefined : (cpuAfter! - cpuBefore) / sessions };
    } finally {
        await host.stop();
    }
}

async function previewThroughHost(emulator: RekognitionEmulator, texts: { ours: string; minimal: string }, sessions: number) {
    const report = path.join(os.tmpdir(), `bench-modules-${process.pid}.json`);
    const env = { ...process.env, NODE_OPTIONS: `--require ${path.join(__dirname, "reportModules.js")}`, BENCH_MODULE_REPORT: report };
    // Check and diff that do nothing, in a text padded to this provider's size: what the size alone costs.
    const idle =
        "exports.handler = () => ({ async check(olds, news) { return { inputs: news, failures: [] }; }, async diff() { return { changes: false }; } });\n";
    const paddedIdle = (bytes: number) => `${idle}//${"x".repeat(Math.max(0, bytes - idle.length - 3))}\n`;
    const providers = [
        ["this provider", texts.ours],
        ["previous version (0.1.0)", previousProviderText],
        ["idle check and diff, text padded to this provider's size", paddedIdle(texts.ours.length)],
        // What a text of 4 KiB, the size the state-cost goal aims for, would cost whatever it held.
        ["idle check and diff, text padded to 4096 bytes", paddedIdle(4096)],
        ["baseline: minimal provider", texts.minimal],
    ] as const;
    const wall = new Map<string, number[]>(providers.map(([name]) => [name, []]));
    const hostCpu = new Map<string, number[]>(providers.map(([name]) => [name, []]));
    const sdkLoaded = new Map<string, boolean>();
    const callsBefore = emulator.requests.length;
    for (let round = 0; round < ROUNDS; round++) {
        for (const [name, text] of providers) {
            const { wallMs, hostCpuMs } = await previewOnce(text, sessions, env);
            wall.get(name)!.push(wallMs);
            if (hostCpuMs !== undefined) hostCpu.get(name)!.push(hostCpuMs);
            const loaded: string[] = JSON.parse(fs.readFileSync(report, "utf8"));
            sdkLoaded.set(
                name,
                loaded.some((file) => file.includes(`${path.sep}@aws-sdk${path.sep}client-rekognition${path.sep}`)),
            );
        }
    }
    const calls = emulator.requests.length - callsBefore;
    const baseline = "baseline: minimal provider";
    const [baseWall, baseCpu] = [median(wall.get(baseline)!), median(hostCpu.get(baseline)!)];
    for (const [name] of providers) {
        const [wallMs, cpuMs] = [median(wall.get(name)!), median(hostCpu.get(name)!)];
        row(
            `preview: check + diff of ${sessions} sessions`,
            name,
            `${round(wallMs)} ms`,
            `${round(wallMs / baseWall)}×`,
            cpuMs === undefined ? "n/a" : `${round(cpuMs)} ms`,
            cpuMs === undefined ? "n/a" : `${round(cpuMs / baseCpu)}×`,
            calls,
            sdkLoaded.get(name) ? "yes" : "no",
        );
    }
}

/**
 * What a user waits for: `pulumi preview` of a program of `count` sessions, and of `count` resources of the minimal
 * provider, through the real CLI and engine (npm run engine): of a new stack (check of each), and of the stack after
 * `up` (check and diff of each). Whole commands, program evaluation and CLI start included.
 */
async function previewThroughEngine(count: number) {
    const engine = findEngine();
    if (!("binDir" in engine)) {
        row(`preview of ${count} through the real engine`, `skipped: ${engine.missing}`, "", "");
        return;
    }
    const program = path.join(__dirname, "programs", "preview");
    const kinds = ["session", "minimal"] as const;
    const stacks = new Map<string, TestStack>();
    const seconds = new Map<string, { fresh: number[]; deployed: number[] }>();
    try {
        for (const kind of kinds) {
            const stack = await TestStack.create(engine.binDir, program, { ...process.env }, { stackName: `bench-${kind}` });
            stacks.set(kind, stack);
            await stack.setConfig("count", String(count));
            await stack.setConfig("kind", kind);
            seconds.set(kind, { fresh: [], deployed: [] });
        }
        const timed = async (kind: string, phase: "fresh" | "deployed") => {
            const started = performance.now();
            await stacks.get(kind)!.ok(["preview"]);
            seconds.get(kind)![phase].push((performance.now() - started) / 1000);
        };
        for (let r = 0; r < ROUNDS; r++) for (const kind of kinds) await timed(kind, "fresh");
        for (const kind of kinds) await stacks.get(kind)!.ok(["up", "--yes", "--skip-preview"]);
        for (let r = 0; r < ROUNDS; r++) for (const kind of kinds) await timed(kind, "deployed");
    } finally {
        for (const stack of stacks.values()) await stack.remove();
    }
    const [sessionFresh, minimalFresh] = kinds.map((kind) => median(seconds.get(kind)!.fresh));
    const [sessionDeployed, minimalDeployed] = kinds.map((kind) => median(seconds.get(kind)!.deployed));
    row(
        `preview of ${count}, new stack`,
        `${round(sessionFresh, 1)} s`,
        `${round(minimalFresh, 1)} s`,
        `${round(sessionFresh / minimalFresh)}×`,
    );
    row(
        `preview of ${count}, after up`,
        `${round(sessionDeployed, 1)} s`,
        `${round(minimalDeployed, 1)} s`,
        `${round(sessionDeployed / minimalDeployed)}×`,
    );
}

async function programEvaluation(counts: number[]) {
    const { FaceLivenessSession } = await import("../providers/faceLivenessSession");
    const args = { settings: { auditImagesLimit: 1 } };
    const kinds = {
        session: (name: string) => new FaceLivenessSession(name, args),
        bare: (name: string) => new BareResource(name, args),
        // @pulumi/pulumi makes each declared output an Output with four promises, each carrying a stack trace, which
        // costs more than anything else a resource does under mocks: this is what any resource of this shape costs.
        sameShape: (name: string) => new BareResource(name, { ...sessionOutputs, ...args }),
        // The same, declared as a session declares itself: without those traces (the SDK reads them only to report
        // leaked promises when PULUMI_DEBUG_PROMISE_LEAKS is set). What remains is the session's own cost.
        sameShapeUntraced: (name: string) => {
            const limit = Error.stackTraceLimit;
            Error.stackTraceLimit = 0;
            try {
                return new BareResource(name, { ...sessionOutputs, ...args });
            } finally {
                Error.stackTraceLimit = limit;
            }
        },
    };
    let programs = 0;
    const measure = async (declare: (name: string) => unknown, count: number) => {
        await mockAws({});
        const prefix = `p${programs++}`;
        const started = performance.now();
        for (let i = 0; i < count; i++) declare(`${prefix}-${i}`);
        await settle();
        return (performance.now() - started) / count;
    };
    // Untimed: the first resources of a process load and compile the SDK's code paths.
    for (const declare of Object.values(kinds)) await measure(declare, 100);
    for (const count of counts) {
        const times = Object.fromEntries(Object.keys(kinds).map((kind) => [kind, [] as number[]])) as Record<keyof typeof kinds, number[]>;
        for (let r = 0; r < ROUNDS; r++) {
            for (const [kind, declare] of Object.entries(kinds)) times[kind as keyof typeof kinds].push(await measure(declare, count));
        }
        const [session, ...baselines] = [times.session, times.bare, times.sameShape, times.sameShapeUntraced].map(median);
        row(
            `program: ${count} sessions under mocks`,
            `${round(session)} ms/session`,
            ...baselines.flatMap((baseline) => [`${round(baseline)} ms/resource`, `${round(session / baseline)}×`]),
        );
    }
}

/** Children of one setup and the longest chain of dependencies (inputs and dependsOn) before its first session. */
async function componentShape() {
    const deps = new Map<string, Set<string>>();
    const pending: Promise<void>[] = [];
    const nameOf = async (r: pulumi.Resource) => {
        const urn = await unwrap(r.urn);
        return urn.slice(urn.lastIndexOf("::") + 2);
    };
    const record: pulumi.ResourceTransformation = (args) => {
        const found = new Set<string>();
        // Outputs passed as inputs carry the resources they come from (Output.allResources, part of the SDK's
        // Output implementation); dependsOn lists the rest.
        const visit = async (value: unknown): Promise<void> => {
            if (pulumi.Output.isInstance(value)) {
                const from = await (value as unknown as { allResources(): Promise<Set<pulumi.Resource>> }).allResources();
                for (const r of from) found.add(await nameOf(r));
            } else if (Array.isArray(value)) {
                await Promise.all(value.map(visit));
            } else if (value && typeof value === "object" && !pulumi.Resource.isInstance(value)) {
                await Promise.all(Object.values(value).map(visit));
            }
        };
        pending.push(visit(args.props), visit(([] as unknown[]).concat(args.opts.dependsOn ?? []).map((d) => (d as pulumi.Resource).urn)));
        deps.set(args.name, found);
        return undefined;
    };
    const registered = await mockAws({});
    const { LivenessSetup } = await import("../components/livenessSetup");
    new LivenessSetup("shape", { sessions: { onboarding: {} } }, { transformations: [record] });
    await settle();
    await Promise.all(pending);
    const depth = (name: string, seen = new Set<string>()): number =>
        seen.has(name)
            ? 0
            : 1 + Math.max(0, ...[...(deps.get(name) ?? [])].filter((d) => d !== "shape").map((d) => depth(d, new Set([...seen, name]))));
    const resources = registered.filter((r) => r.name === "shape" || r.name.startsWith("shape-")).length;
    row(
        "component: LivenessSetup with one session",
        `${resources} resources`,
        `${depth("shape-onboarding") - 1} resources deep before the session`,
        "baseline: a bare session, 1 resource, 0 deep",
    );
}

async function main() {
    const started = performance.now();
    const { emulator, restoreEnv } = await startEmulator();
    const quick = process.argv.includes("--quick");
    try {
        rows.push(
            "| sessions at quota | provider | time | physical limit (N − burst) / TPS | ratio | lost | duplicated | throttled answers |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        );
        // Untimed: the first calls of a process load the AWS SDK and compile the providers' code paths, which only the
        // first row would pay otherwise (a deployment pays it once, whatever its number of sessions).
        await configureStack({ "aws:region": "us-east-1" });
        await Promise.all([
            provider.create({}),
            minimalProvider.create({ clientRequestToken: `bench-warm-${Date.now()}`, region: "us-east-1" }),
        ]);
        for (const [sessions, tps, roundTripMs] of quick
            ? [[100, 25, 0]]
            : [
                  [100, 25, 0],
                  [500, 25, 0],
                  [100, 5, 0],
                  [500, 5, 0],
                  [100, 25, 100],
                  [500, 25, 100],
                  [100, 5, 100],
              ]) {
            await sessionsAtQuota(emulator, sessions, tps, roundTripMs);
        }
        const texts = await providerTexts();
        rows.push("", "| provider text | bytes | state per session (stored twice) | ratio |", "| --- | --- | --- | --- |");
        for (const [name, text] of [
            ["this provider", texts.ours],
            ["previous version (0.1.0)", previousProviderText],
            ["baseline: minimal one-call provider", texts.minimal],
        ]) {
            const bytes = Buffer.byteLength(text);
            row(name, bytes, bytes * 2, `${round(bytes / Buffer.byteLength(texts.minimal), 1)}×`);
        }
        rows.push(
            "",
            `| preview (median of ${ROUNDS} rounds) | provider | per session, through the host | ratio | host CPU per session | ratio | AWS calls | AWS SDK loaded |`,
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        );
        await previewThroughHost(emulator, texts, 1000);
        rows.push(
            "",
            `| pulumi preview through the real engine (median of ${ROUNDS} rounds) | sessions | baseline: minimal provider | ratio |`,
            "| --- | --- | --- | --- |",
        );
        await previewThroughEngine(quick ? 50 : 200);
        rows.push(
            "",
            `| program evaluation (median of ${ROUNDS} rounds) | FaceLivenessSession | bare CustomResource, one input | ratio | bare CustomResource with the session's outputs | ratio | the same, without the SDK's leak traces | ratio |`,
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        );
        await programEvaluation(quick ? [10, 100] : [10, 100, 1000]);
        rows.push("", "| component | resources | dependency depth | baseline |", "| --- | --- | --- | --- |");
        await componentShape();
        await sessionApiRows(rows, row, emulator, quick);
    } finally {
        await emulator.stop();
        restoreEnv();
    }
    const cpu = os.cpus()[0]?.model ?? "unknown CPU";
    console.log(
        `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, in ${round((performance.now() - started) / 1000, 0)} s.\n`,
    );
    console.log(rows.join("\n"));
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
