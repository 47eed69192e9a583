/**
 * `npm run demo`: the package at work with no AWS account. Starts the Rekognition emulator (emulator/), runs the demo
 * stack (demo/: two sessions) through the real Pulumi CLI and engine that `npm run engine` finds or builds — `up`,
 * `refresh`, `destroy` on a local state backend in a temporary folder — and, between them, answers a device's two calls
 * with the session API's handler as built (bin/runtime/sessionApi/index.js), run here as Lambda runs it over moto's
 * DynamoDB and EventBridge (`npm run moto`). Leaves no file behind, tracked or not.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RekognitionEmulator } from "../emulator/rekognitionEmulator";
import { SERVICE_READ_INTERVAL_MS } from "../runtime/sessionApi/config";
import { Moto } from "../test/support/moto";
import { apiEvent, configFor, createChecksTable, lambdaContext, loadHandler } from "../test/support/sessionApi";

const projectDir = path.resolve(__dirname, "..");
const programDir = path.join(projectDir, "demo");
const say = (line: string) => console.log(`\ndemo: ${line}`);

function findEngine(): string {
    const found = spawnSync("bash", [path.join(projectDir, "scripts/engine.sh"), "--find"], { cwd: projectDir, encoding: "utf8" });
    if (found.status !== 0) throw new Error(`${found.stderr.trim()}\n(npm run engine builds the Pulumi CLI this demo runs)`);
    return found.stdout.trim().split("\n").pop()!;
}

/** A device's two calls, answered by the session API's handler as built, over moto's DynamoDB and EventBridge. */
async function sessionApiAnswers(emulator: RekognitionEmulator): Promise<void> {
    say("the session API's handler as built (bin/runtime/sessionApi/index.js), run as Lambda runs it, over moto's DynamoDB");
    say("(the JSON lines are the function's own log, as CloudWatch Logs would hold it: no score, image or token)");
    for (const [name, value] of Object.entries(emulator.env())) process.env[name] = value;
    await createChecksTable(emulator.env().AWS_REGION, "demo-checks");
    const handler = loadHandler(configFor("demo-checks"));
    const call = async (routeKey: string, options: Parameters<typeof apiEvent>[1]) => {
        const answer = await handler(apiEvent(routeKey, options), lambdaContext());
        console.log(
            `  ${routeKey.replace("{sessionId}", options?.sessionId ?? "")} as ${options?.owner ?? "alice"} -> ${answer.statusCode} ${answer.body}`,
        );
        return JSON.parse(answer.body) as { sessionId: string };
    };
    const { sessionId } = await call("POST /sessions", {});
    await call("GET /sessions/{sessionId}", { sessionId });
    const outcome = { status: "SUCCEEDED", confidence: 98 };
    await fetch(`${emulator.endpoint}/emulator/sessions/${sessionId}/outcome`, { method: "PUT", body: JSON.stringify(outcome) });
    console.log(`  (the device's check ends: the emulator is told ${JSON.stringify(outcome)})`);
    // An unfinished session is read from Rekognition at most once every 2 s; a device polls at that pace.
    await new Promise((resolve) => setTimeout(resolve, SERVICE_READ_INTERVAL_MS));
    console.log(`  (the device asks again ${SERVICE_READ_INTERVAL_MS / 1000} s later)`);
    await call("GET /sessions/{sessionId}", { sessionId });
    await call("GET /sessions/{sessionId}", { sessionId, owner: "mallory" });
}

async function main(): Promise<void> {
    const binDir = findEngine();
    const emulator = await new RekognitionEmulator().start();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "liveness-demo-"));
    // Beside the backend, not in demo/: `stack init` writes the stack's encryption salt into its config file.
    const configFile = path.join(work, "Pulumi.demo.yaml");
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        ...emulator.env(),
        PATH: `${binDir}${path.delimiter}${process.env.PATH}`,
        PULUMI_BACKEND_URL: `file://${path.join(work, "backend")}`,
        PULUMI_HOME: path.join(work, "home"),
        PULUMI_CONFIG_PASSPHRASE: "",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_NODEJS_TRANSPILE_ONLY: "true",
        // The user's AWS profile files stay out of it: only the emulator's credentials reach the sessions' provider.
        AWS_CONFIG_FILE: "/nonexistent/aws-config",
        AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
    };
    for (const name of ["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"]) delete env[name];
    fs.mkdirSync(path.join(work, "backend"));
    // Asynchronous, never execFileSync: the emulator answers the sessions' provider from this process's event loop.
    const pulumi = (...args: string[]) => {
        const stackArgs = args[0] === "stack" ? [] : ["--config-file", configFile];
        const child = spawn("pulumi", [...args, "--stack", "demo", "--non-interactive", "--cwd", programDir, ...stackArgs], {
            env,
            stdio: "inherit",
        });
        return new Promise<void>((resolve, reject) =>
            child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`pulumi ${args.join(" ")} exited ${code}`)))),
        );
    };
    const sessionsHeld = async () => {
        const { sessions } = (await (await fetch(`${emulator.endpoint}/emulator/sessions`)).json()) as {
            sessions: { sessionId: string; status: string }[];
        };
        return sessions.map((s) => `${s.sessionId} ${s.status}`).join(", ") || "none";
    };
    let moto: Moto | undefined;
    try {
        say(`the Rekognition Face Liveness emulator is on ${emulator.endpoint}; the stack's sessions are created there`);
        say(`pulumi (${execFileSync(path.join(binDir, "pulumi"), ["version"], { encoding: "utf8" }).trim()}, ${binDir})`);
        await pulumi("stack", "init");
        fs.renameSync(path.join(programDir, "Pulumi.demo.yaml"), configFile);
        await pulumi("up", "--yes", "--skip-preview");
        say(`the emulator holds: ${await sessionsHeld()}`);
        await pulumi("refresh", "--yes", "--skip-preview");

        moto = await Moto.start().catch((error: Error) => {
            say(`the session API's part is skipped: ${error.message.replace(/^the session API needs /, "it needs ")}`);
            return undefined;
        });
        if (moto) await sessionApiAnswers(emulator);

        await pulumi("destroy", "--yes", "--skip-preview");
        await pulumi("stack", "rm", "--yes");
        say("done: the stack and its state are removed; nothing was sent to AWS");
    } finally {
        await moto?.stop();
        await emulator.stop();
        fs.rmSync(path.join(programDir, "Pulumi.demo.yaml"), { force: true });
        fs.rmSync(work, { recursive: true, force: true });
    }
}

main().catch((error: Error) => {
    console.error(`\ndemo: failed: ${error.message}`);
    process.exit(1);
});
