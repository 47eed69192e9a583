/**
 * moto's server (PyPI moto[server], installed by `npm run moto`) on loopback: the real DynamoDB, EventBridge and SQS
 * APIs that the session API's tests run the real AWS SDK clients against, reached through the standard
 * AWS_ENDPOINT_URL_<SERVICE> variables, as on a user's machine. Without it the suites that need it skip, saying so,
 * or fail where the layer is required (CI).
 */
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";

const projectDir = path.resolve(__dirname, "../..");
const services = ["DYNAMODB", "EVENTBRIDGE", "SQS"];

/** Where moto_server is, or why there is none. */
function findMoto(): { server: string } | { missing: string } {
    try {
        const out = execFileSync("bash", [path.join(projectDir, "scripts/moto.sh"), "--find"], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
        });
        return { server: out.trim() };
    } catch (error) {
        return { missing: String((error as { stderr?: string }).stderr ?? error).trim() };
    }
}

async function freePort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

export class Moto {
    private constructor(
        readonly endpoint: string,
        private readonly child: ChildProcess,
        private readonly saved: Record<string, string | undefined>,
    ) {}

    /**
     * Starts a server and points this process's AWS SDK at it; skips the suite of `context` without one (in CI, or
     * without a suite to skip, fails).
     */
    static async start(context?: Mocha.Context): Promise<Moto> {
        const found = findMoto();
        if ("missing" in found) {
            if (process.env.CI === "true" || context === undefined)
                throw new Error(`the session API needs moto's server: ${found.missing}`);
            console.log(`\n  SKIPPED ${context.test?.parent?.title ?? "a suite"}: ${found.missing}\n`);
            context.skip();
            throw new Error("skipped"); // context.skip() throws; this tells the compiler so.
        }
        const port = await freePort();
        // moto's own server, one request at a time (motoServer.py says why), with the Python of moto's environment.
        const python = path.join(path.dirname(found.server), "python");
        const child = spawn(python, [path.join(__dirname, "motoServer.py"), "127.0.0.1", String(port)], {
            stdio: ["ignore", "ignore", "pipe"],
        });
        let stderr = "";
        child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
        const endpoint = `http://127.0.0.1:${port}`;
        for (let waited = 0; ; waited += 100) {
            if (child.exitCode !== null) throw new Error(`moto_server exited ${child.exitCode}: ${stderr}`);
            const up = await fetch(`${endpoint}/moto-api/`).then(
                () => true,
                () => false,
            );
            if (up) break;
            if (waited > 30_000) throw new Error(`moto_server did not answer on ${endpoint} within 30 s: ${stderr}`);
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const saved: Record<string, string | undefined> = {};
        for (const service of services) {
            saved[service] = process.env[`AWS_ENDPOINT_URL_${service}`];
            process.env[`AWS_ENDPOINT_URL_${service}`] = endpoint;
        }
        return new Moto(endpoint, child, saved);
    }

    async stop(): Promise<void> {
        for (const service of services) {
            const value = this.saved[service];
            if (value === undefined) delete process.env[`AWS_ENDPOINT_URL_${service}`];
            else process.env[`AWS_ENDPOINT_URL_${service}`] = value;
        }
        const exited = new Promise((resolve) => this.child.once("exit", resolve));
        this.child.kill();
        await exited;
    }
}
