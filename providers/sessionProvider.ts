/**
 * The `FaceLivenessSession` provider's core: configure, check, diff, create, read, update and delete, with the AWS
 * calls, retries, the shared rate limiter and the error messages. Written once for every host that runs it.
 *
 * The dynamic provider does not serialize this module at run time: `npm run build` bundles it, minified, into one
 * self-contained text (scripts/bundles.mjs) that every session stores in state and the dynamic-provider host
 * runs later, possibly after this package has changed or moved. So this module imports nothing at run time but its
 * sibling modules, Node built-ins and `@aws-sdk/client-rekognition` (required lazily, so that preview never loads it),
 * and keeps its process-wide state under versioned `globalThis` keys shared with older texts in the same host.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { RekognitionClient, RekognitionClientConfig } from "@aws-sdk/client-rekognition";
import {
    defaultRequestsPerSecond,
    faceLivenessRegions,
    failuresForEngine,
    inputsNamedIn,
    isSecretAt,
    redact,
    retryReason,
    secretInputsKey,
    sessionInputs,
    show,
    stackConfigKey,
    toWire,
    unknownValue,
    validate,
} from "./faceLivenessApi";
import type { Failure } from "./faceLivenessApi";
import { createRateLimiter } from "./rateLimiter";
import type { RateLimiter } from "./rateLimiter";

/** The challenge a device performs. @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_ChallengePreference.html */
export type ChallengeType = "FaceMovementAndLightChallenge" | "FaceMovementChallenge";

/** A session's status as GetFaceLivenessSessionResults reports it. */
export type SessionStatus = "CREATED" | "IN_PROGRESS" | "SUCCEEDED" | "FAILED" | "EXPIRED";

/** One preferred challenge, in order of preference. */
export interface ChallengePreference {
    /** The challenge type. */
    type: ChallengeType;
    /** The range of challenge versions to accept. @default - the service's choice */
    versions?: { minimum?: string; maximum?: string };
}

/** Where the service writes the reference and audit images. */
export interface OutputConfig {
    /** The bucket, in the caller's account and the session's region. */
    s3Bucket: string;
    /** The key prefix under which the service writes objects. @default - the bucket's root */
    s3KeyPrefix?: string;
}

/** The session's settings, as `CreateFaceLivenessSessionRequestSettings`. */
export interface FaceLivenessSessionSettings {
    /** Where images are written. @default - images are not written to S3 */
    outputConfig?: OutputConfig;
    /** How many audit images to return, 0 to 4 (best effort). @default 0 */
    auditImagesLimit?: number;
    /** Challenges in order of preference. @default - FaceMovementAndLightChallenge */
    challengePreferences?: ChallengePreference[];
}

/** The inputs as the provider receives them: plain values, checked. */
export interface FaceLivenessSessionInputs {
    /** The KMS key (id, ARN, alias or alias ARN) that encrypts the images. @default - an AWS owned key */
    kmsKeyId?: string;
    /** The session's settings. @default - the service's defaults */
    settings?: FaceLivenessSessionSettings;
    /**
     * The idempotency token: the same token returns the same session. @default - a new one made by each create (a
     * replacement too), reused by that create's retries, and kept in state
     */
    clientRequestToken?: string;
    /** The region to create the session in. @default - the stack's `aws:region`, else the AWS SDK's default chain */
    region?: string;
    /** When a refresh finds the session expired, drop it so that the next `up` creates a fresh one. @default false */
    renewExpired?: boolean;
}

/** What a session stores in state: its checked inputs, the region it lives in, its id and its last known status. */
export interface FaceLivenessSessionOutputs extends FaceLivenessSessionInputs {
    /** The SessionId the device streams to. */
    sessionId: string;
    /** The status at creation (`CREATED`) or at the last refresh. */
    status: SessionStatus;
    /** The region the session was created in, where it must be streamed and read. */
    region: string;
    /** The idempotency token the session was created with. */
    clientRequestToken: string;
}

/** Where `configure` keeps the stack's AWS settings for the methods of every provider text in this process. */
// Versioned: an older provider text loaded in the same host keeps its own settings (v1 had no requestsPerSecond).
const configKey = "pulumi-rekognition-liveness/config/v2";

/** Where each region's shared rate limiter lives, so that every session in this process shares its quota. */
const limitersKey = "pulumi-rekognition-liveness/limiters/v1";

/** Stack config: requests per second this stack may send, for accounts whose quota was raised. */
const requestsPerSecondConfig = "liveness:requestsPerSecond";

