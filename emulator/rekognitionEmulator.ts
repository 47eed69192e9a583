/**
 * `pulumi-rekognition-liveness/emulator`: a loopback emulator of the Rekognition Face Liveness control plane
 * (CreateFaceLivenessSession, GetFaceLivenessSessionResults), speaking the wire protocol the real AWS SDK client speaks
 * (awsJson1_1 over HTTP, SigV4-signed). Any AWS SDK reaches it through the standard AWS_ENDPOINT_URL_REKOGNITION
 * variable with the emulator's credentials (`env()`), so code under test runs its real client: serialization, signing,
 * retries and error parsing. This package's own tests run against it; `liveness-emulator` (emulator/cli.ts) serves it
 * from a shell.
 *
 * A device streams its check to `StartFaceLivenessSession` (emulator/stream.ts: a TLS WebSocket, reached through the
 * standard AWS_ENDPOINT_URL_REKOGNITIONSTREAMING), which moves the session to IN_PROGRESS and, at its end, to what was
 * decided for it ahead (`planOutcome`, `planChecks`), by default SUCCEEDED: the emulator decides nothing from the
 * video. `setOutcome` sets a session's status at once, as if a check had happened. The control routes
 * (`GET /emulator/sessions`, `PUT /emulator/sessions/{sessionId}/outcome`, `PUT /emulator/sessions/{sessionId}/check`,
 * `PUT` or `DELETE /emulator/checks`) do the same from outside the process; like the emulator, they listen on
 * loopback only.
 *
 * Its rules are written from the service model independently of the provider's own API description, so that a
 * mistake in one is caught by the other.
 */
import * as crypto from "node:crypto";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { CheckRecord, LivenessStreamServer, StreamHost } from "./stream";

export const SESSION_LIFETIME_MS = 3 * 60 * 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface ReceivedRequest {
    operation: string;
    /** The region of the SigV4 credential scope the client signed for. */
    region: string;
    body: Record<string, any>;
    headers: http.IncomingHttpHeaders;
}

export interface EmulatedSession {
    sessionId: string;
    request: Record<string, any>;
    createdAt: number;
    status: "CREATED" | "IN_PROGRESS" | "SUCCEEDED" | "FAILED";
    /** The confidence a finished check reports (0 to 100). @default 97.5 */
    confidence?: number;
    /** What its streamed check is to come to, decided ahead (`planOutcome`). */
    planned?: SessionOutcome;
    /** What the emulator received of its streamed check, once one began. */
    check?: CheckRecord;
}

/** What a device's check of a session came to, as a test sets it. */
export interface SessionOutcome {
    status: EmulatedSession["status"];
    /** The confidence GetFaceLivenessSessionResults reports once the check is finished. @default 97.5 */
    confidence?: number;
}

export interface EmulatorOptions {
    /** The loopback port to listen on. @default 0 - any free port (read it from `endpoint`) */
    port?: number;
    /** The loopback port of the stream (TLS). @default 0 - any free port (read it from `streamEndpoint`) */
    streamPort?: number;
    /** The region `env()` names; requests signed for any region are served. @default "us-east-1" */
    region?: string;
    /** Credentials the emulator accepts; a request signed with anything else is refused. */
    accessKeyId?: string;
    secretAccessKey?: string;
    /** How Get answers for a session past its 3 minutes (the real service's choice is undocumented). */
    expired?: "status" | "not-found";
    /**
     * The account's request quota across both operations, as a token bucket refilled at `tps` per second holding at
     * most `burst` (default `tps`); a request finding it empty is answered ProvisionedThroughputExceededException.
     */
    tps?: number;
    burst?: number;
    /**
     * Milliseconds every answer (throttling and errors too) is held before it is sent, as a real round trip to the
     * service holds a caller; the quota is still counted when a request arrives.
     */
    roundTripMs?: number;
    /** Milliseconds each Create is held after the session exists and before it is answered, as a slow network would. */
    createLatencyMs?: number;
}

interface InjectedError {
    operation: string;
    type: string;
    message: string;
    status: number;
}

