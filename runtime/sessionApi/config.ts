/**
 * The session API's configuration: what `LivenessSetup` sets as the function's environment variables and the handler
 * reads once at load. Both sides use this module, so each variable's name and meaning is written here only. It imports
 * nothing: the component (in the program) and the handler (in AWS Lambda) each take it as it is.
 */

/** How callers are authenticated, and so where the handler finds the owner of a request. */
export type ApiAuthMode = "jwt" | "iam";

/** Everything the handler needs, as the component knows it. */
export interface SessionApiConfig {
    /** The DynamoDB table of session records and per-owner limits. */
    tableName: string;
    /** Where the owner is: the JWT's `sub` claim, or the caller's Cognito identity id (SigV4). */
    authMode: ApiAuthMode;
    /** With IAM auth, the identity pool whose signed-in identities may call; others are refused. @default - any pool's */
    identityPoolId?: string;
    /** The KMS key the sessions' images are encrypted with. */
    kmsKeyId: string;
    /** The bucket the service writes the images to, and the API's own prefix in it. */
    s3Bucket: string;
    s3KeyPrefix: string;
    /** How many audit images each session returns, 0 to 4. */
    auditImagesLimit: number;
    /** The challenges, in order of preference, as CreateFaceLivenessSession takes them (program names). */
    challengePreferences?: { type: string; versions?: { minimum?: string; maximum?: string } }[];
    /** `live` is true for SUCCEEDED at or above this confidence, 50 to 100. */
    confidenceThreshold: number;
    /** Not-live verdicts within `failureWindowSeconds` after which an owner is locked out for `lockoutSeconds`. */
    maxFailures: number;
    failureWindowSeconds: number;
    lockoutSeconds: number;
    /** Sessions one owner may create per `failureWindowSeconds`. */
    maxSessionsPerWindow: number;
    /** Days a session record (and its verdict) is kept before DynamoDB's TTL removes it. */
    recordRetentionDays: number;
    /** The `source` of the events published on the default bus. */
    eventSource: string;
}

/**
 * The table's layout, which the component declares and the handler writes. One partition per owner (`OWNER#<owner>`):
 * a session record under `SESSION#<sessionId>` (so that a caller can reach only its own), the owner's lockout state
 * under `LIMITS`, a count of sessions per window under `WINDOW#<n>`. A record gets `owner` and `decidedAt` when its
 * verdict is recorded, which puts it in the sparse index `latestVerdict`: "the latest verdict of owner X" is one
 * Query (`owner = X`, newest first, limit 1).
 */
export const sessionTable = {
    partitionKey: "pk",
    sortKey: "sk",
    verdictIndex: { name: "latestVerdict", partitionKey: "owner", sortKey: "decidedAt" },
    ttlAttribute: "expiresAt",
} as const;

/**
 * How often the API reads an unfinished session from Rekognition: reads in between are answered from its record (with
 * `Retry-After`), so a caller polling fast costs the account's quota one request per interval, whatever its rate.
 */
export const SERVICE_READ_INTERVAL_MS = 2000;

/** The `detail-type` of the event published for each verdict (at least once: de-duplicate by `sessionId`). */
export const verdictEventDetailType = "Liveness Check Completed";

/** The `detail` of that event: the session record's verdict. Times are epoch milliseconds. */
export interface VerdictEventDetail {
    owner: string;
    sessionId: string;
    live: boolean;
    /** The service's final status: SUCCEEDED, FAILED or EXPIRED. */
    status: string;
    /** For the app's backend only; never sent to a device. */
    confidence: number | null;
    /** When the session was created: its check happened within the 3 minutes after. */
    createdAt: number;
    /** When the API read the final status and recorded it (possibly much later than the check). */
    decidedAt: number;
}

/** The default `source` of those events. */
export const defaultEventSource = "pulumi-rekognition-liveness";

/** The variable of the auth mode, which every session API function has: how policies recognize one. */
export const authModeVariable = "LIVENESS_AUTH_MODE";