/** Where a host finds each setting in the config it is given, and how messages name the region's. */
export interface ConfigKeys {
    region: string;
    profile: string;
    accessKey: string;
    secretKey: string;
    token: string;
    requestsPerSecond: string;
    /** The region's key as a stack's config names it, for messages. */
    regionInStack: string;
}

/** The dynamic provider's: the stack's whole config, in which the AWS settings are the AWS provider's. */
export const stackConfigKeys: ConfigKeys = {
    region: "aws:region",
    profile: "aws:profile",
    accessKey: "aws:accessKey",
    secretKey: "aws:secretKey",
    token: "aws:token",
    requestsPerSecond: requestsPerSecondConfig,
    regionInStack: "aws:region",
};

/** Every stack config key the dynamic provider reads in `configure`. */
export const providerConfigKeys = [
    stackConfigKeys.region,
    stackConfigKeys.profile,
    stackConfigKeys.accessKey,
    stackConfigKeys.secretKey,
    stackConfigKeys.token,
    stackConfigKeys.requestsPerSecond,
];

/** Attempts per call; throttling also slows every other call through the shared limiter. */
const MAX_ATTEMPTS = 10;

interface AwsSettings {
    region?: string;
    profile?: string;
    credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
    requestsPerSecond?: number;
    /** The keys of providerConfigKeys that the CLI passed to `configure`. */
    received?: string[];
    /** How messages name the configured region: its key in the stack's config. */
    regionInStack?: string;
}

/** The stack config key of the region, as this host's messages name it. */
function regionInStack(): string {
    return awsSettings().regionInStack ?? stackConfigKeys.regionInStack;
}

function awsSettings(): AwsSettings {
    return ((globalThis as Record<string, unknown>)[configKey] as AwsSettings | undefined) ?? {};
}

/**
 * The region a session will be created in, when it can be known without I/O, and where that came from: the input,
 * the stack's `aws:region`, or the environment. Otherwise the SDK resolves it (profile files) at create time.
 */
function resolveRegion(inputs: FaceLivenessSessionInputs): { region?: string; source: string } {
    if (inputs.region !== undefined) {
        return { region: inputs.region, source: "region" };
    }
    const configured = awsSettings().region;
    if (configured !== undefined) {
        return { region: configured, source: `the stack's ${regionInStack()}` };
    }
    const fromEnv = process.env.AWS_REGION ? "AWS_REGION" : process.env.AWS_DEFAULT_REGION ? "AWS_DEFAULT_REGION" : undefined;
    return { region: fromEnv && process.env[fromEnv], source: `the environment's ${fromEnv}` };
}

/** The limiter all calls to `region` share in this process. */
function limiterFor(region: string): RateLimiter {
    const shared = globalThis as Record<string, unknown>;
    const limiters = (shared[limitersKey] ??= new Map<string, RateLimiter>()) as Map<string, RateLimiter>;
    let limiter = limiters.get(region);
    if (limiter === undefined) {
        limiter = createRateLimiter(awsSettings().requestsPerSecond ?? defaultRequestsPerSecond(region));
        limiters.set(region, limiter);
    }
    return limiter;
}

/**
 * Sends one Rekognition request within the region's shared quota, retrying throttling and transient failures, and
 * turns a final failure into an explained error (which keeps the AWS error's name as `awsErrorName`).
 */
async function callRekognition<T>(
    operation: "CreateFaceLivenessSession" | "GetFaceLivenessSessionResults",
    region: string | undefined,
    inputs: FaceLivenessSessionInputs,
    request: object,
): Promise<{ response: T; region: string }> {
    const sdk = require("@aws-sdk/client-rekognition") as Record<string, new (input: object) => unknown>;
    const client = clientFor(region);
    let attempts = 0;
    let resolvedRegion: string | undefined;
    try {
        resolvedRegion = await client.config.region();
        const limiter = limiterFor(resolvedRegion);
        for (;;) {
            attempts++;
            const answered = await limiter.acquire();
            const outcome = await client.send(new sdk[`${operation}Command`](request) as never).then(
                (response) => ({ response: response as T }),
                (error: unknown) => ({ error }),
            );
            answered();
            if ("response" in outcome) {
                limiter.succeeded();
                return { response: outcome.response, region: resolvedRegion };
            }
            const reason = retryReason(outcome.error);
            if (reason === undefined || attempts >= MAX_ATTEMPTS) throw outcome.error;
            if (reason === "throttling") {
                limiter.throttled();
            } else {
                await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(5000, 100 * 2 ** attempts)));
            }
        }
    } catch (error) {
        const explained = explainAwsError(operation, resolvedRegion ?? region, inputs, error, attempts);
        // The service's message may quote what it was sent: secrets are removed.
        throw Object.assign(new Error(redact(explained.message, inputs, secretPathsOf(inputs))), {
            awsErrorName: (error as { name?: string }).name,
        });
    }
}

