/**
 * The session API a `LivenessSetup` declares with `api`: an HTTP API whose two routes are authorized (JWT or IAM),
 * a Lambda function running the prebuilt handler (runtime/sessionApi, bundled by `npm run build`), the DynamoDB table
 * of session records and per-owner limits, log groups, and a role that holds only what the handler uses. The
 * component declares the function with the built file as its code and its whole configuration as environment
 * variables; it never imports or runs the handler.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { defaultRequestsPerSecond, memberShape, validate } from "../providers/faceLivenessApi";
import type { Failure } from "../providers/faceLivenessApi";
import type { ChallengePreference } from "../providers/sessionProvider";
import { apiEnvironment, defaultEventSource, sessionTable } from "../runtime/sessionApi/config";
import type { SessionApiConfig } from "../runtime/sessionApi/config";
import { unknownKey } from "./mistakes";
import { apiSessionsPrefix, deviceInvokePolicy, lambdaTrustPolicy, sessionApiPolicy, verdictReaderPolicy } from "./policies";

/** A JWT authorizer: API Gateway checks the token's issuer, audience (or `client_id`) and, if given, scopes. */
export interface SessionApiJwtAuth {
    /** The issuer, such as a Cognito user pool's `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`. */
    readonly issuer: pulumi.Input<string>;
    /** The audiences (app client ids) a token must be for. */
    readonly audiences: pulumi.Input<pulumi.Input<string>[]>;
    /** OAuth scopes a token must carry on both routes (keeps ID tokens out). @default - none */
    readonly scopes?: string[];
}

/**
 * The session API: what a real app calls at run time to create a session per attempt and learn only pass or fail.
 *
 * @example
 * api: { auth: { jwt: { issuer: pool.endpoint.apply((e) => `https://${e}`), audiences: [client.id] } } }
 */
export interface SessionApiArgs {
    /**
     * How callers are authorized; there is no anonymous mode. `"iam"`: SigV4 with the devices' Cognito identities (the
     * owner of a session is the caller's identity id); `{ jwt }`: a JWT authorizer (the owner is the token's `sub`).
     * @default - "iam" with `deviceIdentity`; otherwise required
     */
    readonly auth?: "iam" | { readonly jwt: SessionApiJwtAuth };
    /** `live` is true for SUCCEEDED at or above this confidence, 50 to 100. @default 90 */
    readonly confidenceThreshold?: number;
    /** Not-live verdicts within `failureWindowSeconds` after which an owner is locked out. @default 5 */
    readonly maxFailures?: number;
    /** The window of `maxFailures` and of `maxSessionsPerWindow`, in seconds. @default 180 */
    readonly failureWindowSeconds?: number;
    /** How long an owner is refused new sessions after `maxFailures`, in seconds. @default 1800 */
    readonly lockoutSeconds?: number;
    /** Sessions one owner may create per window. @default 10 */
    readonly maxSessionsPerWindow?: number;
    /** How many audit images each session returns, 0 to 4 (best effort). @default 0 */
    readonly auditImagesLimit?: number;
    /** Challenges in order of preference. @default - FaceMovementAndLightChallenge */
    readonly challengePreferences?: ChallengePreference[];
    /**
     * `POST /sessions`' steady rate limit, requests per second across all callers: at or below the account's Face
     * Liveness quota in the region, which each create spends. `GET /sessions/{sessionId}` gets four times it (a read
     * spends the quota at most once per session every 2 s). @default - the region's documented quota: 25 in us-east-1
     * and us-west-2, 5 elsewhere
     */
    readonly throttlingRateLimit?: number;
    /** `POST /sessions`' burst limit (`GET` gets four times it, at most 5,000). @default - twice the rate limit */
    readonly throttlingBurstLimit?: number;
    /**
     * The function's reserved concurrency: what it may run at once, kept for it (so a flood of requests cannot take
     * the account's other functions' share, nor theirs this one's). -1 reserves none, for an account whose
     * concurrency is too small to reserve from (AWS keeps 100 unreserved). @default - twice the rate limit
     */
    readonly reservedConcurrency?: number;
    /** Days the function's and the stage's logs are kept: one of CloudWatch Logs' periods (`logRetentionPeriods`). @default 30 */
    readonly logRetentionDays?: number;
    /** Days a session record and its verdict are kept before DynamoDB's TTL removes them. @default 30 */
    readonly recordRetentionDays?: number;
    /** Origins browsers may call the API from (CORS); never `*`. @default - none: no CORS headers */
    readonly corsAllowOrigins?: string[];
}

