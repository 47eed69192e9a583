/**
 * The `FaceLivenessSession` inputs as data: for each member, its name in the program (camelCase), its name on the
 * wire, and its exact constraint from the Rekognition service model (rekognition 2016-06-27). Validation, request
 * mapping and diff all read this one description, so each fact about a field lives in exactly one place.
 *
 * The provider text every session stores in state bundles this module (scripts/bundles.mjs), and programs
 * import it to check plain values at construction: keep it free of imports, plain data plus a few pure functions.
 *
 * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_CreateFaceLivenessSession.html
 */

/** The regions that offer Face Liveness; elsewhere CreateFaceLivenessSession answers AccessDenied. */
export const faceLivenessRegions = [
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "ap-south-1",
    "ap-northeast-1",
    "sa-east-1",
    "ap-southeast-5",
    "ap-southeast-7",
] as const;

/**
 * The documented Face Liveness request quota of an account in a region, in requests per second; raised quotas are
 * set with the stack config `liveness:requestsPerSecond`.
 * @see https://docs.aws.amazon.com/rekognition/latest/dg/limits.html
 */
export function defaultRequestsPerSecond(region: string): number {
    return region === "us-east-1" || region === "us-west-2" ? 25 : 5;
}

/** A SessionId as the service makes it: a lower-case UUID. */
export const sessionIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Why an AWS error is worth another attempt with the same request (and the same token), if it is: the retry rule of the
 * provider and of the session API.
 */
export function retryReason(error: unknown): "throttling" | "transient" | undefined {
    const err = error as { name?: string; code?: string; $retryable?: { throttling?: boolean }; $metadata?: { httpStatusCode?: number } };
    const status = err.$metadata?.httpStatusCode ?? 0;
    if (
        err.$retryable?.throttling ||
        status === 429 ||
        ["ProvisionedThroughputExceededException", "ThrottlingException", "TooManyRequestsException"].includes(err.name ?? "")
    ) {
        return "throttling";
    }
    if (
        status >= 500 ||
        ["InternalServerError", "TimeoutError", "RequestTimeout"].includes(err.name ?? "") ||
        ["ECONNRESET", "EPIPE", "ETIMEDOUT"].includes(err.code ?? "")
    ) {
        return "transient";
    }
    return undefined;
}

/** What the Pulumi engine sends in place of a value that is not known until the deployment runs (preview). */
export const unknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * The input in which the program lists the paths of the inputs it marked secret (`kmsKeyId`, `settings.outputConfig`).
 * The dynamic-provider host receives secrets as plain values and the engine prints provider messages unmasked, so the
 * provider learns from this list which values never to show.
 */
export const secretInputsKey = "__secretInputs";

/**
 * The input in which the program lists which of the stack's config keys the provider reads (aws:region…) are set. A
 * Pulumi CLI older than 3.139 passes none of them to a dynamic provider's `configure`, which would then silently use
 * the environment's region and credentials: the provider compares this list with what it received.
 */
export const stackConfigKey = "__stackConfig";

/** Inputs that are not the session's own: the provider text the host runs, and the two lists above. */
export const internalInputs = ["__provider", secretInputsKey, stackConfigKey];

/** The constraint of one input, as the service model states it. */
export type Shape =
    | { kind: "string"; minLength: number; maxLength: number; pattern: string; describe: string }
    | { kind: "integer"; min: number; max: number }
    | { kind: "boolean" }
    | { kind: "enum"; values: readonly string[]; describe: string }
    | { kind: "list"; member: Shape }
    | { kind: "structure"; members: Record<string, Member> };

/** One member of a structure: its shape, its wire name, and how a change to it is applied. */
export interface Member {
    /** The member's name in the API request; absent for inputs the provider keeps to itself. */
    wire?: string;
    shape: Shape;
    required?: boolean;
    /** A change to this input needs no new session (every API member does: there is no update API). */
    updatable?: boolean;
    /**
     * Left out, the provider chooses the value (the region from the stack or environment, a fresh token at create):
     * leaving it out, or where the chosen value came from, never changes the session.
     */
    providerChosen?: boolean;
}

/** A shape with named members, such as the request itself. */
export type StructureShape = Extract<Shape, { kind: "structure" }>;

/**
 * Every input of a `FaceLivenessSession`: the CreateFaceLivenessSession request (every member optional, as in the
 * API) plus what only the provider reads. A fresh copy on every call, so that no caller can change another's.
 */