/**
 * The clients of this process, by the region asked for ("" for the SDK's default): one per region, so that calls
 * share its connections and resolved credentials. Held in memory only; `configure` replaces them.
 */
const clients = new Map<string, RekognitionClient>();

function clientFor(region: string | undefined): RekognitionClient {
    let client = clients.get(region ?? "");
    if (client === undefined) {
        // Required here, not at module top, so that preview (check and diff) never loads the AWS SDK.
        const { RekognitionClient } = require("@aws-sdk/client-rekognition") as typeof import("@aws-sdk/client-rekognition");
        const settings = awsSettings();
        // Retries are callRekognition's, so that every attempt passes through the shared rate limiter.
        const config: RekognitionClientConfig = { maxAttempts: 1 };
        const configured = region ?? settings.region;
        if (configured !== undefined) config.region = configured;
        if (settings.profile !== undefined) config.profile = settings.profile;
        if (settings.credentials !== undefined) config.credentials = settings.credentials;
        client = new RekognitionClient(config);
        clients.set(region ?? "", client);
    }
    return client;
}

/** Turns an AWS error into a message that says what failed and what to do (the session API logs it too). */
export function explainAwsError(
    operation: string,
    region: string | undefined,
    inputs: FaceLivenessSessionInputs,
    error: unknown,
    attempts: number,
): Error {
    const err = error as { name?: string; message?: string };
    const secretPaths = secretPathsOf(inputs);
    const plain = (value: string, path: string) => (isSecretAt(path, secretPaths) ? show(value, path, secretPaths) : value);
    const where = `${operation} in ${region ?? awsSettings().region ?? "the SDK's default region"}`;
    const code = `${err.name ?? "Error"}: ${err.message ?? String(error)}`;
    switch (err.name) {
        case "AccessDeniedException": {
            const needed = [`rekognition:${operation}`];
            const output = inputs.settings?.outputConfig;
            // The service writes images on the creating caller's behalf.
            if (output && operation === "CreateFaceLivenessSession") {
                const bucket = plain(output.s3Bucket, "settings.outputConfig.s3Bucket");
                needed.push(
                    `s3:PutObject on arn:aws:s3:::${bucket}/${plain(output.s3KeyPrefix ?? "", "settings.outputConfig.s3KeyPrefix")}*`,
                );
            }
            if (inputs.kmsKeyId) {
                needed.push(`kms:DescribeKey, kms:GenerateDataKey and kms:Decrypt on ${plain(inputs.kmsKeyId, "kmsKeyId")}`);
            }
            return new Error(
                `${where} was denied (${code}). The caller needs ${needed.join("; ")}. ` +
                    `Face Liveness is offered only in ${faceLivenessRegions.join(", ")}; elsewhere the service denies every call.`,
            );
        }
        case "InvalidParameterException": {
            const named = inputsNamedIn(err.message ?? "", sessionInputs(), inputs).map(
                (i) => `${i.property} = ${show(i.value, i.property, secretPaths)}`,
            );
            const culprit = named.length > 0 ? named.join(", ") : `one of ${show(toWire(sessionInputs(), inputs))}`;
            return new Error(`${where} rejected ${culprit} (${code}). Correct that input; FaceLivenessSessionArgs documents each rule.`);
        }
        case "ProvisionedThroughputExceededException":
        case "ThrottlingException":
            return new Error(
                `${where} was still throttled after ${attempts} attempts (${code}). Other clients share this account's ` +
                    `Face Liveness quota: create fewer sessions per deployment, or ask for a higher quota and set ${requestsPerSecondConfig}.`,
            );
        case "Error":
            if (err.message === "Region is missing") {
                return new Error(
                    `${operation}: no region is set (${code}). Set region on the session, aws:region in the stack, or AWS_REGION.`,
                );
            }
            return new Error(`${where} failed (${code}).`);
        case "CredentialsProviderError":
            return new Error(`${where}: no AWS credentials found (${code}). Set aws:profile, AWS_PROFILE or AWS_ACCESS_KEY_ID.`);
        default:
            return new Error(`${where} failed (${code}).`);
    }
}

