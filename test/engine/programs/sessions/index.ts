// A stack of FaceLivenessSessions for the engine test layer, declared from its config so that each test changes only
// the config between commands:
//   sessions:   { <name>: FaceLivenessSessionArgs }, plain values
//   fed:        { <name>: { s3Bucket } }: sessions whose bucket comes from another resource, unknown until it is created
//   secretKmsKeyId / secretToken (secret config): a session "secret" with a secret kmsKeyId and clientRequestToken
//   marked:     base64 of { <name>: { args: FaceLivenessSessionArgs, secret: [paths], outputs?: [paths] } }: sessions
//               whose values at `secret` the program marks secret itself (pulumi.secret), and at `outputs` makes
//               Outputs (checked by the provider, not at construction). In base64 so that the plain values are not
//               in the stack's config in clear: the engine prints non-secret config (the event log's prelude).
import * as pulumi from "@pulumi/pulumi";
import { FaceLivenessSession, FaceLivenessSessionArgs } from "../../../../providers/faceLivenessSession";

const config = new pulumi.Config();

/**
 * Outputs a value only once created, like a bucket's name: at preview its output is unknown. (Named unlike any input:
 * in preview the engine shows a new resource's inputs as its outputs.)
 */
class Source extends pulumi.dynamic.Resource {
    declare public readonly value: pulumi.Output<string>;
    constructor(name: string, seed: string) {
        const provider: pulumi.dynamic.ResourceProvider = {
            async create(inputs) {
                return { id: `source-${inputs.seed}`, outs: { seed: inputs.seed, value: inputs.seed } };
            },
        };
        super(provider, name, { seed, value: undefined }, undefined, "enginetest", "Source");
    }
}

const sessions: Record<string, FaceLivenessSession> = {};
for (const [name, args] of Object.entries(config.getObject<Record<string, FaceLivenessSessionArgs>>("sessions") ?? {})) {
    sessions[name] = new FaceLivenessSession(name, args);
}
for (const [name, { s3Bucket }] of Object.entries(config.getObject<Record<string, { s3Bucket: string }>>("fed") ?? {})) {
    const bucket = new Source(`${name}-bucket`, s3Bucket);
    sessions[name] = new FaceLivenessSession(name, { settings: { outputConfig: { s3Bucket: bucket.value, s3KeyPrefix: `${name}/` } } });
}
const secretKmsKeyId = config.getSecret("secretKmsKeyId");
const secretToken = config.getSecret("secretToken");
if (secretKmsKeyId !== undefined || secretToken !== undefined) {
    sessions.secret = new FaceLivenessSession("secret", { kmsKeyId: secretKmsKeyId, clientRequestToken: secretToken });
}

/** Replaces the value at each dotted `path` of `args` with what `wrap` makes of it. */
function wrapAt(args: Record<string, any>, paths: string[], wrap: (value: unknown) => unknown): void {
    for (const path of paths) {
        const keys = path.split(".");
        const holder = keys.slice(0, -1).reduce((value, key) => value[key], args);
        holder[keys[keys.length - 1]] = wrap(holder[keys[keys.length - 1]]);
    }
}

const marked = config.get("marked");
type Marked = { args: Record<string, any>; secret: string[]; outputs?: string[] };
for (const [name, { args, secret, outputs }] of Object.entries(
    marked === undefined ? {} : (JSON.parse(Buffer.from(marked, "base64").toString("utf8")) as Record<string, Marked>),
)) {
    wrapAt(args, outputs ?? [], (value) => pulumi.output(value));
    wrapAt(args, secret, (value) => pulumi.secret(value));
    sessions[name] = new FaceLivenessSession(name, args);
}

export const sessionIds = Object.fromEntries(Object.entries(sessions).map(([name, session]) => [name, session.sessionId]));
