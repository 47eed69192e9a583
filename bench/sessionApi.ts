/**
 * `npm run bench` rows of the session API's handler, as built, against the Rekognition emulator and moto (started
 * here): sessions created by many owners at once at the quota, AWS round trips per request, the cold start, and the
 * bundle's size. Each beside its baseline in the same run.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import * as esbuild from "esbuild";
import { Moto } from "../test/support/moto";
import { RekognitionEmulator } from "../emulator/rekognitionEmulator";
import { Handler, apiEvent, builtHandler, configFor, createChecksTable, lambdaContext, loadHandler } from "../test/support/sessionApi";
import { apiEnvironment } from "../runtime/sessionApi/config";

type Row = (...cells: (string | number)[]) => void;
const round = (n: number, digits = 2) => Number(n.toFixed(digits));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
let tables = 0;

/** A loopback proxy in front of moto that counts the requests passing through it, by operation. */
async function countingProxy(target: string): Promise<{ endpoint: string; counts: Map<string, number>; stop(): Promise<void> }> {
    const counts = new Map<string, number>();
    const upstream = new URL(target);
    const server = http.createServer((req, res) => {
        const operation = String(req.headers["x-amz-target"] ?? req.url ?? "")
            .split(".")
            .pop()!;
        counts.set(operation, (counts.get(operation) ?? 0) + 1);
        const forward = http.request(
            { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
            (answer) => {
                res.writeHead(answer.statusCode ?? 500, answer.headers);
                answer.pipe(res);
            },
        );
        req.pipe(forward);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        counts,
        stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}

async function newHandler(region: string, overrides = {}): Promise<Handler> {
    const tableName = `bench-${++tables}-${Date.now()}`;
    await createChecksTable(region, tableName);
    return loadHandler(configFor(tableName, { maxSessionsPerWindow: 10_000, ...overrides }));
}

/** POST /sessions by `owners` owners at once against a quota of `tps`, as that many concurrent Lambda invocations. */
async function sessionsAtQuota(row: Row, emulator: RekognitionEmulator, owners: number, tps: number, latencyMs: number) {
    process.env.AWS_REGION = tps === 25 ? "us-east-1" : "eu-west-1";
    const handler = await newHandler(process.env.AWS_REGION);
    emulator.sessions.clear();
    emulator.options.tps = tps;
    emulator.options.burst = tps;
    emulator.options.roundTripMs = latencyMs || undefined;
    emulator.resetQuota();
    const started = performance.now();
    const answers = await Promise.all(
        Array.from({ length: owners }, (_, i) => handler(apiEvent("POST /sessions", { owner: `owner-${i}` }), lambdaContext())),
    );
    const seconds = (performance.now() - started) / 1000;
    const limit = (owners - tps) / tps;
    const created = answers.filter((a) => a.statusCode === 201).length;
    const honest = answers.filter((a) => (a.statusCode === 429 || a.statusCode === 503) && a.headers["retry-after"]).length;
    const duplicated = emulator.sessions.size - new Set([...emulator.sessions.values()].map((s) => s.request.ClientRequestToken)).size;
    row(
        `${owners} owners at once, ${tps} TPS${latencyMs ? `, each answer held ${latencyMs} ms` : ""}`,
        `${round(seconds, 1)} s`,
        `${round(limit, 1)} s`,
        `${round(seconds / limit)}×`,
        created,
        honest,
        owners - created - honest,
        duplicated,
    );
    emulator.options.tps = undefined;
    emulator.options.roundTripMs = undefined;
}

/**
 * The same requests with no Rekognition quota at all: what the rest (moto's DynamoDB, answering one request at a time,
 * and the handler itself) costs, the floor under the quota rows' times.
 */
async function sessionsWithoutQuota(row: Row, emulator: RekognitionEmulator, owners: number) {
    process.env.AWS_REGION = "us-east-1";
    const handler = await newHandler(process.env.AWS_REGION);
    emulator.sessions.clear();
    const started = performance.now();
    const answers = await Promise.all(
        Array.from({ length: owners }, (_, i) => handler(apiEvent("POST /sessions", { owner: `owner-${i}` }), lambdaContext())),
    );
    const seconds = (performance.now() - started) / 1000;
    const created = answers.filter((a) => a.statusCode === 201).length;
    row(`${owners} owners at once, no Rekognition quota (the floor)`, `${round(seconds, 1)} s`, "–", "–", created, 0, owners - created, 0);
}

/** The AWS requests one API request makes: Rekognition (the emulator counts) and DynamoDB and EventBridge (the proxy). */
async function roundTrips(row: Row, emulator: RekognitionEmulator, moto: Moto) {
    const proxy = await countingProxy(moto.endpoint);
    const saved = { dynamodb: process.env.AWS_ENDPOINT_URL_DYNAMODB, events: process.env.AWS_ENDPOINT_URL_EVENTBRIDGE };
    try {
        process.env.AWS_REGION = "us-east-1";
        const tableName = `bench-${++tables}-round-trips`;
        await createChecksTable("us-east-1", tableName);
        // The handler makes its clients at load: with the proxy as their endpoint.
        process.env.AWS_ENDPOINT_URL_DYNAMODB = process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = proxy.endpoint;
        const counted = loadHandler(configFor(tableName));
        const measure = async (what: string, request: () => Promise<unknown>) => {
            proxy.counts.clear();
            const before = emulator.requests.length;
            await request();
            const rekognition = emulator.requests.length - before;
            const others = [...proxy.counts.values()].reduce((a, b) => a + b, 0);
            row(what, rekognition, others, rekognition + others, [...proxy.counts].map(([op, n]) => `${op} ${n}`).join(", "));
        };
        let sessionId = "";
        await measure("POST /sessions", async () => {
            sessionId = JSON.parse((await counted(apiEvent("POST /sessions"), lambdaContext())).body).sessionId;
        });
        emulator.setOutcome(sessionId, { status: "SUCCEEDED", confidence: 99 });
        await measure("first GET with a final status (live)", () =>
            counted(apiEvent("GET /sessions/{sessionId}", { sessionId }), lambdaContext()),
        );
        await measure("later GET", () => counted(apiEvent("GET /sessions/{sessionId}", { sessionId }), lambdaContext()));
        const { sessionId: failed } = JSON.parse((await counted(apiEvent("POST /sessions"), lambdaContext())).body);
        emulator.setOutcome(failed, { status: "FAILED" });
        await measure("first GET with a final status (not live)", () =>
            counted(apiEvent("GET /sessions/{sessionId}", { sessionId: failed }), lambdaContext()),
        );
    } finally {
        process.env.AWS_ENDPOINT_URL_DYNAMODB = saved.dynamodb;
        process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = saved.events;
        await proxy.stop();
    }
}

/** Loading the built handler in a fresh Node.js process, against a bundle that only makes a Rekognition client. */
async function coldStart(row: Row) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-cold-"));
    try {
        const bare = path.join(dir, "bare.js");
        await esbuild.build({
            stdin: {
                contents:
                    'const { RekognitionClient } = require("@aws-sdk/client-rekognition"); exports.client = new RekognitionClient({});',
                resolveDir: path.resolve(__dirname, ".."),
            },
            outfile: bare,
            bundle: true,
            platform: "node",
            format: "cjs",
            target: "node22",
            minify: true,
            mainFields: ["module", "main"],
            logLevel: "warning",
        });
        const env = { ...process.env, ...apiEnvironment(configFor("cold-start")), AWS_REGION: "us-east-1" };
        const loadMs = (file: string) =>
            Number(
                execFileSync(
                    process.execPath,
                    [
                        "-e",
                        `const t = process.hrtime.bigint(); require(${JSON.stringify(file)}); console.log(Number(process.hrtime.bigint() - t) / 1e6);`,
                    ],
                    { env, encoding: "utf8" },
                ).trim(),
            );
        const handlerRuns: number[] = [];
        const bareRuns: number[] = [];
        for (let i = 0; i < 7; i++) {
            handlerRuns.push(loadMs(builtHandler));
            bareRuns.push(loadMs(bare));
        }
        const [handlerMs, bareMs] = [median(handlerRuns), median(bareRuns)];
        row(
            "module load (cold start), median of 7",
            `${round(handlerMs, 1)} ms`,
            `${round(bareMs, 1)} ms`,
            `${round(handlerMs / bareMs)}×`,
        );
        const [handlerBytes, bareBytes] = [fs.statSync(builtHandler).size, fs.statSync(bare).size];
        row("bundle size", `${handlerBytes} B`, `${bareBytes} B`, `${round(handlerBytes / bareBytes)}×`);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** Every session API row, with their tables' headers, appended through `rows` and `row`. */
export async function sessionApiRows(rows: string[], row: Row, emulator: RekognitionEmulator, quick: boolean): Promise<void> {
    const moto = await Moto.start();
    const region = process.env.AWS_REGION;
    try {
        rows.push(
            "",
            "| session API: POST /sessions at quota | time | physical limit (N − burst) / TPS | ratio | 201 | honest 429/503 | lost | duplicated |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        );
        // Untimed: loads the SDK clients and compiles the handler's paths once.
        process.env.AWS_REGION = "us-east-1";
        await (
            await newHandler("us-east-1")
        )(apiEvent("POST /sessions"), lambdaContext());
        for (const [owners, tps, latencyMs] of quick
            ? [[100, 25, 0]]
            : [
                  [100, 25, 0],
                  [50, 5, 0],
                  [100, 25, 100],
                  [50, 5, 100],
              ]) {
            await sessionsAtQuota(row, emulator, owners, tps, latencyMs);
        }
        await sessionsWithoutQuota(row, emulator, 100);
        rows.push(
            "",
            "| session API: AWS round trips | Rekognition | DynamoDB and EventBridge | total | which |",
            "| --- | --- | --- | --- | --- |",
        );
        await roundTrips(row, emulator, moto);
        rows.push(
            "",
            "| session API handler | built handler | baseline: a bundle that only makes a Rekognition client | ratio |",
            "| --- | --- | --- | --- |",
        );
        await coldStart(row);
    } finally {
        process.env.AWS_REGION = region;
        await moto.stop();
    }
}
