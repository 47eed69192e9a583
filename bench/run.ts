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
import { mockAws } from "../test/support/awsMocks";
import { settle, unwrap } from "../test/support/mocks";
import { configureStack, provider } from "../test/support/provider";
import { ProviderHost, sessionUrn } from "../test/support/providerHost";
import { RekognitionEmulator, startEmulator } from "../test/support/rekognitionEmulator";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const rows: string[] = [];
function row(...cells: (string | number)[]) {
    rows.push(`| ${cells.join(" | ")} |`);
    process.stderr.write(`${cells.join(" | ")}\n`);
}
const round = (n: number, digits = 2) => Number(n.toFixed(digits));

/** The baseline provider: one call, the AWS SDK's defaults (3 attempts, standard retry), no check, diff or read. */
const minimalProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: { clientRequestToken: string; region: string }) {
        const { RekognitionClient, CreateFaceLivenessSessionCommand } = require("@aws-sdk/client-rekognition");
        const client = new RekognitionClient({ region: inputs.region });
        try {
            const response = await client.send(new CreateFaceLivenessSessionCommand({ ClientRequestToken: inputs.clientRequestToken }));
            return { id: response.SessionId, outs: { sessionId: response.SessionId } };
        } finally {
            client.destroy();
        }
    },
};

class MinimalResource extends pulumi.dynamic.Resource {
    constructor(name: string) {
        super(minimalProvider, name, {}, {}, "bench", "Minimal");
    }
}

/** A resource with no provider text: what any Pulumi resource costs a program. */
class BareResource extends pulumi.CustomResource {
    constructor(name: string, props: pulumi.Inputs) {
        super("bench:index:Bare", name, props);
    }
}

async function sessionsAtQuota(emulator: RekognitionEmulator, sessions: number, tps: number) {
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
            `${sessions} sessions at ${tps} TPS`,
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
}

/** Serialized provider texts as a program stores them: ours and the minimal one. */
async function providerTexts(): Promise<{ ours: string; minimal: string }> {
    const registered = await mockAws({});
    const { FaceLivenessSession } = await import("../providers/faceLivenessSession");
    new FaceLivenessSession("ours", {});
    new MinimalResource("minimal");
    await settle();
    const text = (name: string) => registered.find((r) => r.name === name)!.inputs.__provider as string;
    return { ours: text("ours"), minimal: text("minimal") };
}

async function previewThroughHost(emulator: RekognitionEmulator, texts: { ours: string; minimal: string }, sessions: number) {
    const report = path.join(os.tmpdir(), `bench-modules-${process.pid}.json`);
    for (const [name, text] of [
        ["this provider", texts.ours],
        ["baseline: minimal provider", texts.minimal],
    ] as const) {
        const host = await ProviderHost.start({
            ...process.env,
            NODE_OPTIONS: `--require ${path.join(__dirname, "reportModules.js")}`,
            BENCH_MODULE_REPORT: report,
        });
        await host.configure({ "aws:region": "us-east-1" });
        const callsBefore = emulator.requests.length;
        const news = (i: number) => ({
            kmsKeyId: unknownValue,
            settings: { outputConfig: { s3Bucket: unknownValue, s3KeyPrefix: `sessions/s${i}/` } },
            __provider: text,
        });
        const started = performance.now();
        await Promise.all(
            Array.from({ length: sessions }, async (_, i) => {
                const { inputs } = await host.check(sessionUrn(`s${i}`), {}, news(i));
                await host.diff(`id-${i}`, sessionUrn(`s${i}`), { ...inputs, sessionId: `id-${i}` }, inputs);
            }),
        );
        const seconds = (performance.now() - started) / 1000;
        await host.stop();
        const loaded: string[] = JSON.parse(fs.readFileSync(report, "utf8"));
        const sdkLoaded = loaded.some((file) => file.includes(`${path.sep}@aws-sdk${path.sep}client-rekognition${path.sep}`));
        row(
            `preview: check + diff of ${sessions} sessions`,
            name,
            `${round(seconds, 2)} s`,
            `${round((seconds * 1000) / sessions)} ms`,
            emulator.requests.length - callsBefore,
            sdkLoaded ? "yes" : "no",
        );
    }
}

async function programEvaluation(counts: number[]) {
    const { FaceLivenessSession } = await import("../providers/faceLivenessSession");
    for (const count of counts) {
        const measure = async (declare: (i: number) => void) => {
            await mockAws({});
            const started = performance.now();
            for (let i = 0; i < count; i++) declare(i);
            await settle();
            return (performance.now() - started) / count;
        };
        const bare = await measure((i) => new BareResource(`bare-${count}-${i}`, { settings: { auditImagesLimit: 1 } }));
        const ours = await measure((i) => new FaceLivenessSession(`session-${count}-${i}`, { settings: { auditImagesLimit: 1 } }));
        row(`program: ${count} sessions under mocks`, `${round(ours)} ms/session`, `${round(bare)} ms/resource`, `${round(ours / bare)}×`);
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
        for (const [sessions, tps] of quick
            ? [[100, 25]]
            : [
                  [100, 25],
                  [500, 25],
                  [100, 5],
                  [500, 5],
              ]) {
            await sessionsAtQuota(emulator, sessions, tps);
        }
        const texts = await providerTexts();
        rows.push("", "| provider text | bytes | state per session (stored twice) | ratio |", "| --- | --- | --- | --- |");
        row("this provider", texts.ours.length, texts.ours.length * 2, `${round(texts.ours.length / texts.minimal.length, 1)}×`);
        row("baseline: minimal one-call provider", texts.minimal.length, texts.minimal.length * 2, "1×");
        rows.push("", "| preview | provider | time | per session | AWS calls | AWS SDK loaded |", "| --- | --- | --- | --- | --- | --- |");
        await previewThroughHost(emulator, texts, 1000);
        rows.push("", "| program evaluation | FaceLivenessSession | bare CustomResource | ratio |", "| --- | --- | --- | --- |");
        await programEvaluation(quick ? [10, 100] : [10, 100, 1000]);
        rows.push("", "| component | resources | dependency depth | baseline |", "| --- | --- | --- | --- |");
        await componentShape();
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
