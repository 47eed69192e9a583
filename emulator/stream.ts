/**
 * The emulator's `StartFaceLivenessSession`: the stream a device's `FaceLivenessDetector` sends its check over, as the
 * AWS SDK's WebSocket handler speaks it (`@aws-sdk/client-rekognitionstreaming` with `WebSocketFetchHandler`, which
 * Amplify's component uses). The SDK forces `wss:` and the path below, so this is a TLS server with a certificate the
 * emulator makes when it starts; trust it with `NODE_EXTRA_CA_CERTS` (Node.js) or Chromium's
 * `--ignore-certificate-errors-spki-list` (`RekognitionEmulator.streamTrust()`).
 *
 * What it checks: the presigned SigV4 query against the emulator's credentials, every frame's chained event signature,
 * the AWS event-stream framing both ways, the session (known, not expired, never streamed before), and that the
 * challenge the session asked for is one the client supports. What it does not: look at the video. The check comes to
 * what was decided for it ahead (`RekognitionEmulator.planOutcome`, `planChecks`, or the control routes), by default
 * SUCCEEDED; a check the client abandons (it closes before its last video event) comes to FAILED.
 *
 * Written from the service model (rekognitionstreaming 2022-05-30) and the SigV4 event-signing rules, independently of
 * the SDK it is tested with.
 */
import * as crypto from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import type { Message, MessageHeaders } from "@smithy/eventstream-codec";
import { generate } from "selfsigned";
import { WebSocket, WebSocketServer } from "ws";

export const STREAM_PATH = "/start-face-liveness-session-websocket";

/** The challenges the emulator serves, with the version it speaks of each (those Amplify's component 3.6 asks for). */
export const challengeVersions = { FaceMovementAndLightChallenge: "2.0.0", FaceMovementChallenge: "1.0.0" } as const;
export type ChallengeType = keyof typeof challengeVersions;

/** What the stream needs of the emulator it belongs to. */
export interface StreamHost {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    now(): number;
    /** The session, if the service knows it and it has not expired. */
    liveSession(sessionId: string): StreamedSession | undefined;
    /** The status a finished check gives its session, as decided ahead; SUCCEEDED when nothing was. */
    finish(session: StreamedSession, abandoned: boolean): void;
}

/** What a session holds of its check. */
export interface StreamedSession {
    sessionId: string;
    request: Record<string, any>;
    status: string;
    check?: CheckRecord;
}

/** What the emulator received of a check: enough for a test to assert what the device sent, never the video itself. */
export interface CheckRecord {
    challenge: { type: ChallengeType; version: string };
    /** The query parameters the client sent, but the signature's. */
    query: Record<string, string>;
    videoEvents: number;
    videoBytes: number;
    /** The client's `ClientSessionInformationEvent`s, as sent. */
    clientEvents: object[];
    /** Whether the client sent its last video event (an empty chunk): the check ran to its end. */
    ended: boolean;
    /** The WebSocket close code, once closed (1000 done, 4001 face-fit timeout, 4003 cancelled, 4005 runtime error). */
    closeCode?: number;
}

const utf8 = { encode: (s: string) => new TextEncoder().encode(s), decode: (b: Uint8Array) => new TextDecoder().decode(b) };
const codec = new EventStreamCodec(utf8.decode, utf8.encode);
const sha256 = (data: string | Uint8Array) => crypto.createHash("sha256").update(data).digest("hex");
const hmac = (key: crypto.BinaryLike, data: string) => crypto.createHmac("sha256", key).update(data).digest();
/** RFC 3986 encoding, as SigV4 canonicalizes query strings. */
const uriEncode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const amzDate = (date: Date) => date.toISOString().replace(/[-:]|\.\d{3}/g, "");

function signingKey(secret: string, date: string, region: string): Buffer {
    return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), "rekognition"), "aws4_request");
}

/** The query as sent: each parameter decoded once, no `+` taken as a space (the SDK encodes spaces as %20). */
function parseQuery(url: string): Map<string, string> {
    const query = new Map<string, string>();
    const raw = url.includes("?") ? url.slice(url.indexOf("?") + 1) : "";
    for (const pair of raw.split("&").filter(Boolean)) {
        const at = pair.indexOf("=");
        query.set(decodeURIComponent(at < 0 ? pair : pair.slice(0, at)), decodeURIComponent(at < 0 ? "" : pair.slice(at + 1)));
    }
    return query;
}