/** Each setting's environment variable. */
const VARIABLES: Record<keyof SessionApiConfig, string> = {
    tableName: "LIVENESS_TABLE_NAME",
    authMode: authModeVariable,
    identityPoolId: "LIVENESS_IDENTITY_POOL_ID",
    kmsKeyId: "LIVENESS_KMS_KEY_ID",
    s3Bucket: "LIVENESS_S3_BUCKET",
    s3KeyPrefix: "LIVENESS_S3_KEY_PREFIX",
    auditImagesLimit: "LIVENESS_AUDIT_IMAGES_LIMIT",
    challengePreferences: "LIVENESS_CHALLENGE_PREFERENCES",
    confidenceThreshold: "LIVENESS_CONFIDENCE_THRESHOLD",
    maxFailures: "LIVENESS_MAX_FAILURES",
    failureWindowSeconds: "LIVENESS_FAILURE_WINDOW_SECONDS",
    lockoutSeconds: "LIVENESS_LOCKOUT_SECONDS",
    maxSessionsPerWindow: "LIVENESS_MAX_SESSIONS_PER_WINDOW",
    recordRetentionDays: "LIVENESS_RECORD_RETENTION_DAYS",
    eventSource: "LIVENESS_EVENT_SOURCE",
};

/** Every variable the function's environment may hold. */
export const apiEnvironmentVariables: readonly string[] = Object.values(VARIABLES);

/** The numeric settings and the range each must lie in. */
const NUMBERS: Partial<Record<keyof SessionApiConfig, [number, number]>> = {
    auditImagesLimit: [0, 4],
    confidenceThreshold: [50, 100],
    maxFailures: [1, 1000],
    failureWindowSeconds: [1, 86_400],
    lockoutSeconds: [0, 604_800],
    maxSessionsPerWindow: [1, 10_000],
    recordRetentionDays: [1, 3650],
};

/** The settings a function may lack. */
const OPTIONAL: (keyof SessionApiConfig)[] = ["challengePreferences", "s3KeyPrefix", "identityPoolId"];

/** The function's environment for `config`. */
export function apiEnvironment(config: SessionApiConfig): Record<string, string> {
    const environment: Record<string, string> = {};
    for (const [key, variable] of Object.entries(VARIABLES) as [keyof SessionApiConfig, string][]) {
        const value = config[key];
        if (value === undefined) continue;
        environment[variable] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return environment;
}

/** The configuration from the function's environment; throws, naming every missing or bad variable, at load. */
export function configFromEnvironment(env: Record<string, string | undefined>): SessionApiConfig {
    const problems: string[] = [];
    const config: Record<string, unknown> = {};
    for (const [key, variable] of Object.entries(VARIABLES) as [keyof SessionApiConfig, string][]) {
        const raw = env[variable];
        if (raw === undefined || raw === "") {
            if (!OPTIONAL.includes(key)) problems.push(`${variable} is not set`);
            continue;
        }
        const range = NUMBERS[key];
        if (range !== undefined) {
            const value = Number(raw);
            if (!Number.isFinite(value) || value < range[0] || value > range[1]) {
                problems.push(`${variable} must be a number from ${range[0]} to ${range[1]}, got ${JSON.stringify(raw)}`);
            }
            config[key] = value;
        } else if (key === "challengePreferences") {
            try {
                config[key] = JSON.parse(raw);
            } catch {
                problems.push(`${variable} must be JSON, got ${JSON.stringify(raw.slice(0, 40))}`);
            }
        } else {
            config[key] = raw;
        }
    }
    if (config.authMode !== undefined && config.authMode !== "jwt" && config.authMode !== "iam") {
        problems.push(`${VARIABLES.authMode} must be jwt or iam, got ${JSON.stringify(config.authMode)}`);
    }
    if (problems.length > 0) throw new Error(`the liveness session API is misconfigured: ${problems.join("; ")}`);
    return { s3KeyPrefix: "", ...config } as SessionApiConfig;
}