/** Each option's default, as the handler receives it. */
export const sessionApiDefaults = {
    confidenceThreshold: 90,
    maxFailures: 5,
    failureWindowSeconds: 180,
    lockoutSeconds: 1800,
    maxSessionsPerWindow: 10,
    auditImagesLimit: 0,
    logRetentionDays: 30,
    recordRetentionDays: 30,
} as const;

/** The limits whose defaults follow the region's Face Liveness quota (see `throttlingRateLimit`). */
type QuotaSized = "throttlingRateLimit" | "throttlingBurstLimit" | "reservedConcurrency";

/** The numeric options and the integers (or, for the threshold, numbers) each allows. */
export const sessionApiRanges: Record<keyof typeof sessionApiDefaults | QuotaSized, [number, number, "integer" | "number"]> = {
    confidenceThreshold: [50, 100, "number"],
    maxFailures: [1, 1000, "integer"],
    failureWindowSeconds: [1, 86_400, "integer"],
    lockoutSeconds: [0, 604_800, "integer"],
    maxSessionsPerWindow: [1, 10_000, "integer"],
    auditImagesLimit: [0, 4, "integer"],
    throttlingRateLimit: [1, 10_000, "number"],
    throttlingBurstLimit: [1, 5_000, "integer"],
    reservedConcurrency: [-1, 1000, "integer"],
    logRetentionDays: [1, 3653, "integer"],
    recordRetentionDays: [1, 3650, "integer"],
};

/** The retention periods CloudWatch Logs takes, in days; any other number is refused by AWS at deployment. */
export const logRetentionPeriods = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Every option of `api`, checked complete by the compiler. */
export const sessionApiOptions: Record<keyof SessionApiArgs, true> = {
    auth: true,
    confidenceThreshold: true,
    maxFailures: true,
    failureWindowSeconds: true,
    lockoutSeconds: true,
    maxSessionsPerWindow: true,
    auditImagesLimit: true,
    challengePreferences: true,
    throttlingRateLimit: true,
    throttlingBurstLimit: true,
    reservedConcurrency: true,
    logRetentionDays: true,
    recordRetentionDays: true,
    corsAllowOrigins: true,
};

/** The built handler this package ships: bin/runtime/sessionApi/index.js of the package's own folder. */
export function builtHandlerFile(): string {
    for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
        const manifest = path.join(dir, "package.json");
        if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, "utf8")).name === "pulumi-rekognition-liveness") {
            const file = path.join(dir, "bin", "runtime", "sessionApi", "index.js");
            if (!fs.existsSync(file)) throw new Error(`the session API's handler is not built: ${file} is missing (run npm run build)`);
            return file;
        }
    }
    throw new Error(`no package.json of pulumi-rekognition-liveness above ${__dirname}`);
}

/** What the setup hands its API: its names, storage, identity and where children go. */
export interface SessionApiContext {
    name: string;
    parent: pulumi.Resource;
    tags?: Record<string, pulumi.Input<string>>;
    partition: pulumi.Output<string>;
    region: pulumi.Output<string>;
    accountId: pulumi.Output<string>;
    bucketArn: pulumi.Output<string>;
    bucketName: pulumi.Output<string>;
    kmsKeyArn: pulumi.Output<string>;
    /** What sessions wait for before any image is written: the bucket's protections. */
    storageReady: pulumi.Resource[];
    /**
     * The setup's device identity: with IAM auth, its signed-in role gets `execute-api:Invoke` on the two routes and
     * the handler admits only signed-in identities of its pool. Guests stream only.
     */
    devices?: { identityPoolId: pulumi.Output<string>; signedInRole: aws.iam.Role };
}