export class RekognitionEmulator implements StreamHost {
    readonly requests: ReceivedRequest[] = [];
    readonly sessions = new Map<string, EmulatedSession>();
    /** What the service does with a token it has seen: the session that token created. */
    private readonly tokens = new Map<string, string>();
    private readonly injected: InjectedError[] = [];
    private clockOffsetMs = 0;
    private quotaBucket = { available: 0, at: 0 };
    /** Requests refused for exceeding the quota. */
    throttledCount = 0;
    private server?: http.Server;
    private readonly stream = new LivenessStreamServer(this);
    /** What checks streamed from now on come to, unless planned for their session (`planChecks`). */
    private nextChecks?: SessionOutcome;
    endpoint = "";

    constructor(readonly options: EmulatorOptions = {}) {}

    get accessKeyId(): string {
        return this.options.accessKeyId ?? "AKIDEMULATOR";
    }

    get secretAccessKey(): string {
        return this.options.secretAccessKey ?? "emulator-secret-key";
    }

    /**
     * The variables that point an AWS SDK (this process's, a child's, a `pulumi` command's providers) at this emulator
     * with the credentials it accepts.
     */
    env(): Record<string, string> {
        return {
            AWS_ENDPOINT_URL_REKOGNITION: this.endpoint,
            AWS_ENDPOINT_URL_REKOGNITIONSTREAMING: this.stream.endpoint,
            AWS_ACCESS_KEY_ID: this.accessKeyId,
            AWS_SECRET_ACCESS_KEY: this.secretAccessKey,
            AWS_REGION: this.options.region ?? "us-east-1",
        };
    }

    /** The service's clock, which tests move forward instead of waiting. */
    now(): number {
        return Date.now() + this.clockOffsetMs;
    }

    advance(ms: number): void {
        this.clockOffsetMs += ms;
    }

    /** The next `count` calls of `operation` fail with the given AWS error. */
    failNext(operation: string, type: string, count = 1, message = `${type} injected by the test`, status = 400): void {
        for (let i = 0; i < count; i++) this.injected.push({ operation, type, message, status });
    }

    /** Moves a session along, without a stream. */
    setStatus(sessionId: string, status: EmulatedSession["status"]): void {
        this.sessions.get(sessionId)!.status = status;
    }

    /** Forgets the errors `failNext` queued that no call has taken yet. */
    clearInjected(): void {
        this.injected.length = 0;
    }

    /** Sets what the check of a session came to: its status and, once finished, its confidence. */
    setOutcome(sessionId: string, outcome: SessionOutcome): void {
        const session = this.sessions.get(sessionId);
        if (session === undefined) throw new Error(`the emulator has no session ${sessionId}`);
        session.status = outcome.status;
        session.confidence = outcome.confidence;
    }

    /** What the streamed check of `sessionId` is to come to, whatever is planned for the next checks. */
    planOutcome(sessionId: string, outcome: SessionOutcome): void {
        const session = this.sessions.get(sessionId);
        if (session === undefined) throw new Error(`the emulator has no session ${sessionId}`);
        session.planned = outcome;
    }

    /** What every check streamed from now on comes to (unless planned for its session); undefined: SUCCEEDED again. */
    planChecks(outcome: SessionOutcome | undefined): void {
        this.nextChecks = outcome;
    }

    /** The stream's endpoint, and how to trust its certificate, made when the emulator started. */
    streamTrust(): { endpoint: string; certificate: string; spkiHash: string } {
        return { endpoint: this.stream.endpoint, certificate: this.stream.certificate, spkiHash: this.stream.spkiHash };
    }

    /** The session, if it exists and has not expired: what a stream may serve. */
    liveSession(sessionId: string): EmulatedSession | undefined {
        const session = this.sessions.get(sessionId);
        return session !== undefined && this.now() - session.createdAt < SESSION_LIFETIME_MS ? session : undefined;
    }

