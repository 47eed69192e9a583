import * as pulumi from "@pulumi/pulumi";
import { secretInputsKey, sessionInputs, stackConfigKey, validate } from "./faceLivenessApi";
import type { Failure } from "./faceLivenessApi";
import { providerConfigKeys } from "./sessionProvider";
import type { ChallengePreference, FaceLivenessSessionOutputs, FaceLivenessSessionSettings, SessionStatus } from "./sessionProvider";
import { faceLivenessSessionProviderText } from "./sessionProviderText";

export { faceLivenessSessionProvider } from "./sessionProvider";
export type {
    ChallengePreference,
    ChallengeType,
    FaceLivenessSessionInputs,
    FaceLivenessSessionOutputs,
    FaceLivenessSessionSettings,
    OutputConfig,
    SessionStatus,
} from "./sessionProvider";

/** {@link FaceLivenessSessionSettings} whose values may come from other resources. */
export interface FaceLivenessSessionSettingsArgs {
    /** Where images are written. @default - images are not written to S3 */
    outputConfig?: pulumi.Input<{ s3Bucket: pulumi.Input<string>; s3KeyPrefix?: pulumi.Input<string> }>;
    /** How many audit images to return, 0 to 4 (best effort). @default 0 */
    auditImagesLimit?: pulumi.Input<number>;
    /** Challenges in order of preference. @default - FaceMovementAndLightChallenge */
    challengePreferences?: pulumi.Input<pulumi.Input<ChallengePreference>[]>;
}

/**
 * The arguments of a {@link FaceLivenessSession}: every member of the CreateFaceLivenessSession request, named as
 * the API names them in camelCase, plus `region` and `renewExpired`.
 *
 * @example
 * new FaceLivenessSession("onboarding", {
 *     kmsKeyId: key.arn,
 *     settings: { outputConfig: { s3Bucket: bucket.bucket, s3KeyPrefix: "onboarding/" }, auditImagesLimit: 2 },
 * });
 * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_CreateFaceLivenessSession.html
 */
export interface FaceLivenessSessionArgs {
    /** The KMS key (id, ARN, alias or alias ARN) that encrypts the images. @default - an AWS owned key */
    readonly kmsKeyId?: pulumi.Input<string>;
    /** The session's settings. @default - the service's defaults */
    readonly settings?: pulumi.Input<FaceLivenessSessionSettingsArgs>;
    /**
     * The idempotency token: the same token returns the same session, so give a new one whenever the session must be
     * replaced. @default - a new one made by each create (a replacement too), reused by that create's retries
     */
    readonly clientRequestToken?: pulumi.Input<string>;
    /** The region to create the session in. @default - the stack's `aws:region`, else the AWS SDK's default chain */
    readonly region?: pulumi.Input<string>;
    /** When a refresh finds the session expired, drop it so that the next `up` creates a fresh one. @default false */
    readonly renewExpired?: pulumi.Input<boolean>;
}