export function sessionInputs(): StructureShape {
    const challengeVersion: Shape = {
        kind: "string",
        minLength: 5,
        maxLength: 11,
        pattern: "^(0|[1-9]\\d{0,2})\\.(0|[1-9]\\d{0,2})\\.(0|[1-9]\\d{0,2})$",
        describe: "a version such as 1.0.0",
    };
    const string = (minLength: number, maxLength: number, pattern: string, describe: string): Shape => ({
        kind: "string",
        minLength,
        maxLength,
        pattern,
        describe,
    });
    const structure = (members: Record<string, Member>): StructureShape => ({ kind: "structure", members });
    return structure({
        kmsKeyId: {
            wire: "KmsKeyId",
            shape: string(1, 2048, "^[A-Za-z0-9][A-Za-z0-9:_/+=,@.-]{0,2048}$", "a KMS key id, key ARN, alias name or alias ARN"),
        },
        settings: {
            wire: "Settings",
            shape: structure({
                outputConfig: {
                    wire: "OutputConfig",
                    shape: structure({
                        s3Bucket: { wire: "S3Bucket", required: true, shape: string(3, 255, "^[0-9A-Za-z\\.\\-_]*$", "an S3 bucket name") },
                        s3KeyPrefix: { wire: "S3KeyPrefix", shape: string(0, 950, "^\\S*$", "an S3 key prefix without white space") },
                    }),
                },
                auditImagesLimit: { wire: "AuditImagesLimit", shape: { kind: "integer", min: 0, max: 4 } },
                challengePreferences: {
                    wire: "ChallengePreferences",
                    shape: {
                        kind: "list",
                        member: structure({
                            type: {
                                wire: "Type",
                                required: true,
                                shape: {
                                    kind: "enum",
                                    values: ["FaceMovementAndLightChallenge", "FaceMovementChallenge"],
                                    describe: "a challenge type",
                                },
                            },
                            versions: {
                                wire: "Versions",
                                shape: structure({
                                    minimum: { wire: "Minimum", shape: challengeVersion },
                                    maximum: { wire: "Maximum", shape: challengeVersion },
                                }),
                            },
                        }),
                    },
                },
            }),
        },
        clientRequestToken: {
            wire: "ClientRequestToken",
            shape: string(1, 64, "^[a-zA-Z0-9-_]+$", "letters, digits, '-' and '_'"),
            providerChosen: true,
        },
        // Not sent to the service: where to send it, and what refresh does with an expired session.
        region: {
            shape: { kind: "enum", values: faceLivenessRegions, describe: "a region that offers Face Liveness" },
            providerChosen: true,
        },
        renewExpired: { shape: { kind: "boolean" }, updatable: true },
    });
}

export interface Failure {
    /** The property path, e.g. `settings.auditImagesLimit` or `settings.challengePreferences[0].type` (never sent to the engine: see failuresForEngine). */
    property: string;
    /** A sentence that names the property, shows the value received and says what is allowed. */
    reason: string;
}

/**
 * The failures as `check` returns them to the engine: each says its property, the value and what is allowed in its
 * own reason, and names no `property` for the engine. The engine prefixes a failure that names one with that
 * top-level input's value from its own copy of the inputs (`property %v value %v has a problem: %v`, in
 * pkg/resource/deploy/step_generator.go), which prints a value the program marked secret in clear, and `<nil>` for
 * a nested path such as `settings.auditImagesLimit`; without one it prints the reason alone.
 */
export function failuresForEngine(failures: readonly Failure[]): Failure[] {
    return failures.map(({ reason }) => ({ property: "", reason }));
}

/** What a message shows in place of a value the program marked secret. */
const secretShown = "[secret]";

/**
 * Shows a received value in a message, short enough for one line; a value the program marked secret (`path` is, or
 * lies under, one of `secretPaths`) is shown as `[secret]`, since the engine prints provider messages unmasked.
 */
