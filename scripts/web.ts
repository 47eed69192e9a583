/**
 * `npm run web`: the web example (examples/web, built) against local stand-ins for everything it calls, for a person to
 * try with their own camera and for the browser tests. A development server, never a product API:
 *
 * - the Rekognition emulator: control plane, and the stream the detector sends its check over (TLS, its own certificate);
 * - the session API's handler as built (bin/runtime/sessionApi/index.js), behind a small front that plays API Gateway's
 *   part for its two routes: it checks the request's SigV4 signature against the emulator's credentials, as IAM auth
 *   would, and passes the handler a payload-2.0 event whose authorizer names one signed-in identity of a local pool;
 * - moto's DynamoDB and EventBridge (`npm run moto`), holding the verdicts and their events;
 * - the page, its face model and WASM files, and `config.json`, from one loopback address; `/dev/credentials` gives the
 *   page the emulator's credentials, where an app on AWS gets a signed-in user's from the Cognito identity pool.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { RekognitionEmulator } from "../emulator/rekognitionEmulator";
import { Moto } from "../test/support/moto";
import { Handler, apiEvent, configFor, createChecksTable, lambdaContext, loadHandler } from "../test/support/sessionApi";

const projectDir = path.resolve(__dirname, "..");
const webDist = path.join(projectDir, "examples", "web", "dist");
/** The local stand-in for the setup's identity pool, and the one signed-in identity the front gives every request. */
export const LOCAL_IDENTITY_POOL = "us-east-1:00000000-0000-4000-8000-00000000web0";
export const LOCAL_IDENTITY = "us-east-1:00000000-0000-4000-8000-0000device01";

const types: Record<string, string> = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".bin": "application/octet-stream",
    ".wasm": "application/wasm",
};

export interface LocalCheck {
    /** The page's address. */
    url: string;
    emulator: RekognitionEmulator;
    moto: Moto;
    tableName: string;
    /** Every request the front received, by path: what left the page for the API and the files. */
    requests: string[];
    stop(): Promise<void>;
}

