/**
 * The two calls a device makes to the session API, signed as its IAM auth requires (SigV4 for `execute-api`, with the
 * device's credentials). With a JWT authorizer instead, send `Authorization: Bearer <access token>` and no signature.
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Credentials } from "./config";

export type Answer = { status: number; body: Record<string, unknown>; retryAfterSeconds?: number };

export async function callApi(
    apiUrl: string,
    region: string,
    credentials: Credentials,
    method: "GET" | "POST",
    path: string,
): Promise<Answer> {
    const url = new URL(path, apiUrl);
    const body = method === "POST" ? "{}" : undefined;
    const signer = new SignatureV4({ service: "execute-api", region, credentials, sha256: Sha256 });
    const signed = await signer.sign({
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        query: {},
        headers: { host: url.host, ...(body ? { "content-type": "application/json" } : {}) },
        body,
    });
    // The browser sets Host itself, and refuses to be told it.
    const { host: _host, ...headers } = signed.headers;
    const answer = await fetch(url, { method, headers, body });
    const text = await answer.text();
    const retryAfter = answer.headers.get("retry-after");
    return { status: answer.status, body: text ? JSON.parse(text) : {}, retryAfterSeconds: retryAfter ? Number(retryAfter) : undefined };
}
