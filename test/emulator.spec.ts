/**
 * The Rekognition emulator as users get it (emulator/): the `liveness-emulator` command as built, the control routes
 * that set a session's outcome from outside the process, and the options that hold answers. Its protocol rules are
 * exercised by every provider test that runs the real AWS SDK client against it (test/providers/).
 */
import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CreateFaceLivenessSessionCommand, GetFaceLivenessSessionResultsCommand, RekognitionClient } from "@aws-sdk/client-rekognition";
import { RekognitionEmulator } from "../emulator/rekognitionEmulator";

const projectDir = path.resolve(__dirname, "..");
const builtCommand = path.join(projectDir, "bin/emulator/cli.js");

/** Starts the built command with `args` and resolves once it has printed its banner (or exited). */
function startCommand(args: string[]): Promise<{ child: ChildProcess; stdout: string; stderr: string; code: number | null }> {
    const child = spawn(process.execPath, [builtCommand, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => (stderr += c));
    return new Promise((resolve) => {
        child.stdout!.on("data", (c: Buffer) => {
            stdout += c;
            if (stdout.includes("Ctrl-C stops it")) resolve({ child, stdout, stderr, code: null });
        });
        child.on("exit", (code) => resolve({ child, stdout, stderr, code }));
    });
}

/** A client configured only by the variables the emulator printed, as a user's code would be by their shell. */
function clientFrom(exported: Record<string, string>): RekognitionClient {
    return new RekognitionClient({
        endpoint: exported.AWS_ENDPOINT_URL_REKOGNITION,
        region: exported.AWS_REGION,
        credentials: { accessKeyId: exported.AWS_ACCESS_KEY_ID, secretAccessKey: exported.AWS_SECRET_ACCESS_KEY },
    });
}

describe("the Rekognition emulator, as shipped", function () {
    this.timeout(20_000);

    describe("liveness-emulator (bin/emulator/cli.js, as built)", () => {
        let tmp: string;
        before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "liveness-emulator-"))));
        after(() => fs.rmSync(tmp, { recursive: true, force: true }));

        it("is the package's bin entry", () => {
            const packageJson = JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8"));
            assert.equal(path.resolve(projectDir, packageJson.bin["liveness-emulator"]), builtCommand);
            assert.match(fs.readFileSync(builtCommand, "utf8"), /^#!\/usr\/bin\/env node\n/);
        });

        it("prints the endpoint and credentials to export, which a real client uses to create a session whose outcome it then sets", async () => {
            const envOut = path.join(tmp, "emulator.env");
            const { child, stdout } = await startCommand(["--env-out", envOut, "--region", "eu-west-1"]);
            try {
                const exportLines = stdout.split("\n").filter((line) => line.startsWith("  export "));
                const exported = Object.fromEntries(exportLines.map((line) => line.trim().slice("export ".length).split("=")));
                assert.deepEqual(Object.keys(exported), [
                    "AWS_ENDPOINT_URL_REKOGNITION",
                    "AWS_ENDPOINT_URL_REKOGNITIONSTREAMING",
                    "AWS_ACCESS_KEY_ID",
                    "AWS_SECRET_ACCESS_KEY",
                    "AWS_REGION",
                    "NODE_EXTRA_CA_CERTS",
                ]);
                assert.match(exported.AWS_ENDPOINT_URL_REKOGNITION, /^http:\/\/127\.0\.0\.1:\d+$/);
                assert.match(exported.AWS_ENDPOINT_URL_REKOGNITIONSTREAMING, /^https:\/\/127\.0\.0\.1:\d+$/);
                assert.match(fs.readFileSync(exported.NODE_EXTRA_CA_CERTS, "utf8"), /^-----BEGIN CERTIFICATE-----/);
                assert.match(stdout, /--ignore-certificate-errors-spki-list=[A-Za-z0-9+/]{43}=/);
                assert.equal(exported.AWS_REGION, "eu-west-1");
                assert.equal(fs.readFileSync(envOut, "utf8"), exportLines.map((line) => line.trim()).join("\n") + "\n");

                const client = clientFrom(exported);
                const { SessionId } = await client.send(new CreateFaceLivenessSessionCommand({ Settings: { AuditImagesLimit: 1 } }));
                const control = `${exported.AWS_ENDPOINT_URL_REKOGNITION}/emulator/sessions`;
                const listed = (await (await fetch(control)).json()) as { sessions: { sessionId: string; status: string }[] };
                assert.deepEqual(
                    listed.sessions.map((s) => [s.sessionId, s.status]),
                    [[SessionId, "CREATED"]],
                );
                const set = await fetch(`${control}/${SessionId}/outcome`, {
                    method: "PUT",
                    body: JSON.stringify({ status: "SUCCEEDED", confidence: 98 }),
                });
                assert.equal(set.status, 200);
                const results = await client.send(new GetFaceLivenessSessionResultsCommand({ SessionId }));
                assert.equal(results.Status, "SUCCEEDED");
                assert.equal(results.Confidence, 98);
                assert.equal(results.AuditImages?.length, 1);
            } finally {
                child.kill("SIGTERM");
            }
            assert.equal(await new Promise((resolve) => child.once("exit", resolve)), 0);
            const certificateFile = fs.readFileSync(envOut, "utf8").match(/NODE_EXTRA_CA_CERTS=(.*)/)![1];
            assert.equal(fs.existsSync(certificateFile), false, "the certificate's file goes with the emulator");
        });

        it("refuses a bad port, naming the option, the value and what is allowed", async () => {
            const { code, stderr } = await startCommand(["--port", "70000"]);
            assert.equal(code, 2);
            assert.equal(stderr.trim(), '--port must be a whole number from 0 (any free port) to 65535, not "70000"');
        });
    });

    describe("its control routes", () => {
        const emulator = new RekognitionEmulator();
        let sessionId: string;
        before(async () => {
            await emulator.start();
            ({ SessionId: sessionId } = (await clientFrom(emulator.env()).send(new CreateFaceLivenessSessionCommand({}))) as {
                SessionId: string;
            });
        });
        after(() => emulator.stop());

        const put = async (id: string, body: string) => {
            const answer = await fetch(`${emulator.endpoint}/emulator/sessions/${id}/outcome`, { method: "PUT", body });
            return { status: answer.status, message: ((await answer.json()) as { message?: string }).message };
        };

        it("refuse an outcome that is not one, saying what is allowed, and change nothing", async () => {
            assert.deepEqual(await put(sessionId, '{"status":"DONE"}'), {
                status: 400,
                message: 'status must be one of CREATED, IN_PROGRESS, SUCCEEDED, FAILED, not "DONE"',
            });
            assert.deepEqual(await put(sessionId, '{"status":"FAILED","confidence":101}'), {
                status: 400,
                message: "confidence must be a number from 0 to 100, not 101",
            });
            assert.equal((await put(sessionId, "not json")).status, 400);
            assert.equal(emulator.sessions.get(sessionId)!.status, "CREATED");
        });

        it("answer 404 for a session the emulator does not hold and for a route it does not have, listing its routes", async () => {
            const unknown = "00000000-0000-4000-8000-000000000000";
            assert.deepEqual(await put(unknown, '{"status":"FAILED"}'), { status: 404, message: `the emulator has no session ${unknown}` });
            const answer = await fetch(`${emulator.endpoint}/emulator/everything`, { method: "DELETE" });
            assert.equal(answer.status, 404);
            assert.equal(
                ((await answer.json()) as { message: string }).message,
                "no control route DELETE everything: GET /emulator/sessions, PUT /emulator/sessions/{sessionId}/outcome (now), " +
                    "PUT /emulator/sessions/{sessionId}/check (its streamed check), PUT or DELETE /emulator/checks (the next checks)",
            );
        });
    });

    describe("the answers it holds", () => {
        it("roundTripMs holds every answer, errors included, for that long", async () => {
            const emulator = await new RekognitionEmulator({ roundTripMs: 400 }).start();
            try {
                const client = clientFrom(emulator.env());
                for (const command of [
                    new CreateFaceLivenessSessionCommand({}),
                    new GetFaceLivenessSessionResultsCommand({ SessionId: "00000000-0000-4000-8000-000000000000" }),
                ]) {
                    const started = performance.now();
                    await client.send(command as CreateFaceLivenessSessionCommand).catch(() => undefined);
                    assert.ok(
                        performance.now() - started >= 395,
                        `${command.constructor.name} answered after ${performance.now() - started} ms`,
                    );
                }
                assert.deepEqual(
                    emulator.requests.map((r) => r.operation),
                    ["CreateFaceLivenessSession", "GetFaceLivenessSessionResults"],
                );
            } finally {
                await emulator.stop();
            }
        });

        it("createLatencyMs holds a create's answer after its session exists, as a slow answer a caller gives up on would", async () => {
            const emulator = await new RekognitionEmulator({ createLatencyMs: 1500 }).start();
            try {
                let answered = false;
                const create = clientFrom(emulator.env())
                    .send(new CreateFaceLivenessSessionCommand({ ClientRequestToken: "slow-1" }))
                    .then((out) => ((answered = true), out));
                while (emulator.sessions.size === 0) await new Promise((resolve) => setTimeout(resolve, 20));
                assert.equal(answered, false, "the session exists before the create is answered");
                const { SessionId } = await create;
                assert.deepEqual([...emulator.sessions.keys()], [SessionId]);
            } finally {
                await emulator.stop();
            }
        });
    });
});