    /** Gives a streamed check its end: what was planned (by default SUCCEEDED), or FAILED if the client abandoned it. */
    finish(session: EmulatedSession, abandoned: boolean): void {
        const outcome = abandoned
            ? { status: "FAILED" as const }
            : (session.planned ?? this.nextChecks ?? { status: "SUCCEEDED" as const });
        session.status = outcome.status;
        session.confidence = outcome.confidence;
    }

    calls(operation: string): ReceivedRequest[] {
        return this.requests.filter((r) => r.operation === operation);
    }

    /** Refills the quota's bucket, as after a quiet second. */
    resetQuota(): void {
        this.quotaBucket = { available: 0, at: 0 };
    }

    /** Takes one request from the quota's bucket, if the quota allows it now (real time, as the service's is). */
    private withinQuota(): boolean {
        const { tps } = this.options;
        if (tps === undefined) return true;
        const burst = this.options.burst ?? tps;
        const now = performance.now();
        if (this.quotaBucket.at === 0) this.quotaBucket = { available: burst, at: now };
        this.quotaBucket.available = Math.min(burst, this.quotaBucket.available + ((now - this.quotaBucket.at) * tps) / 1000);
        this.quotaBucket.at = now;
        if (this.quotaBucket.available < 1) return false;
        this.quotaBucket.available -= 1;
        return true;
    }

    async start(): Promise<this> {
        this.server = http.createServer((req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", (c: Buffer) => chunks.push(c));
            req.on("end", () => this.handle(req, Buffer.concat(chunks), res));
        });
        await new Promise<void>((resolve) => this.server!.listen(this.options.port ?? 0, "127.0.0.1", resolve));
        this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        await this.stream.start(this.options.streamPort ?? 0);
        return this;
    }

    async stop(): Promise<void> {
        await this.stream.stop();
        this.server?.closeAllConnections();
        await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    }