/** Starts everything the page calls, on loopback; the page must be built (`npm --prefix examples/web run build`). */
export async function startLocalCheck(options: { maxFailures?: number } = {}): Promise<LocalCheck> {
    if (!fs.existsSync(path.join(webDist, "index.html"))) {
        throw new Error(
            `the web example is not built: ${webDist} has no index.html (npm ci --prefix examples/web && npm --prefix examples/web run build)`,
        );
    }
    const emulator = await new RekognitionEmulator().start();
    const moto = await Moto.start();
    for (const [name, value] of Object.entries(emulator.env())) process.env[name] = value;
    const tableName = `web-checks-${Date.now()}`;
    await createChecksTable(emulator.env().AWS_REGION, tableName);
    const handler: Handler = loadHandler(
        configFor(tableName, { authMode: "iam", identityPoolId: LOCAL_IDENTITY_POOL, maxFailures: options.maxFailures ?? 5 }),
    );
    const credentials = { accessKeyId: emulator.accessKeyId, secretAccessKey: emulator.secretAccessKey };
    const region = emulator.env().AWS_REGION;
    const requests: string[] = [];

    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const url = new URL(req.url ?? "/", "http://localhost");
            requests.push(`${req.method} ${url.pathname}`);
            const send = (status: number, body: string | Buffer, type = "application/json", headers: Record<string, string> = {}) =>
                res.writeHead(status, { "content-type": type, "cache-control": "no-store", ...headers }).end(body);
            if (url.pathname === "/config.json") {
                const origin = `http://${req.headers.host}`;
                return send(
                    200,
                    JSON.stringify({
                        apiUrl: `${origin}/api/`,
                        region,
                        faceModelUrl: `${origin}/models/facemesh-detection-short.json`,
                        binaryPath: `${origin}/wasm/`,
                        streamEndpoint: emulator.streamTrust().endpoint,
                        credentialsUrl: "/dev/credentials",
                    }),
                );
            }
            if (url.pathname === "/dev/credentials") return send(200, JSON.stringify(credentials));
            if (url.pathname.startsWith("/api/")) {
                void answerApi(req, url, Buffer.concat(chunks)).then(
                    (answer) => send(answer.statusCode, answer.body, "application/json", answer.headers),
                    (error: Error) => send(500, JSON.stringify({ error: error.message })),
                );
                return;
            }
            const file = path.join(webDist, url.pathname === "/" ? "index.html" : path.normalize(url.pathname));
            if (!file.startsWith(webDist) || !fs.existsSync(file) || !fs.statSync(file).isFile())
                return send(404, "not found", "text/plain");
            return send(200, fs.readFileSync(file), types[path.extname(file)] ?? "application/octet-stream");
        });
    });

    /** API Gateway's part: IAM auth (the signature checked against the emulator's credentials), then the handler. */
    async function answerApi(req: http.IncomingMessage, url: URL, body: Buffer) {
        const route = url.pathname.slice("/api".length);
        const authorization = String(req.headers.authorization ?? "");
        const forbidden = { statusCode: 403, headers: {}, body: JSON.stringify({ message: "Forbidden" }) };
        // Unsigned, or without the date it was signed at: refused as API Gateway's IAM auth refuses it.
        if (!authorization.startsWith("AWS4-HMAC-SHA256 ") || !/^\d{8}T\d{6}Z$/.test(String(req.headers["x-amz-date"] ?? "")))
            return forbidden;
        const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)?.[1].split(";") ?? [];
        const date = String(req.headers["x-amz-date"] ?? "");
        const signingDate = new Date(date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"));
        const resigned = await new SignatureV4({ service: "execute-api", region, credentials, sha256: Hash.bind(null, "sha256") }).sign(
            {
                method: req.method ?? "GET",
                protocol: "http:",
                hostname: url.hostname,
                path: url.pathname,
                query: {},
                headers: Object.fromEntries(signedHeaders.map((name) => [name, String(req.headers[name] ?? "")])),
                body: body.length > 0 ? body.toString("utf8") : undefined,
            },
            { signingDate },
        );
        if (resigned.headers.authorization !== authorization) return forbidden;
        const sessionId = /^\/sessions\/([^/]+)$/.exec(route)?.[1];
        const routeKey =
            req.method === "POST" && route === "/sessions"
                ? "POST /sessions"
                : sessionId
                  ? `${req.method} /sessions/{sessionId}`
                  : "$default";
        const event = apiEvent(routeKey, {
            owner: LOCAL_IDENTITY,
            iam: { identityPoolId: LOCAL_IDENTITY_POOL, amr: ["authenticated", "local-development"] },
            sessionId,
            body: body.length > 0 ? body.toString("utf8") : undefined,
            rawPath: route,
        });
        const answer = await handler(event, lambdaContext());
        return { statusCode: answer.statusCode, headers: answer.headers, body: answer.body };
    }

    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    return {
        url,
        emulator,
        moto,
        tableName,
        requests,
        async stop() {
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
            await emulator.stop();
            await moto.stop();
        },
    };
}

async function main(): Promise<void> {
    const local = await startLocalCheck();
    console.log(
        [
            `The web example, against local stand-ins: open ${local.url}`,
            "",
            `The detector streams to the emulator at ${local.emulator.streamTrust().endpoint}, whose certificate is its own:`,
            `open that address once and accept the certificate, or start Chromium with`,
            `  --ignore-certificate-errors-spki-list=${local.emulator.streamTrust().spkiHash}`,
            "A check comes to SUCCEEDED unless decided otherwise (docs/emulator.md); the emulator does not judge the video.",
            "A development server: never expose it. Ctrl-C stops it.",
        ].join("\n"),
    );
    const stop = () => void local.stop().then(() => process.exit(0));
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
}

if (require.main === module) void main();