/** The API's outputs. */
export interface SessionApiOutputs {
    apiUrl: pulumi.Output<string>;
    checksTableName: pulumi.Output<string>;
    verdictReaderPolicyJson: pulumi.Output<string>;
}

/** Declares the session API; `args` are checked already (see the setup's argument mistakes). */
export function declareSessionApi(ctx: SessionApiContext, args: SessionApiArgs, authMode: "iam" | "jwt"): SessionApiOutputs {
    const { name, tags } = ctx;
    const parent = { parent: ctx.parent };
    const option = <K extends keyof typeof sessionApiDefaults>(key: K): number =>
        (args[key] as number | undefined) ?? sessionApiDefaults[key];

    const table = new aws.dynamodb.Table(
        `${name}-api-checks`,
        {
            billingMode: "PAY_PER_REQUEST",
            hashKey: sessionTable.partitionKey,
            rangeKey: sessionTable.sortKey,
            attributes: [
                { name: sessionTable.partitionKey, type: "S" },
                { name: sessionTable.sortKey, type: "S" },
                { name: sessionTable.verdictIndex.partitionKey, type: "S" },
                { name: sessionTable.verdictIndex.sortKey, type: "N" },
            ],
            globalSecondaryIndexes: [
                {
                    name: sessionTable.verdictIndex.name,
                    hashKey: sessionTable.verdictIndex.partitionKey,
                    rangeKey: sessionTable.verdictIndex.sortKey,
                    projectionType: "ALL",
                },
            ],
            serverSideEncryption: { enabled: true, kmsKeyArn: ctx.kmsKeyArn },
            pointInTimeRecovery: { enabled: true },
            ttl: { attributeName: sessionTable.ttlAttribute, enabled: true },
            tags,
        },
        parent,
    );

    const functionLogs = new aws.cloudwatch.LogGroup(
        `${name}-api-handler-logs`,
        { retentionInDays: option("logRetentionDays"), tags },
        parent,
    );
    const accessLogs = new aws.cloudwatch.LogGroup(
        `${name}-api-access-logs`,
        { retentionInDays: option("logRetentionDays"), tags },
        parent,
    );

    const limits = quotaSizedLimits(args, ctx.region);
    const eventBusArn = pulumi.interpolate`arn:${ctx.partition}:events:${ctx.region}:${ctx.accountId}:event-bus/default`;
    const role = new aws.iam.Role(
        `${name}-api-handler`,
        {
            description: `The session API of ${name}: create and read Face Liveness sessions, keep their records`,
            assumeRolePolicy: ctx.accountId.apply((accountId) => JSON.stringify(lambdaTrustPolicy(accountId))),
            tags,
        },
        parent,
    );
    const rolePolicy = new aws.iam.RolePolicy(
        `${name}-api-handler`,
        {
            role: role.name,
            policy: pulumi
                .all([ctx.bucketArn, ctx.kmsKeyArn, ctx.region, table.arn, functionLogs.arn, eventBusArn])
                .apply(([bucketArn, kmsKeyArn, region, tableArn, logGroupArn, busArn]) =>
                    JSON.stringify(
                        sessionApiPolicy({
                            bucketArn,
                            kmsKeyArn,
                            region,
                            tableArn,
                            logGroupArn,
                            eventBusArn: busArn,
                            eventSource: defaultEventSource,
                        }),
                    ),
                ),
        },
        parent,
    );

    const config = (tableName: string, kmsKeyId: string, s3Bucket: string, identityPoolId?: string): SessionApiConfig => ({
        tableName,
        authMode,
        identityPoolId: authMode === "iam" ? identityPoolId : undefined,
        kmsKeyId,
        s3Bucket,
        s3KeyPrefix: apiSessionsPrefix,
        auditImagesLimit: option("auditImagesLimit"),
        challengePreferences: args.challengePreferences,
        confidenceThreshold: option("confidenceThreshold"),
        maxFailures: option("maxFailures"),
        failureWindowSeconds: option("failureWindowSeconds"),
        lockoutSeconds: option("lockoutSeconds"),
        maxSessionsPerWindow: option("maxSessionsPerWindow"),
        recordRetentionDays: option("recordRetentionDays"),
        eventSource: defaultEventSource,
    });
    const handler = new aws.lambda.Function(
        `${name}-api-handler`,
        {
            description: `The session API of ${name} (pulumi-rekognition-liveness)`,
            runtime: "nodejs22.x",
            architectures: ["arm64"],
            handler: "index.handler",
            code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.FileAsset(builtHandlerFile()) }),
            role: role.arn,
            memorySize: 256,
            // API Gateway answers 503 after 30 s; the handler stops retrying the service before its own time is up.
            timeout: 25,
            reservedConcurrentExecutions: limits.reservedConcurrency,
            environment: {
                variables: pulumi
                    .all([table.name, ctx.kmsKeyArn, ctx.bucketName, ctx.devices?.identityPoolId])
                    .apply(([tableName, kmsKeyId, s3Bucket, identityPoolId]) =>
                        apiEnvironment(config(tableName, kmsKeyId, s3Bucket, identityPoolId)),
                    ),
            },
            loggingConfig: { logFormat: "JSON", logGroup: functionLogs.name },
            tags,
        },
        // The role's policy first: the first invocation must find its permissions. No image before the bucket's protections.
        { parent: ctx.parent, dependsOn: [rolePolicy, ...ctx.storageReady] },
    );

    const cors = args.corsAllowOrigins;
    const api = new aws.apigatewayv2.Api(
        `${name}-api`,
        {
            protocolType: "HTTP",
            description: `Face Liveness sessions of ${name}: POST /sessions, GET /sessions/{sessionId}`,
            corsConfiguration:
                cors === undefined
                    ? undefined
                    : {
                          allowOrigins: cors,
                          allowMethods: ["GET", "POST"],
                          allowHeaders: ["authorization", "content-type", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"],
                          maxAge: 600,
                      },
            tags,
        },
        parent,
    );
    const integration = new aws.apigatewayv2.Integration(
        `${name}-api-handler`,
        {
            apiId: api.id,
            integrationType: "AWS_PROXY",
            integrationUri: handler.arn,
            payloadFormatVersion: "2.0",
            integrationMethod: "POST",
        },
        parent,
    );
    const jwt = authMode === "jwt" ? (args.auth as { jwt: SessionApiJwtAuth }).jwt : undefined;
    const authorizer =
        jwt === undefined
            ? undefined
            : new aws.apigatewayv2.Authorizer(
                  `${name}-api-jwt`,
                  {
                      apiId: api.id,
                      authorizerType: "JWT",
                      identitySources: ["$request.header.Authorization"],
                      jwtConfiguration: { issuer: jwt.issuer, audiences: jwt.audiences },
                  },
                  parent,
              );
    const routes = (["POST /sessions", "GET /sessions/{sessionId}"] as const).map(
        (routeKey) =>
            new aws.apigatewayv2.Route(
                `${name}-api-${routeKey.startsWith("POST") ? "create" : "read"}`,
                {
                    apiId: api.id,
                    routeKey,
                    target: pulumi.interpolate`integrations/${integration.id}`,
                    authorizationType: authorizer ? "JWT" : "AWS_IAM",
                    authorizerId: authorizer?.id,
                    authorizationScopes: jwt?.scopes,
                },
                parent,
            ),
    );
    const stage = new aws.apigatewayv2.Stage(
        `${name}-api`,
        {
            apiId: api.id,
            name: "$default",
            autoDeploy: true,
            // Reads (and anything else) at the default; creates at their own, lower limit.
            defaultRouteSettings: { throttlingRateLimit: limits.readRate, throttlingBurstLimit: limits.readBurst },
            routeSettings: [
                { routeKey: "POST /sessions", throttlingRateLimit: limits.createRate, throttlingBurstLimit: limits.createBurst },
            ],
            // Who called what, and how it ended: the caller's identity id or the token's subject, never a header,
            // a token or a body.
            accessLogSettings: {
                destinationArn: accessLogs.arn,
                format: JSON.stringify({
                    requestId: "$context.requestId",
                    caller: authMode === "jwt" ? "$context.authorizer.claims.sub" : "$context.identity.cognitoIdentityId",
                    routeKey: "$context.routeKey",
                    status: "$context.status",
                    responseLatency: "$context.responseLatency",
                    integrationError: "$context.integrationErrorMessage",
                }),
            },
            tags,
        },
        { parent: ctx.parent, dependsOn: routes },
    );
    // API Gateway may invoke the function for these two routes only.
    [
        ["create", "POST/sessions"],
        ["read", "GET/sessions/*"],
    ].forEach(([route, resource]) => {
        new aws.lambda.Permission(
            `${name}-api-${route}`,
            {
                action: "lambda:InvokeFunction",
                function: handler.name,
                principal: "apigateway.amazonaws.com",
                sourceArn: pulumi.interpolate`${api.executionArn}/*/${resource}`,
            },
            parent,
        );
    });
    // Signed-in devices only: a guest identity is free to anyone, so it neither calls the API nor owns a session.
    if (authMode === "iam" && ctx.devices !== undefined) {
        new aws.iam.RolePolicy(
            `${name}-api-invoke-signed-in`,
            { role: ctx.devices.signedInRole.name, policy: api.executionArn.apply((arn) => JSON.stringify(deviceInvokePolicy(arn))) },
            parent,
        );
    }

    return {
        apiUrl: stage.invokeUrl,
        checksTableName: table.name,
        verdictReaderPolicyJson: pulumi
            .all([table.arn, ctx.kmsKeyArn, ctx.region])
            .apply(([tableArn, kmsKeyArn, region]) => JSON.stringify(verdictReaderPolicy({ tableArn, kmsKeyArn, region }))),
    };
}