    private handle(req: http.IncomingMessage, raw: Buffer, res: http.ServerResponse): void {
        const reply = (status: number, body: object, type?: string) => {
            const headers: http.OutgoingHttpHeaders = {
                "content-type": "application/x-amz-json-1.1",
                "x-amzn-requestid": crypto.randomUUID(),
            };
            if (type) headers["x-amzn-errortype"] = type;
            const send = () =>
                res
                    .writeHead(status, headers)
                    .end(JSON.stringify(type ? { __type: type, Message: (body as { Message: string }).Message } : body));
            if (this.options.roundTripMs) setTimeout(send, this.options.roundTripMs);
            else send();
        };
        if (req.url?.startsWith(controlPrefix)) return this.control(req, raw, res);
        const target = String(req.headers["x-amz-target"] ?? "");
        if (req.method !== "POST" || req.url !== "/" || req.headers["content-type"] !== "application/x-amz-json-1.1") {
            return reply(
                400,
                { Message: `expected POST / with application/x-amz-json-1.1, got ${req.method} ${req.url} ${req.headers["content-type"]}` },
                "SerializationException",
            );
        }
        const signature = this.verifySignature(req, raw);
        if ("error" in signature) {
            return reply(403, { Message: signature.error }, "InvalidSignatureException");
        }
        let body: Record<string, any>;
        try {
            body = JSON.parse(raw.toString("utf8"));
        } catch {
            return reply(400, { Message: "body is not JSON" }, "SerializationException");
        }
        const operation = target.replace(/^RekognitionService\./, "");
        this.requests.push({ operation, region: signature.region, body, headers: req.headers });

        if (!this.withinQuota()) {
            this.throttledCount++;
            return reply(400, { Message: "Provisioned rate exceeded" }, "ProvisionedThroughputExceededException");
        }
        const injectedAt = this.injected.findIndex((e) => e.operation === operation);
        if (injectedAt >= 0) {
            const [e] = this.injected.splice(injectedAt, 1);
            return reply(e.status, { Message: e.message }, e.type);
        }
        switch (target) {
            case "RekognitionService.CreateFaceLivenessSession": {
                const problem = createRequestProblem(body);
                if (problem) return reply(400, { Message: `1 validation error detected: ${problem}` }, "InvalidParameterException");
                const known = body.ClientRequestToken && this.tokens.get(body.ClientRequestToken);
                if (known) return reply(200, { SessionId: known });
                const sessionId = crypto.randomUUID();
                this.sessions.set(sessionId, { sessionId, request: body, createdAt: this.now(), status: "CREATED" });
                if (body.ClientRequestToken) this.tokens.set(body.ClientRequestToken, sessionId);
                if (this.options.createLatencyMs) {
                    setTimeout(() => reply(200, { SessionId: sessionId }), this.options.createLatencyMs);
                    return;
                }
                return reply(200, { SessionId: sessionId });
            }
            case "RekognitionService.GetFaceLivenessSessionResults": {
                if (typeof body.SessionId !== "string" || !UUID.test(body.SessionId)) {
                    return reply(
                        400,
                        {
                            Message: `1 validation error detected: Value '${body.SessionId}' at 'sessionId' failed to satisfy constraint: Member must satisfy regular expression pattern: ${UUID.source}`,
                        },
                        "InvalidParameterException",
                    );
                }
                const session = this.sessions.get(body.SessionId);
                const expired = session !== undefined && this.now() - session.createdAt >= SESSION_LIFETIME_MS;
                if (!session || (expired && this.options.expired === "not-found")) {
                    return reply(400, { Message: `Session ${body.SessionId} not found` }, "SessionNotFoundException");
                }
                const status = expired ? "EXPIRED" : session.status;
                const done = status === "SUCCEEDED" || status === "FAILED";
                // A finished session carries image bytes and, with OutputConfig, the S3 keys the service wrote them
                // under: sensitive data neither the provider nor the session API may ever keep or show.
                const output = session.request.Settings?.OutputConfig;
                const image = (name: string) => ({
                    Bytes: Buffer.from(`${name}-image-bytes`).toString("base64"),
                    ...(output
                        ? { S3Object: { Bucket: output.S3Bucket, Name: `${output.S3KeyPrefix ?? ""}${session.sessionId}/${name}.jpg` } }
                        : {}),
                    BoundingBox: { Width: 0.5, Height: 0.6, Left: 0.25, Top: 0.2 },
                });
                const audits = Array.from({ length: session.request.Settings?.AuditImagesLimit ?? 0 }, (_, i) => image(`audit-${i}`));
                const images = done
                    ? {
                          Confidence: session.confidence ?? 97.5,
                          ReferenceImage: image("reference"),
                          ...(audits.length ? { AuditImages: audits } : {}),
                      }
                    : {};
                return reply(200, { SessionId: session.sessionId, Status: status, ...images });
            }
            default:
                return reply(400, { Message: `unknown operation ${target}` }, "UnknownOperationException");
        }
    }