/** Deep equality over the plain values the engine sends; an unknown value never equals anything. */
function sameValue(a: unknown, b: unknown): boolean {
    if (a === unknownValue || b === unknownValue) return false;
    if (Array.isArray(a) || Array.isArray(b)) {
        return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
    }
    if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
        const keysA = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
        const keysB = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
        return (
            keysA.length === keysB.length &&
            keysA.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
        );
    }
    return a === b;
}

/**
 * The inputs whose stored and proposed values differ. A value the provider chooses (region, token) counts only where
 * both sides hold one: left out, the provider chooses again, and where a value came from never matters. `check`
 * (against the old inputs) and `diff` (against the stored outputs) both judge by this one rule.
 */
function changedInputs(stored: Record<string, unknown>, proposed: Record<string, unknown>): string[] {
    return Object.entries(sessionInputs().members)
        .filter(([key, member]) => !(member.providerChosen && (stored[key] === undefined || proposed[key] === undefined)))
        .filter(([key]) => !sameValue(stored[key], proposed[key]))
        .map(([key]) => key);
}

/** The changed inputs that need a new session: all but those the service never saw (there is no update API). */
function replacedInputs(stored: Record<string, unknown>, proposed: Record<string, unknown>): string[] {
    const members = sessionInputs().members;
    return changedInputs(stored, proposed).filter((key) => !members[key].updatable);
}

/** The outputs to store, without `__provider` (the host adds it) and without undefined values (state cannot hold them). */
function storedOutputs(values: Record<string, unknown>): Record<string, unknown> {
    const outs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(values)) {
        if (key !== "__provider" && value !== undefined) outs[key] = value;
    }
    return outs;
}

/** The inputs the program marked secret, by path, as it listed them in the secret-inputs input. */
function secretPathsOf(values: object): string[] {
    const listed = (values as Record<string, unknown>)[secretInputsKey];
    return Array.isArray(listed) ? listed.filter((path): path is string => typeof path === "string") : [];
}

/**
 * Keeps the AWS settings found under `keys` for every later call in this process: `configure` of each host. Credentials
 * stay in this process's memory only, never returned, stored or logged.
 */
export async function configureFrom(get: (key: string) => string | undefined, keys: ConfigKeys): Promise<void> {
    const accessKeyId = get(keys.accessKey);
    const secretAccessKey = get(keys.secretKey);
    const settings: AwsSettings = {
        region: get(keys.region),
        profile: get(keys.profile),
        received: providerConfigKeys.filter((key) => get(key) !== undefined),
        regionInStack: keys.regionInStack,
    };
    if (accessKeyId && secretAccessKey) {
        settings.credentials = { accessKeyId, secretAccessKey, sessionToken: get(keys.token) };
    }
    const rate = get(keys.requestsPerSecond);
    if (rate !== undefined) {
        settings.requestsPerSecond = Number(rate);
        if (!(settings.requestsPerSecond > 0)) {
            throw new Error(`${requestsPerSecondConfig} must be a number of requests per second above 0, got ${show(rate)}`);
        }
    }
    (globalThis as Record<string, unknown>)[configKey] = settings;
    // New settings, new limiters and clients: the rate, region or credentials may have changed.
    delete (globalThis as Record<string, unknown>)[limitersKey];
    clients.forEach((client) => client.destroy());
    clients.clear();
}

/**
 * The provider of every `FaceLivenessSession`. Its text is serialized into each session's state and run later by the
 * dynamic-provider host, possibly after this code has changed: it captures only the API description above and small
 * functions, never a client, config object or resource.
 */
