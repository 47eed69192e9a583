/**
 * The emulator's StartFaceLivenessSession (emulator/stream.ts) with the real AWS SDK: `@aws-sdk/client-rekognitionstreaming`
 * over its WebSocket handler, as Amplify's FaceLivenessDetector streams, in a Node.js process that finds the stream
 * through AWS_ENDPOINT_URL_REKOGNITIONSTREAMING and trusts the emulator's certificate through NODE_EXTRA_CA_CERTS
 * (test/support/streamClient.js). What a browser adds (the component, the camera, the face model) is not proven here.
 */
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CreateFaceLivenessSessionCommand, GetFaceLivenessSessionResultsCommand, RekognitionClient } from "@aws-sdk/client-rekognition";
import { RekognitionEmulator, SESSION_LIFETIME_MS } from "../emulator/rekognitionEmulator";

const client = path.join(__dirname, "support", "streamClient.js");

type Streamed = { received: { type: string; body: any }[]; error?: { name: string; message: string } };

describe("the emulator's stream: StartFaceLivenessSession with the AWS SDK's WebSocket handler", function () {
    this.timeout(30_000);
    const emulator = new RekognitionEmulator();
    let certificateFile: string;
    let control: RekognitionClient;

    before(async function () {
        const major = Number(process.versions.node.split(".")[0]);
        assert.ok(major >= 22, `the SDK's WebSocket handler needs Node.js 22+ (its global WebSocket); this is ${process.version}`);
        await emulator.start();
        certificateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "liveness-stream-")), "certificate.pem");
        fs.writeFileSync(certificateFile, emulator.streamTrust().certificate);
        const env = emulator.env();
        control = new RekognitionClient({
            endpoint: env.AWS_ENDPOINT_URL_REKOGNITION,
            region: env.AWS_REGION,
            credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
        });
    });
    after(async () => {
        await emulator.stop();
        fs.rmSync(path.dirname(certificateFile), { recursive: true, force: true });
    });

    const create = async (settings: object = {}) =>
        (await control.send(new CreateFaceLivenessSessionCommand({ Settings: settings }))).SessionId!;
    const results = (sessionId: string) => control.send(new GetFaceLivenessSessionResultsCommand({ SessionId: sessionId }));

    /** Streams a check of `sessionId` from a process of its own configured as the emulator says (or with `env` over it). */
    function stream(sessionId: string, mode: "complete" | "abandon", options: { versions?: string; env?: object } = {}): Promise<Streamed> {
        const args = [client, sessionId, mode, ...(options.versions ? [options.versions] : [])];
        const env = { ...process.env, ...emulator.env(), NODE_EXTRA_CA_CERTS: certificateFile, ...options.env };
        const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c: Buffer) => (stdout += c));
        child.stderr.on("data", (c: Buffer) => (stderr += c));
        return new Promise((resolve, reject) =>
            child.on("exit", (code) =>
                code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`the client exited ${code}: ${stderr}`)),
            ),
        );
    }

    it("a whole check: the session's challenge, IN_PROGRESS while it streams, SUCCEEDED at the default confidence at its end; what the device sent is recorded", async () => {
        const sessionId = await create({ ChallengePreferences: [{ Type: "FaceMovementChallenge" }] });
        const streamed = await stream(sessionId, "complete");
        assert.equal(streamed.error, undefined, JSON.stringify(streamed.error));
        assert.deepEqual(
            streamed.received.map((e) => e.type),
            ["ChallengeEvent", "ServerSessionInformationEvent", "DisconnectionEvent"],
        );
        assert.deepEqual(streamed.received[0].body, { Type: "FaceMovementChallenge", Version: "1.0.0" });
        const challenge = streamed.received[1].body.SessionInformation.Challenge;
        assert.deepEqual(Object.keys(challenge), ["FaceMovementChallenge"]);
        // The oval is placed for the video the client announced (640×480).
        assert.deepEqual(challenge.FaceMovementChallenge.OvalParameters, { Width: 260, Height: 420, CenterX: 320, CenterY: 250 });
        const check = emulator.sessions.get(sessionId)!.check!;
        assert.deepEqual(
            [check.challenge, check.videoEvents, check.videoBytes, check.clientEvents.length, check.ended, check.closeCode],
            [{ type: "FaceMovementChallenge", version: "1.0.0" }, 3, 54, 2, true, 1000],
        );
        assert.deepEqual(Object.keys((check.clientEvents[0] as any).Challenge.FaceMovementChallenge).sort(), [
            "ChallengeId",
            "InitialFace",
            "VideoStartTimestamp",
        ]);
        assert.equal(check.query["session-id"], sessionId);
        assert.equal(check.query["X-Amz-Signature"], undefined, "the signature is not kept");
        const { Status, Confidence } = await results(sessionId);
        assert.deepEqual([Status, Confidence], ["SUCCEEDED", 97.5]);
    });

    it("serves FaceMovementAndLightChallenge, with its colour sequence, to a session that asks for nothing", async () => {
        const sessionId = await create();
        const streamed = await stream(sessionId, "complete");
        const challenge = streamed.received.find((e) => e.type === "ServerSessionInformationEvent")!.body.SessionInformation.Challenge;
        assert.deepEqual(Object.keys(challenge), ["FaceMovementAndLightChallenge"]);
        assert.equal(challenge.FaceMovementAndLightChallenge.LightChallengeType, "SEQUENTIAL");
        assert.equal(challenge.FaceMovementAndLightChallenge.ColorSequences.length, 8);
        assert.equal((await results(sessionId)).Status, "SUCCEEDED");
    });

    it("a check comes to what was decided ahead: for its session, or for the next checks, over the control routes too", async () => {
        const planned = await create();
        emulator.planOutcome(planned, { status: "FAILED", confidence: 12 });
        await stream(planned, "complete");
        assert.deepEqual([(await results(planned)).Status, (await results(planned)).Confidence], ["FAILED", 12]);

        const put = (route: string, body?: object) =>
            fetch(`${emulator.endpoint}/emulator/${route}`, { method: body ? "PUT" : "DELETE", body: body && JSON.stringify(body) });
        assert.equal((await put("checks", { status: "SUCCEEDED", confidence: 60 })).status, 200);
        const [first, second, own] = [await create(), await create(), await create()];
        assert.equal((await put(`sessions/${own}/check`, { status: "FAILED" })).status, 200);
        for (const sessionId of [first, second, own]) await stream(sessionId, "complete");
        assert.deepEqual(
            await Promise.all([first, second, own].map(async (id) => [(await results(id)).Status, (await results(id)).Confidence])),
            [
                ["SUCCEEDED", 60],
                ["SUCCEEDED", 60],
                ["FAILED", 97.5],
            ],
        );
        assert.equal((await put("checks")).status, 200);
        const after = await create();
        await stream(after, "complete");
        assert.deepEqual([(await results(after)).Status, (await results(after)).Confidence], ["SUCCEEDED", 97.5]);
        const listed = (await (await fetch(`${emulator.endpoint}/emulator/sessions`)).json()) as { sessions: any[] };
        assert.deepEqual(listed.sessions.find((s) => s.sessionId === after).check, {
            challenge: "FaceMovementAndLightChallenge",
            videoEvents: 3,
            clientEvents: 2,
            ended: true,
            closeCode: 1000,
        });
    });

    it("a check the device abandons before its last video event does not succeed, whatever was planned", async () => {
        const sessionId = await create();
        emulator.planOutcome(sessionId, { status: "SUCCEEDED" });
        await stream(sessionId, "abandon");
        // The close reaches the emulator as the client goes.
        for (let waited = 0; emulator.sessions.get(sessionId)!.check!.closeCode === undefined && waited < 5000; waited += 20) {
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const check = emulator.sessions.get(sessionId)!.check!;
        assert.deepEqual([check.ended, check.videoEvents, typeof check.closeCode], [false, 2, "number"]);
        assert.equal((await results(sessionId)).Status, "FAILED");
    });

    it("refuses with the service's exceptions: a session streamed before, an unknown one, an expired one", async () => {
        const used = await create();
        await stream(used, "complete");
        assert.deepEqual((await stream(used, "complete")).error, {
            name: "ValidationException",
            message: `Session ${used} was already used for a check: a session serves one check`,
        });
        assert.equal((await results(used)).Status, "SUCCEEDED", "the first check's end stands");

        const unknown = "0c7e1d54-1111-4222-8333-944455556666";
        assert.equal((await stream(unknown, "complete")).error?.name, "SessionNotFoundException");
        const expired = await create();
        emulator.advance(SESSION_LIFETIME_MS);
        try {
            const refused = await stream(expired, "complete");
            assert.equal(refused.error?.name, "SessionNotFoundException");
            assert.match(refused.error!.message, new RegExp(`Session ${expired} not found`));
            assert.equal(emulator.sessions.get(expired)!.check, undefined);
        } finally {
            emulator.advance(-SESSION_LIFETIME_MS);
        }
    });

    it("refuses a client that supports none of the session's challenges, and a request signed with another secret", async () => {
        const light = await create({ ChallengePreferences: [{ Type: "FaceMovementAndLightChallenge" }] });
        assert.deepEqual((await stream(light, "complete", { versions: "FaceMovementChallenge_1.0.0" })).error, {
            name: "ValidationException",
            message:
                "the session's challenges (FaceMovementAndLightChallenge) are not among those the client supports (FaceMovementChallenge_1.0.0)",
        });
        const forged = await create();
        const refused = await stream(forged, "complete", { env: { AWS_SECRET_ACCESS_KEY: "not-the-emulators" } });
        assert.notEqual(refused.error, undefined, "the handshake is refused");
        assert.deepEqual(refused.received, []);
        assert.equal(emulator.sessions.get(forged)!.check, undefined);
        assert.equal((await results(forged)).Status, "CREATED");
    });
});