    /** The control routes: what a test or a person sets about sessions from outside the process, as JSON. */
    private control(req: http.IncomingMessage, raw: Buffer, res: http.ServerResponse): void {
        const answer = (status: number, body: object): void => {
            res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body) + "\n");
        };
        const route = `${req.method} ${req.url!.slice(controlPrefix.length)}`;
        if (route === "GET sessions") {
            return answer(200, {
                sessions: [...this.sessions.values()].map((s) => ({
                    sessionId: s.sessionId,
                    status: this.now() - s.createdAt >= SESSION_LIFETIME_MS ? "EXPIRED" : s.status,
                    createdAt: new Date(s.createdAt).toISOString(),
                    ...(s.check
                        ? {
                              check: {
                                  challenge: s.check.challenge.type,
                                  videoEvents: s.check.videoEvents,
                                  clientEvents: s.check.clientEvents.length,
                                  ended: s.check.ended,
                                  closeCode: s.check.closeCode,
                              },
                          }
                        : {}),
                })),
            });
        }
        if (route === "DELETE checks") {
            this.planChecks(undefined);
            return answer(200, { checks: { status: "SUCCEEDED" } });
        }
        const outcomeRoute = /^PUT sessions\/([^/]+)\/(outcome|check)$/.exec(route);
        if (!outcomeRoute && route !== "PUT checks") {
            return answer(404, {
                message:
                    `no control route ${route}: GET ${controlPrefix}sessions, PUT ${controlPrefix}sessions/{sessionId}/outcome ` +
                    `(now), PUT ${controlPrefix}sessions/{sessionId}/check (its streamed check), PUT or DELETE ${controlPrefix}checks (the next checks)`,
            });
        }
        let outcome: SessionOutcome;
        try {
            outcome = JSON.parse(raw.toString("utf8"));
        } catch {
            return answer(400, { message: `the body must be JSON such as {"status": "SUCCEEDED", "confidence": 98}` });
        }
        const problem = outcomeProblem(outcome);
        if (problem) return answer(400, { message: problem });
        if (!outcomeRoute) {
            this.planChecks(outcome);
            return answer(200, { checks: { status: outcome.status, confidence: outcome.confidence } });
        }
        const sessionId = decodeURIComponent(outcomeRoute[1]);
        if (!this.sessions.has(sessionId)) return answer(404, { message: `the emulator has no session ${sessionId}` });
        if (outcomeRoute[2] === "check") this.planOutcome(sessionId, outcome);
        else this.setOutcome(sessionId, outcome);
        return answer(200, { sessionId, status: outcome.status, confidence: outcome.confidence });
    }

    /** Recomputes the SigV4 signature with the emulator's secret; any difference in what was signed is refused. */
    private verifySignature(req: http.IncomingMessage, raw: Buffer): { region: string } | { error: string } {
        const auth = String(req.headers.authorization ?? "");
        const m =
            /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
                auth,
            );
        if (!m) return { error: `missing or malformed SigV4 Authorization header: ${auth}` };
        const [, accessKeyId, date, region, service, signedHeaders, signature] = m;
        if (service !== "rekognition") return { error: `credential scope names service ${service}, expected rekognition` };
        if (accessKeyId !== this.accessKeyId) return { error: `unknown access key ${accessKeyId}` };
        const amzDate = String(req.headers["x-amz-date"] ?? "");
        if (!amzDate.startsWith(date)) return { error: `x-amz-date ${amzDate} does not match the scope date ${date}` };
        const canonicalHeaders = signedHeaders
            .split(";")
            .map(
                (h) =>
                    `${h}:${String(req.headers[h] ?? "")
                        .trim()
                        .replace(/\s+/g, " ")}\n`,
            )
            .join("");
        const sha256 = (data: string | Buffer) => crypto.createHash("sha256").update(data).digest("hex");
        const canonicalRequest = ["POST", "/", "", canonicalHeaders, signedHeaders, sha256(raw)].join("\n");
        const scope = `${date}/${region}/${service}/aws4_request`;
        const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n");
        const hmac = (key: string | Buffer, data: string) => crypto.createHmac("sha256", key).update(data).digest();
        let key = hmac(`AWS4${this.secretAccessKey}`, date);
        for (const part of [region, service, "aws4_request"]) key = hmac(key, part);
        const expected = crypto.createHmac("sha256", key).update(stringToSign).digest("hex");
        return expected === signature ? { region } : { error: "the request signature does not match" };
    }
}

const controlPrefix = "/emulator/";
const outcomeStatuses: readonly EmulatedSession["status"][] = ["CREATED", "IN_PROGRESS", "SUCCEEDED", "FAILED"];

/** What is wrong with an outcome sent to the control route, if anything. */
function outcomeProblem(outcome: unknown): string | undefined {
    if (typeof outcome !== "object" || outcome === null) return `the outcome must be an object, not ${JSON.stringify(outcome)}`;
    const { status, confidence } = outcome as Record<string, unknown>;
    if (!outcomeStatuses.includes(status as EmulatedSession["status"])) {
        return `status must be one of ${outcomeStatuses.join(", ")}, not ${JSON.stringify(status)}`;
    }
    if (confidence !== undefined && !(typeof confidence === "number" && confidence >= 0 && confidence <= 100)) {
        return `confidence must be a number from 0 to 100, not ${JSON.stringify(confidence)}`;
    }
    return undefined;
}