/** The stage's limits and the function's reserved concurrency: as given, else sized from the region's quota. */
function quotaSizedLimits(args: SessionApiArgs, region: pulumi.Output<string>) {
    const createRate =
        args.throttlingRateLimit !== undefined ? pulumi.output(args.throttlingRateLimit) : region.apply(defaultRequestsPerSecond);
    const createBurst =
        args.throttlingBurstLimit !== undefined
            ? pulumi.output(args.throttlingBurstLimit)
            : createRate.apply((rate) => Math.ceil(rate * 2));
    return {
        createRate,
        createBurst,
        readRate: createRate.apply((rate) => rate * 4),
        readBurst: createBurst.apply((burst) => Math.min(5_000, burst * 4)),
        reservedConcurrency:
            args.reservedConcurrency !== undefined
                ? pulumi.output(args.reservedConcurrency)
                : createRate.apply((rate) => Math.ceil(rate * 2)),
    };
}

/**
 * The mistakes in `api`, and the auth mode it resolves to: not a map, an unknown option, a number out of range, an
 * auth that is neither, CORS `*`, or no auth and no device identity to default to.
 */
export function sessionApiMistakes(
    api: unknown,
    hasDeviceIdentity: boolean,
    shown: (value: unknown) => string,
): { mistakes: string[]; authMode?: "iam" | "jwt" } {
    if (api === undefined || api === null) return { mistakes: [] };
    const allowed = Object.keys(sessionApiOptions);
    if (typeof api !== "object" || Array.isArray(api) || pulumi.Output.isInstance(api)) {
        return { mistakes: [`api must be a map of options (${allowed.join(", ")}), got ${shown(api)}`] };
    }
    const mistakes: string[] = [];
    const options = api as Record<string, unknown>;
    for (const [key, value] of Object.entries(options)) {
        if (!(key in sessionApiOptions)) mistakes.push(unknownKey(`api.${key}`, shown(value), allowed));
    }
    for (const [key, [min, max, kind]] of Object.entries(sessionApiRanges)) {
        const value = options[key];
        if (value === undefined) continue;
        if (key === "logRetentionDays" && !(logRetentionPeriods as readonly unknown[]).includes(value)) {
            mistakes.push(
                `api.logRetentionDays must be one of CloudWatch Logs' retention periods (${logRetentionPeriods.join(", ")}), got ${shown(value)}`,
            );
        } else if (key === "reservedConcurrency" && value === 0) {
            mistakes.push("api.reservedConcurrency must be -1 (none reserved) or from 1 to 1000, got 0 (which would stop the function)");
        } else if (typeof value !== "number" || (kind === "integer" && !Number.isInteger(value)) || value < min || value > max) {
            mistakes.push(
                `api.${key} must be ${kind === "integer" ? "an integer" : "a number"} from ${min} to ${max}, got ${shown(value)}`,
            );
        }
    }
    if (options.challengePreferences !== undefined) {
        const failures: Failure[] = [];
        validate(
            memberShape("settings.challengePreferences"),
            options.challengePreferences,
            "api.challengePreferences",
            failures,
            pulumi.Output.isInstance,
        );
        mistakes.push(...failures.map((f) => f.reason));
    }
    const cors = options.corsAllowOrigins;
    // Plain http only for a developer's own machine: elsewhere a page served over http can be changed on the way.
    const origin = /^(https:\/\/[^*\s/]+|http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?)$/;
    if (cors !== undefined && (!Array.isArray(cors) || cors.some((o) => typeof o !== "string" || !origin.test(o)))) {
        mistakes.push(
            `api.corsAllowOrigins must list https origins such as https://app.example.com (http only for localhost, never *), got ${shown(cors)}`,
        );
    }
    const auth = options.auth;
    let authMode: "iam" | "jwt" | undefined;
    if (auth === undefined || auth === null) {
        if (hasDeviceIdentity) authMode = "iam";
        else
            mistakes.push(
                'api.auth is required without deviceIdentity: "iam" (SigV4 callers) or { jwt: { issuer, audiences } }; the session API has no anonymous mode',
            );
    } else if (auth === "iam") {
        authMode = "iam";
    } else if (typeof auth === "object" && !Array.isArray(auth) && !pulumi.Output.isInstance(auth) && Object.keys(auth).join() === "jwt") {
        const jwt = (auth as { jwt: Record<string, unknown> }).jwt;
        const jwtMistakes: string[] = [];
        if (jwt === null || typeof jwt !== "object")
            jwtMistakes.push(`api.auth.jwt must be { issuer, audiences, scopes? }, got ${shown(jwt)}`);
        else {
            for (const key of Object.keys(jwt)) {
                if (!["issuer", "audiences", "scopes"].includes(key))
                    jwtMistakes.push(`api.auth.jwt.${key} is not known; allowed: issuer, audiences, scopes`);
            }
            if (jwt.issuer === undefined) jwtMistakes.push("api.auth.jwt.issuer is required");
            else if (typeof jwt.issuer === "string" && !/^https:\/\/\S+$/.test(jwt.issuer)) {
                jwtMistakes.push(`api.auth.jwt.issuer must be an https URL, got ${shown(jwt.issuer)}`);
            }
            if (jwt.audiences === undefined || (Array.isArray(jwt.audiences) && jwt.audiences.length === 0)) {
                jwtMistakes.push("api.auth.jwt.audiences must list at least one audience (an app client id)");
            }
            if (jwt.scopes !== undefined && (!Array.isArray(jwt.scopes) || jwt.scopes.some((s) => typeof s !== "string"))) {
                jwtMistakes.push(`api.auth.jwt.scopes must be a list of scope names, got ${shown(jwt.scopes)}`);
            }
        }
        mistakes.push(...jwtMistakes);
        if (jwtMistakes.length === 0) authMode = "jwt";
    } else {
        mistakes.push(`api.auth must be "iam" or { jwt: { issuer, audiences, scopes? } }, got ${shown(auth)}`);
    }
    return { mistakes, authMode };
}
