/**
 * A loopback HTTP proxy in front of moto that fails chosen AWS requests, the ways a real dependency fails midway: a
 * write refused before it reaches the service (a 500, nothing written), a write that takes effect but whose answer is
 * lost (forwarded, then a 500 instead of the answer), and EventBridge taking a request but failing its entries (200
 * with `FailedEntryCount`). Which request fails is decided by a schedule over the requests it has seen, never by
 * chance, so a test gives the same answer on a busy machine. The handler under test reaches it through
 * AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_EVENTBRIDGE, as it reaches AWS.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** What happens to one request. */
export type Fault = "pass" | "before" | "after" | "failed-entries";

/** The request's operation, as the JSON protocols of DynamoDB and EventBridge name it (`X-Amz-Target`). */
const operationOf = (headers: http.IncomingHttpHeaders) =>
    String(headers["x-amz-target"] ?? "")
        .split(".")
        .pop() ?? "";

export class FaultProxy {
    /** Every request seen, with its operation and what was done to it. */
    readonly seen: { operation: string; fault: Fault }[] = [];

    private readonly server: http.Server;
    /** The proxy's URL, once started. */
    endpoint = "";

    private constructor(
        private readonly target: string,
        /** The fault for the `n`-th request (from 0) of `operation`. */
        public schedule: (operation: string, n: number) => Fault,
    ) {
        const counts = new Map<string, number>();
        this.server = http.createServer((request, response) => {
            const chunks: Buffer[] = [];
            request.on("data", (chunk: Buffer) => chunks.push(chunk));
            request.on("end", () => {
                const operation = operationOf(request.headers);
                const n = counts.get(operation) ?? 0;
                counts.set(operation, n + 1);
                const fault = this.schedule(operation, n);
                this.seen.push({ operation, fault });
                const fail = () => {
                    response.writeHead(500, { "content-type": "application/x-amz-json-1.0" });
                    response.end(JSON.stringify({ __type: "com.amazonaws.dynamodb.v20120810#InternalServerError", message: "injected" }));
                };
                if (fault === "before") return fail();
                if (fault === "failed-entries") {
                    response.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
                    return response.end(
                        JSON.stringify({ FailedEntryCount: 1, Entries: [{ ErrorCode: "InternalFailure", ErrorMessage: "injected" }] }),
                    );
                }
                const forwarded = http.request(
                    `${this.target}${request.url}`,
                    { method: request.method, headers: request.headers },
                    (answer) => {
                        const body: Buffer[] = [];
                        answer.on("data", (chunk: Buffer) => body.push(chunk));
                        answer.on("end", () => {
                            if (fault === "after") return fail();
                            response.writeHead(answer.statusCode ?? 502, answer.headers);
                            response.end(Buffer.concat(body));
                        });
                    },
                );
                forwarded.on("error", () => (response.writeHead(502), response.end()));
                forwarded.end(Buffer.concat(chunks));
            });
        });
    }

    static async start(target: string, schedule: (operation: string, n: number) => Fault): Promise<FaultProxy> {
        const proxy = new FaultProxy(target, schedule);
        await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
        proxy.endpoint = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
        return proxy;
    }

    /** How many requests of `operation` got `fault`. */
    count(operation: string, fault: Fault): number {
        return this.seen.filter((s) => s.operation === operation && s.fault === fault).length;
    }

    async stop(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }
}