/** The presigned request's signing scope, or why it is refused: the signature recomputed with the emulator's secret. */
function verifyPresigned(
    query: Map<string, string>,
    host: string,
    credentials: { accessKeyId: string; secretAccessKey: string },
    now: number,
): { region: string; date: string; signature: string } | { error: string } {
    if (query.get("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256") return { error: `X-Amz-Algorithm must be AWS4-HMAC-SHA256` };
    const credential = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/.exec(query.get("X-Amz-Credential") ?? "");
    if (!credential) return { error: `malformed X-Amz-Credential ${JSON.stringify(query.get("X-Amz-Credential"))}` };
    const [, accessKeyId, date, region, service] = credential;
    if (service !== "rekognition") return { error: `credential scope names service ${service}, expected rekognition` };
    if (accessKeyId !== credentials.accessKeyId) return { error: `unknown access key ${accessKeyId}` };
    const signedAt = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(query.get("X-Amz-Date") ?? "");
    if (!signedAt || !query.get("X-Amz-Date")!.startsWith(date)) return { error: `X-Amz-Date does not match the scope date ${date}` };
    const signedMs = Date.UTC(+signedAt[1], +signedAt[2] - 1, +signedAt[3], +signedAt[4], +signedAt[5], +signedAt[6]);
    const expires = Number(query.get("X-Amz-Expires"));
    if (!Number.isInteger(expires) || expires < 1 || expires > 604_800) return { error: `X-Amz-Expires must be 1 to 604800 seconds` };
    if (now > signedMs + expires * 1000 || now < signedMs - 5 * 60_000)
        return { error: "the presigned request has expired or is not yet valid" };
    const signedHeaders = query.get("X-Amz-SignedHeaders") ?? "";
    if (!signedHeaders.split(";").includes("host")) return { error: "X-Amz-SignedHeaders must include host" };
    const canonicalQuery = [...query]
        .filter(([name]) => name !== "X-Amz-Signature")
        .map(([name, value]) => [uriEncode(name), uriEncode(value)])
        .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
        .map(([name, value]) => `${name}=${value}`)
        .join("&");
    const scope = `${date}/${region}/rekognition/aws4_request`;
    const key = signingKey(credentials.secretAccessKey, date, region);
    const signature = query.get("X-Amz-Signature") ?? "";
    // The SDK's WebSocket handler signs the endpoint's host name without its port (on AWS the port is 443, implied),
    // while the socket's Host header carries the emulator's port: either form is the host the client meant.
    for (const signedHost of new Set([host, host.replace(/:\d+$/, "")])) {
        const canonicalRequest = ["GET", STREAM_PATH, canonicalQuery, `host:${signedHost}\n`, "host", sha256("")].join("\n");
        const stringToSign = ["AWS4-HMAC-SHA256", query.get("X-Amz-Date"), scope, sha256(canonicalRequest)].join("\n");
        const expected = hmac(key, stringToSign).toString("hex");
        if (signature.length === expected.length && crypto.timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) {
            return { region, date, signature };
        }
    }
    return { error: "the presigned request's signature does not match: check the access key's secret and the signed query" };
}

/** A server message: JSON, `:message-type` event (named by `:event-type`) or exception (by `:exception-type`). */
function serverMessage(kind: "event" | "exception", type: string, body: object): Uint8Array {
    return codec.encode({
        headers: {
            ":message-type": { type: "string", value: kind },
            [`:${kind}-type`]: { type: "string", value: type },
            ":content-type": { type: "string", value: "application/json" },
        },
        body: utf8.encode(JSON.stringify(body)),
    });
}

/** A server event. */
const eventMessage = (type: string, body: object) => serverMessage("event", type, body);

/** A service error in the stream, as the service reports one mid-stream. */
const exceptionMessage = (type: string, message: string) => serverMessage("exception", type, { Message: message, Code: type });

/**
 * The challenge the session asked for (its `ChallengePreferences`, in order, within their versions; the service's
 * default, FaceMovementAndLightChallenge, without any) that the client also supports (`challenge-versions`).
 */
function chooseChallenge(session: StreamedSession, clientVersions: string): { type: ChallengeType; version: string } | { error: string } {
    const offered = new Map(
        clientVersions
            .split(",")
            .map((entry) => entry.trim().split("_") as [string, string])
            .filter(([type, version]) => type && version),
    );
    const preferences: { Type: string; Versions?: { Minimum?: string; Maximum?: string } }[] = session.request.Settings
        ?.ChallengePreferences ?? [{ Type: "FaceMovementAndLightChallenge" }];
    const numeric = (v: string) => v.split(".").reduce((sum, part) => sum * 1000 + Number(part), 0);
    for (const { Type, Versions } of preferences) {
        const served = challengeVersions[Type as ChallengeType];
        const version = offered.get(Type);
        if (served === undefined || version === undefined) continue;
        if (Versions?.Minimum !== undefined && numeric(version) < numeric(Versions.Minimum)) continue;
        if (Versions?.Maximum !== undefined && numeric(version) > numeric(Versions.Maximum)) continue;
        return { type: Type as ChallengeType, version };
    }
    return {
        error: `the session's challenges (${preferences.map((p) => p.Type).join(", ")}) are not among those the client supports (${clientVersions || "none"})`,
    };
}

/**
 * The challenge's parameters for a video of `width`×`height`. The oval and the distance and IoU thresholds are those
 * a face moving closer passes in the real component (shared/reference/browser-path.md: an oval of 260×420 at
 * (320, 250) in 640×480, thresholds 0.32 and 0.55); the others are the values of Amplify UI's own tests of the
 * component. The real service's values are its own.
 */
function serverChallenge(type: ChallengeType, width: number, height: number): object {
    const ovalParameters = { Width: (width * 260) / 640, Height: (height * 420) / 480, CenterX: width / 2, CenterY: (height * 250) / 480 };
    const challengeConfig = {
        BlazeFaceDetectionThreshold: 0.75,
        FaceDistanceThreshold: 0.32,
        FaceDistanceThresholdMax: 0,
        FaceDistanceThresholdMin: 0.32,
        FaceIouHeightThreshold: 0.15,
        FaceIouWidthThreshold: 0.15,
        OvalHeightWidthRatio: 1.618,
        OvalIouHeightThreshold: 0.25,
        OvalIouThreshold: 0.55,
        OvalIouWidthThreshold: 0.25,
    };
    if (type === "FaceMovementChallenge")
        return { FaceMovementChallenge: { OvalParameters: ovalParameters, ChallengeConfig: challengeConfig } };
    const colors = [
        [0, 0, 0],
        [0, 255, 255],
        [255, 0, 0],
        [0, 255, 0],
        [0, 0, 255],
        [255, 255, 0],
        [255, 0, 255],
        [255, 255, 255],
    ];
    return {
        FaceMovementAndLightChallenge: {
            OvalParameters: ovalParameters,
            ChallengeConfig: challengeConfig,
            LightChallengeType: "SEQUENTIAL",
            ColorSequences: colors.map((rgb) => ({ FreshnessColor: { RGB: rgb }, DownscrollDuration: 300, FlatDisplayDuration: 100 })),
        },
    };
}

/** The TLS WebSocket server of one emulator. */
export class LivenessStreamServer {
    private server?: https.Server;
    private readonly sockets = new Set<WebSocket>();
    endpoint = "";
    /** The certificate (PEM) the server presents, made when it started. */
    certificate = "";

    constructor(private readonly host: StreamHost) {}

    /** Base64 SHA-256 of the certificate's public key: what Chromium's `--ignore-certificate-errors-spki-list` takes. */
    get spkiHash(): string {
        const key = new crypto.X509Certificate(this.certificate).publicKey.export({ type: "spki", format: "der" });
        return crypto.createHash("sha256").update(key).digest("base64");
    }

    async start(port = 0): Promise<void> {
        const made = await generate([{ name: "commonName", value: "liveness-emulator" }], {
            keyType: "ec",
            curve: "P-256",
            notBeforeDate: new Date(Date.now() - 60_000),
            notAfterDate: new Date(Date.now() + 30 * 86_400_000),
            extensions: [
                { name: "basicConstraints", cA: true },
                {
                    name: "subjectAltName",
                    altNames: [
                        { type: 7, ip: "127.0.0.1" },
                        { type: 2, value: "localhost" },
                    ],
                },
            ],
        });
        this.certificate = made.cert;
        const sockets = new WebSocketServer({ noServer: true });
        this.server = https.createServer({ key: made.private, cert: made.cert }, (_req, res) => {
            res.writeHead(426, { "content-type": "text/plain" }).end(`the liveness stream is a WebSocket at ${STREAM_PATH}\n`);
        });
        this.server.on("upgrade", (req: http.IncomingMessage, socket, head) => {
            const refuse = (status: number, message: string) => {
                socket.end(
                    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${message}\n`,
                );
            };
            if ((req.url ?? "").split("?")[0] !== STREAM_PATH) return refuse(404, `no such path: the stream is at ${STREAM_PATH}`);
            const query = parseQuery(req.url ?? "");
            const signed = verifyPresigned(query, String(req.headers.host ?? ""), this.host, Date.now());
            if ("error" in signed) return refuse(403, signed.error);
            sockets.handleUpgrade(req, socket, head, (ws) => this.serve(ws, query, signed));
        });
        await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
        this.endpoint = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }

    async stop(): Promise<void> {
        for (const socket of this.sockets) socket.terminate();
        this.server?.closeAllConnections();
        await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    }

    /** One check, from the accepted handshake to the close. */
    private serve(ws: WebSocket, query: Map<string, string>, signed: { region: string; signature: string }): void {
        this.sockets.add(ws);
        const fail = (type: string, message: string) => {
            ws.send(exceptionMessage(type, message));
            ws.close(1000);
        };
        const sessionId = query.get("session-id") ?? "";
        const session = this.host.liveSession(sessionId);
        if (session === undefined) return fail("SessionNotFoundException", `Session ${sessionId} not found`);
        if (session.check !== undefined || session.status !== "CREATED") {
            return fail("ValidationException", `Session ${sessionId} was already used for a check: a session serves one check`);
        }
        const challenge = chooseChallenge(session, query.get("challenge-versions") ?? "");
        if ("error" in challenge) return fail("ValidationException", challenge.error);
        const width = Number(query.get("video-width"));
        const height = Number(query.get("video-height"));
        if (!(width > 0 && height > 0)) return fail("ValidationException", "video-width and video-height must be positive numbers");

        const check: CheckRecord = {
            challenge,
            query: Object.fromEntries([...query].filter(([name]) => name !== "X-Amz-Signature")),
            videoEvents: 0,
            videoBytes: 0,
            clientEvents: [],
            ended: false,
        };
        session.check = check;
        session.status = "IN_PROGRESS";
        ws.send(eventMessage("ChallengeEvent", { Type: challenge.type, Version: challenge.version }));
        ws.send(
            eventMessage("ServerSessionInformationEvent", {
                SessionInformation: { Challenge: serverChallenge(challenge.type, width, height) },
            }),
        );

        let priorSignature = signed.signature;
        ws.on("message", (data: Buffer) => {
            if (check.ended) return;
            let frame: Message;
            let event: Message;
            try {
                frame = codec.decode(new Uint8Array(data));
                const problem = this.verifyEvent(frame, priorSignature, signed.region);
                if (typeof problem === "string") return fail("AccessDeniedException", problem);
                priorSignature = problem.signature;
                event = codec.decode(frame.body);
            } catch (error) {
                return fail("ValidationException", `a frame that is not an AWS event-stream message: ${(error as Error).message}`);
            }
            const type = String(event.headers[":event-type"]?.value ?? "");
            let body: Record<string, any>;
            try {
                body = JSON.parse(utf8.decode(event.body));
            } catch {
                return fail("ValidationException", `the body of a ${type} is not JSON`);
            }
            if (type === "ClientSessionInformationEvent") {
                check.clientEvents.push(body);
            } else if (type === "VideoEvent") {
                const chunk = typeof body.VideoChunk === "string" ? Buffer.from(body.VideoChunk, "base64") : Buffer.alloc(0);
                if (chunk.length === 0) {
                    // The client's last video event: the check is over. The emulator decides nothing from the video.
                    check.ended = true;
                    this.host.finish(session, false);
                    ws.send(eventMessage("DisconnectionEvent", { TimestampMillis: Date.now() }));
                    return;
                }
                check.videoEvents++;
                check.videoBytes += chunk.length;
            } else {
                return fail("ValidationException", `unknown event type ${JSON.stringify(type)}`);
            }
        });
        ws.on("close", (code) => {
            this.sockets.delete(ws);
            check.closeCode = code;
            // Closed before its last video event (timed out, cancelled, failed on the device, or gone): not live.
            if (!check.ended) this.host.finish(session, true);
        });
    }

    /** The frame's chained signature checked, or why it is refused. */
    private verifyEvent(frame: Message, priorSignature: string, region: string): { signature: string } | string {
        const date = frame.headers[":date"];
        const chunkSignature = frame.headers[":chunk-signature"];
        if (date?.type !== "timestamp" || chunkSignature?.type !== "binary") return "a frame without :date and :chunk-signature";
        const longDate = amzDate(date.value);
        const shortDate = longDate.slice(0, 8);
        const dateHeader: MessageHeaders = { ":date": date };
        const stringToSign = [
            "AWS4-HMAC-SHA256-PAYLOAD",
            longDate,
            `${shortDate}/${region}/rekognition/aws4_request`,
            priorSignature,
            sha256(codec.formatHeaders(dateHeader)),
            sha256(frame.body),
        ].join("\n");
        const expected = hmac(signingKey(this.host.secretAccessKey, shortDate, region), stringToSign);
        const sent = Buffer.from(chunkSignature.value);
        if (sent.length !== expected.length || !crypto.timingSafeEqual(sent, expected)) {
            return "an event's signature does not match the chain begun by the presigned request";
        }
        return { signature: expected.toString("hex") };
    }
}