export function show(value: unknown, path = "", secretPaths: readonly string[] = []): string {
    if (isSecretAt(path, secretPaths)) {
        return secretShown;
    }
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Whether the input at `path` is, or lies under, one of the inputs the program marked secret. */
export function isSecretAt(path: string, secretPaths: readonly string[]): boolean {
    return secretPaths.some((secret) => path === secret || path.startsWith(`${secret}.`) || path.startsWith(`${secret}[`));
}

/**
 * Removes from `text` every string value held at or under `secretPaths` in `inputs`: the service's own messages can
 * quote what it was sent.
 */
export function redact(text: string, inputs: unknown, secretPaths: readonly string[]): string {
    const secretStrings: string[] = [];
    const collect = (value: unknown): void => {
        if (typeof value === "string" && value !== "") secretStrings.push(value);
        else if (value !== null && typeof value === "object") Object.values(value).forEach(collect);
    };
    for (const secret of secretPaths) {
        let value: unknown = inputs;
        for (const key of secret.split(/[.[\]]/).filter((k) => k !== "")) {
            value = value === null || typeof value !== "object" ? undefined : (value as Record<string, unknown>)[key];
        }
        collect(value);
    }
    return secretStrings.sort((a, b) => b.length - a.length).reduce((redacted, secret) => redacted.split(secret).join(secretShown), text);
}

/**
 * Checks `value` against `shape`, appending one failure per broken constraint to `failures`. Values not known yet
 * (`unknownValue`, or `isUnknown` for program-side Inputs) are skipped: they are checked once they are known.
 */
export function validate(
    shape: Shape,
    value: unknown,
    path: string,
    failures: Failure[],
    isUnknown: (value: unknown) => boolean = (v) => v === unknownValue,
    secretPaths: readonly string[] = [],
): void {
    if (value === undefined || value === null || isUnknown(value)) {
        return;
    }
    const fail = (allowed: string) =>
        failures.push({ property: path, reason: `${path} must be ${allowed}, got ${show(value, path, secretPaths)}` });
    switch (shape.kind) {
        case "string":
            if (typeof value !== "string") {
                fail(`a string (${shape.describe})`);
            } else if (value.length < shape.minLength || value.length > shape.maxLength) {
                fail(`${shape.minLength} to ${shape.maxLength} characters long (${shape.describe}); its length is ${value.length}`);
            } else if (!new RegExp(shape.pattern).test(value)) {
                fail(`${shape.describe}, matching ${shape.pattern}`);
            }
            return;
        case "integer":
            if (typeof value !== "number" || !Number.isInteger(value) || value < shape.min || value > shape.max) {
                fail(`an integer from ${shape.min} to ${shape.max}`);
            }
            return;
        case "boolean":
            if (typeof value !== "boolean") {
                fail("true or false");
            }
            return;
        case "enum":
            if (typeof value !== "string" || !shape.values.includes(value)) {
                fail(`${shape.describe}: one of ${shape.values.join(", ")}`);
            }
            return;
        case "list":
            if (!Array.isArray(value)) {
                fail("a list");
                return;
            }
            value.forEach((item, i) => validate(shape.member, item, `${path}[${i}]`, failures, isUnknown, secretPaths));
            return;
        case "structure": {
            if (typeof value !== "object" || Array.isArray(value)) {
                fail(`an object with ${Object.keys(shape.members).join(", ")}`);
                return;
            }
            const record = value as Record<string, unknown>;
            const prefix = path === "" ? "" : `${path}.`;
            for (const key of Object.keys(record)) {
                if (!(key in shape.members) && !internalInputs.includes(key)) {
                    failures.push({
                        property: `${prefix}${key}`,
                        reason: `${prefix}${key} is not a known property; allowed here: ${Object.keys(shape.members).join(", ")}`,
                    });
                }
            }
            for (const [key, member] of Object.entries(shape.members)) {
                if (member.required && (record[key] === undefined || record[key] === null)) {
                    failures.push({
                        property: `${prefix}${key}`,
                        reason: `${prefix}${key} is required when ${path} is set`,
                    });
                }
                validate(member.shape, record[key], `${prefix}${key}`, failures, isUnknown, secretPaths);
            }
            return;
        }
    }
}

/** Maps program-side values (camelCase) to the API request (wire names), dropping the members that are not sent. */
export function toWire(shape: Shape, value: unknown): unknown {
    if (value === undefined || value === null) {
        return undefined;
    }
    if (shape.kind === "list") {
        return (value as unknown[]).map((item) => toWire(shape.member, item));
    }
    if (shape.kind !== "structure") {
        return value;
    }
    const request: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(shape.members)) {
        const mapped = member.wire === undefined ? undefined : toWire(member.shape, (value as Record<string, unknown>)[key]);
        if (mapped !== undefined) {
            request[member.wire!] = mapped;
        }
    }
    return request;
}

/**
 * The inputs a service error message speaks of: those whose path (`settings.auditImagesLimit`, as AWS validation
 * messages write it, list positions aside) or wire name (`AuditImagesLimit`) it contains.
 */
export function inputsNamedIn(message: string, shape: Shape, value: unknown, path = ""): { property: string; value: unknown }[] {
    if (value === undefined || value === null) {
        return [];
    }
    if (shape.kind === "list") {
        return (value as unknown[]).flatMap((item, i) => inputsNamedIn(message, shape.member, item, `${path}[${i}]`));
    }
    if (shape.kind === "structure") {
        return Object.entries(shape.members).flatMap(([key, member]) =>
            member.wire === undefined
                ? []
                : inputsNamedIn(message, member.shape, (value as Record<string, unknown>)[key], path === "" ? key : `${path}.${key}`),
        );
    }
    const withoutPositions = message.replace(/\.\d+\.member\b/g, "");
    const leaf = path.slice(path.lastIndexOf(".") + 1);
    const wireName = leaf.charAt(0).toUpperCase() + leaf.slice(1);
    const named = withoutPositions.includes(path.replace(/\[\d+\]/g, "")) || new RegExp(`\\b${wireName}\\b`).test(message);
    return named ? [{ property: path, value }] : [];
}

/** The shape of the input at a dotted path such as `settings.auditImagesLimit`, for checking one value on its own. */
export function memberShape(path: string): Shape {
    let shape: Shape = sessionInputs();
    for (const key of path.split(".")) {
        if (shape.kind !== "structure" || !(key in shape.members)) {
            throw new Error(`no input at ${path}`);
        }
        shape = shape.members[key].shape;
    }
    return shape;
}