/** The first constraint of the service model that `body` breaks, worded as AWS validation errors are. */
function createRequestProblem(body: Record<string, any>): string | undefined {
    const broken = (path: string, value: unknown, rule: string) =>
        `Value '${JSON.stringify(value)}' at '${path}' failed to satisfy constraint: ${rule}`;
    const str = (path: string, v: unknown, min: number, max: number, re: RegExp) => {
        if (v === undefined) return undefined;
        if (typeof v !== "string") return broken(path, v, "Member must be a string");
        if (v.length < min || v.length > max) return broken(path, v, `Member must have length between ${min} and ${max}`);
        if (!re.test(v)) return broken(path, v, `Member must satisfy regular expression pattern: ${re.source}`);
        return undefined;
    };
    const version = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;
    const s = body.Settings ?? {};
    const problems = [
        str("kmsKeyId", body.KmsKeyId, 1, 2048, /^[A-Za-z0-9][A-Za-z0-9:_/+=,@.-]{0,2048}$/),
        str("clientRequestToken", body.ClientRequestToken, 1, 64, /^[a-zA-Z0-9-_]+$/),
        s.OutputConfig && s.OutputConfig.S3Bucket === undefined
            ? broken("settings.outputConfig.s3Bucket", null, "Member must not be null")
            : undefined,
        s.OutputConfig && str("settings.outputConfig.s3Bucket", s.OutputConfig.S3Bucket, 3, 255, /^[0-9A-Za-z.\-_]*$/),
        s.OutputConfig && str("settings.outputConfig.s3KeyPrefix", s.OutputConfig.S3KeyPrefix, 0, 950, /^\S*$/),
        s.AuditImagesLimit !== undefined && !(Number.isInteger(s.AuditImagesLimit) && s.AuditImagesLimit >= 0 && s.AuditImagesLimit <= 4)
            ? broken("settings.auditImagesLimit", s.AuditImagesLimit, "Member must have value between 0 and 4")
            : undefined,
        ...(s.ChallengePreferences ?? []).flatMap((p: any, i: number) => [
            ["FaceMovementAndLightChallenge", "FaceMovementChallenge"].includes(p.Type)
                ? undefined
                : broken(
                      `settings.challengePreferences.${i + 1}.member.type`,
                      p.Type,
                      "Member must satisfy enum value set: [FaceMovementAndLightChallenge, FaceMovementChallenge]",
                  ),
            str(`settings.challengePreferences.${i + 1}.member.versions.minimum`, p.Versions?.Minimum, 5, 11, version),
            str(`settings.challengePreferences.${i + 1}.member.versions.maximum`, p.Versions?.Maximum, 5, 11, version),
        ]),
    ];
    return problems.find((p) => p !== undefined);
}

/**
 * Starts an emulator and points the AWS SDK of this process (and its children) at it with its credentials, hiding the
 * developer's own AWS profile files and variables so that tests are hermetic; `restoreEnv` puts them back.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<{ emulator: RekognitionEmulator; restoreEnv: () => void }> {
    const emulator = await new RekognitionEmulator(options).start();
    const names = [
        "AWS_ENDPOINT_URL_REKOGNITION",
        "AWS_ENDPOINT_URL_REKOGNITIONSTREAMING",
        "AWS_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_PROFILE",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
    ];
    const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
    for (const n of names) delete process.env[n];
    // The region is left unset: tests choose it, and test how the provider resolves it.
    const pointing = emulator.env();
    delete pointing.AWS_REGION;
    Object.assign(process.env, pointing);
    process.env.AWS_CONFIG_FILE = process.env.AWS_SHARED_CREDENTIALS_FILE = "/nonexistent/aws-profile-files";
    const restoreEnv = () => {
        for (const n of names) {
            if (saved[n] === undefined) delete process.env[n];
            else process.env[n] = saved[n];
        }
    };
    return { emulator, restoreEnv };
}