/** True for a program-side value that is not plain yet (an Output or a promise): checked by `check` later. */
export function isPendingInput(value: unknown): boolean {
    return (
        pulumi.Output.isInstance(value) ||
        (typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function")
    );
}

/**
 * The paths of the inputs the program marked secret (`pulumi.secret`, secret config), for the provider, which receives
 * them as plain values, to keep out of its messages. Resolves to undefined when there are none, so that nothing is
 * stored for them.
 */
function secretInputPaths(args: object): pulumi.Output<string[] | undefined> | undefined {
    const found: Promise<string[]>[] = [];
    const visit = (value: unknown, path: string): void => {
        if (pulumi.Output.isInstance(value)) {
            // A secret anywhere inside an Output makes the whole Output secret: its path is as precise as can be known.
            found.push(pulumi.isSecret(value as pulumi.Output<unknown>).then((secret) => (secret ? [path] : [])));
        } else if (Array.isArray(value)) {
            value.forEach((item, i) => visit(item, `${path}[${i}]`));
        } else if (value !== null && typeof value === "object" && !isPendingInput(value)) {
            for (const [key, item] of Object.entries(value)) visit(item, path === "" ? key : `${path}.${key}`);
        }
    };
    visit(args, "");
    // Plain values cannot be secret: then there is nothing to wait for.
    if (found.length === 0) return undefined;
    return pulumi.output(Promise.all(found).then((paths) => (paths.flat().length > 0 ? paths.flat() : undefined)));
}

/**
 * The type token of a session, as the engine, mocks and policy packs see it: the one pulumi.dynamic.Resource gives
 * module `rekognition` and type `FaceLivenessSession` (`pulumi-nodejs` is the dynamic-provider host's package). Part of
 * every session's URN, so never to change.
 */
export const faceLivenessSessionType = "pulumi-nodejs:dynamic/rekognition:FaceLivenessSession";

/** The type token of a session served by the `liveness` provider plugin, to programs in every language. */
export const pluginSessionType = "liveness:index:FaceLivenessSession";

/**
 * Which provider serves a session: its type token, and the internal inputs that provider needs besides the session's
 * own. Programs use the dynamic provider; the plugin's construct makes its sessions with its own.
 * @internal Left out of the published types, with everything that takes one.
 */
export interface SessionHost {
    readonly type: string;
    internalInputs(args: FaceLivenessSessionArgs): Record<string, unknown>;
}

/**
 * The dynamic provider: the provider text, and what the text cannot learn in the host (which inputs are secret, which
 * config keys the stack sets). Every key registered becomes an Output of the resource, the costliest part of
 * declaring one: the lists are registered only when they hold something.
 */
const dynamicSessionHost: SessionHost = {
    type: faceLivenessSessionType,
    internalInputs(args) {
        const internal: Record<string, unknown> = { __provider: faceLivenessSessionProviderText };
        const secretPaths = secretInputPaths(args);
        if (secretPaths !== undefined) internal[secretInputsKey] = secretPaths;
        const stackConfig = stackConfigSet();
        if (stackConfig !== undefined) internal[stackConfigKey] = stackConfig;
        return internal;
    },
};

/**
 * The `liveness` plugin: it receives secrets marked as such and its own config, so it needs nothing more.
 * @internal
 */
export const pluginSessionHost: SessionHost = { type: pluginSessionType, internalInputs: () => ({}) };

/** Which of the stack config keys the provider reads are set in this stack, as the program sees them; undefined for none. */
function stackConfigSet(): string[] | undefined {
    // One read of the stack's config (each getConfig parses it again).
    const config = pulumi.runtime.allConfig();
    const set = providerConfigKeys.filter((key) => config[key] !== undefined);
    return set.length > 0 ? set : undefined;
}

/**
 * The outputs a session declares, as a resource registers them (a key without a value): each becomes an Output of the
 * resource, filled from the provider's answer.
 */
export const sessionOutputs: Readonly<Record<keyof FaceLivenessSessionOutputs, undefined>> = {
    sessionId: undefined,
    status: undefined,
    region: undefined,
    clientRequestToken: undefined,
    kmsKeyId: undefined,
    settings: undefined,
    renewExpired: undefined,
};

/**
 * An Amazon Rekognition Face Liveness session: created by `pulumi up`, validated by `pulumi preview`, its status read
 * by `pulumi refresh`. A session is single use and expires 3 minutes after creation; there is no API to update or
 * delete one, so every input change replaces it and `destroy` only forgets it.
 */
export class FaceLivenessSession extends pulumi.CustomResource {
    /** The SessionId the device streams to. */
    declare public readonly sessionId: pulumi.Output<string>;
    /** `CREATED` at creation; the service's status after a refresh. */
    declare public readonly status: pulumi.Output<SessionStatus>;
    /** The region the session lives in. */
    declare public readonly region: pulumi.Output<string>;
    /** The idempotency token sent with CreateFaceLivenessSession. */
    declare public readonly clientRequestToken: pulumi.Output<string>;
    /** The KMS key the images are encrypted with, as given. */
    declare public readonly kmsKeyId: pulumi.Output<string | undefined>;
    /** The session's settings, as given. */
    declare public readonly settings: pulumi.Output<FaceLivenessSessionSettings | undefined>;
    /** Whether a refresh drops this session once it has expired. */
    declare public readonly renewExpired: pulumi.Output<boolean | undefined>;

    constructor(name: string, args?: FaceLivenessSessionArgs, opts?: pulumi.CustomResourceOptions);
    /** @internal With the provider that serves it: the plugin's construct makes its sessions with its own. */
    constructor(
        name: string,
        args: FaceLivenessSessionArgs | undefined,
        opts: pulumi.CustomResourceOptions | undefined,
        host: SessionHost | undefined,
    );
    constructor(
        name: string,
        args: FaceLivenessSessionArgs = {},
        opts?: pulumi.CustomResourceOptions,
        host: SessionHost = dynamicSessionHost,
    ) {
        // Plain values are checked now, with a stack trace into the program; the rest by the provider's check.
        const failures: Failure[] = [];
        validate(sessionInputs(), args, "", failures, isPendingInput);
        if (failures.length > 0) {
            // One line for the user: no stack trace, and no dump of the parent (Pulumi's formatter prints both otherwise).
            const message = `FaceLivenessSession ${name}: ${failures.map((f) => f.reason).join("; ")}`;
            throw new pulumi.ResourceError(message, opts?.parent, /* hideStack */ true);
        }
        // @pulumi/pulumi records a stack trace for each of the four promises behind every registered property (eight
        // or more here) and reads them only to report leaked promises when PULUMI_DEBUG_PROMISE_LEAKS is set;
        // formatting them, through source-map-support in TypeScript programs, is about five sixths of what declaring
        // a session costs (`npm run bench`). Unless that variable asks for them, the session registers without them.
        // The SDK's part of `super` is synchronous, so the limit is back before any other code of the program runs;
        // only the program's own transformations, which `super` calls, run under it.
        const stackTraceLimit = Error.stackTraceLimit;
        const withoutTraces = !process.env.PULUMI_DEBUG_PROMISE_LEAKS;
        if (withoutTraces) Error.stackTraceLimit = 0;
        try {
            // With the dynamic provider, what pulumi.dynamic.Resource registers, with the provider text built by
            // `npm run build` instead of serialized from the provider object at run time: the same type token (so URNs
            // never move) and host, a text a fifth the size, and no closure serialization in the program.
            super(host.type, name, { ...sessionOutputs, ...args, ...host.internalInputs(args) }, opts);
        } catch (error) {
            // An error raised while registering was made without a trace: give it the one into the program.
            Error.stackTraceLimit = stackTraceLimit;
            if (withoutTraces && error instanceof Error) Error.captureStackTrace(error, new.target);
            throw error;
        } finally {
            Error.stackTraceLimit = stackTraceLimit;
        }
    }
}