export const faceLivenessSessionProvider: pulumi.dynamic.ResourceProvider = {
    async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
        await configureFrom((key) => req.config.get(key), stackConfigKeys);
    },

    async check(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
        // Deterministic (a saved plan is compared with it): no token here; create makes it.
        const secretPaths = secretPathsOf(news);
        const failures: Failure[] = [];
        validate(sessionInputs(), news, "", failures, undefined, secretPaths);
        const inputs: Record<string, unknown> = { ...news };

        // The program saw these keys in the stack's config; a CLI older than 3.139 did not pass them here.
        const unreceived = ((news[stackConfigKey] as string[] | undefined) ?? []).filter((key) => !awsSettings().received?.includes(key));
        if (unreceived.length > 0) {
            failures.push({
                property: "region",
                reason:
                    `the stack sets ${unreceived.join(", ")}, but this Pulumi CLI did not pass them to the provider (CLIs older ` +
                    "than 3.139 do not), so the session would use the environment's region and credentials instead: upgrade the Pulumi CLI",
            });
        }

        const { region, source } = resolveRegion(news);
        if (news.region === undefined && region !== undefined) {
            inputs.region = region;
            if (!(faceLivenessRegions as readonly string[]).includes(region)) {
                failures.push({
                    property: "region",
                    reason:
                        `region is not set, and ${source} is ${show(region)}, where Face Liveness is not offered; ` +
                        `set region (or ${regionInStack()}) to one of ${faceLivenessRegions.join(", ")}`,
                });
            }
        }

        // A given token must change with every replacement (judged as diff does): the service answers a reused one
        // with its old session.
        const replaced = replacedInputs(olds, inputs).filter((key) => key !== "clientRequestToken");
        if (news.clientRequestToken !== undefined && news.clientRequestToken === olds.clientRequestToken && replaced.length > 0) {
            failures.push({
                property: "clientRequestToken",
                reason:
                    `clientRequestToken ${show(news.clientRequestToken, "clientRequestToken", secretPaths)} already created a session, ` +
                    `and ${replaced.join(", ")} changed, which needs a new session; the service answers a reused token with the ` +
                    "session it already created: give a new token, or omit it to have one made at each create",
            });
        }
        return { inputs, failures: failuresForEngine(failures) };
    },

    async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
        const changed = changedInputs(olds, news);
        return { changes: changed.length > 0, replaces: replacedInputs(olds, news), deleteBeforeReplace: false };
    },

    async create(inputs: FaceLivenessSessionInputs): Promise<pulumi.dynamic.CreateResult<FaceLivenessSessionOutputs>> {
        // A new token for each new session; every retry of this create reuses it.
        const clientRequestToken = inputs.clientRequestToken ?? (require("node:crypto").randomUUID() as string);
        const request = toWire(sessionInputs(), { ...inputs, clientRequestToken }) as object;
        const { response, region } = await callRekognition<{ SessionId: string }>(
            "CreateFaceLivenessSession",
            inputs.region,
            inputs,
            request,
        );
        const outs = storedOutputs({
            ...inputs,
            clientRequestToken,
            region,
            sessionId: response.SessionId,
            status: "CREATED",
        }) as unknown as FaceLivenessSessionOutputs;
        return { id: response.SessionId, outs };
    },

    async read(id: string, props: FaceLivenessSessionOutputs): Promise<pulumi.dynamic.ReadResult<FaceLivenessSessionOutputs>> {
        let status: SessionStatus;
        try {
            // The response may hold image bytes (biometric data): only the status leaves this function.
            const { response } = await callRekognition<{ Status: SessionStatus }>(
                "GetFaceLivenessSessionResults",
                props.region ?? resolveRegion(props).region,
                props,
                { SessionId: id },
            );
            status = response.Status;
        } catch (error) {
            // After expiry the service may answer SessionNotFound instead of EXPIRED: both mean the session is spent.
            if ((error as { awsErrorName?: string }).awsErrorName !== "SessionNotFoundException") throw error;
            status = "EXPIRED";
        }
        if (status === "EXPIRED" && props.renewExpired === true) {
            return {}; // No id: refresh drops the session from state, and the next `up` creates a fresh one.
        }
        return { id, props: storedOutputs({ ...props, sessionId: id, status }) as unknown as FaceLivenessSessionOutputs };
    },

    async update(
        _id: string,
        olds: FaceLivenessSessionOutputs,
        news: FaceLivenessSessionInputs,
    ): Promise<pulumi.dynamic.UpdateResult<FaceLivenessSessionOutputs>> {
        // Only inputs the service never saw (renewExpired) reach update; everything else replaces. Outputs stay whole.
        const outs = { ...olds } as Record<string, unknown>;
        for (const [key, member] of Object.entries(sessionInputs().members)) {
            if (member.updatable) outs[key] = (news as Record<string, unknown>)[key];
        }
        return { outs: storedOutputs(outs) as unknown as FaceLivenessSessionOutputs };
    },

    async delete(): Promise<void> {
        // There is no delete API: the session expires by itself 3 minutes after creation, and objects it wrote to S3
        // stay there. Forgetting it is all there is to do, and it never fails.
    },
};
