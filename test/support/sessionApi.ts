/**
 * Running the session API's handler as built (bin/runtime/sessionApi/index.js) in this process, as Lambda runs it:
 * its environment from a configuration, payload-2.0 events as API Gateway sends them, a Lambda context, and a table
 * laid out as the component declares it. Shared by test/runtime/ and the bench.
 */
import * as path from "node:path";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
    SessionApiConfig,
    apiEnvironment,
    apiEnvironmentVariables,
    defaultEventSource,
    sessionTable,
} from "../../runtime/sessionApi/config";

export const builtHandler = path.resolve(__dirname, "../../bin/runtime/sessionApi/index.js");

export type Answer = { statusCode: number; headers: Record<string, string>; body: string };
export type Handler = (event: object, context: object) => Promise<Answer>;

/** The configuration the component gives an API with no session options (its defaults), over `tableName`. */
export function configFor(tableName: string, overrides: Partial<SessionApiConfig> = {}): SessionApiConfig {
    return {
        tableName,
        authMode: "jwt",
        kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        s3Bucket: "kyc-images",
        s3KeyPrefix: "liveness-api/",
        auditImagesLimit: 2,
        challengePreferences: [{ type: "FaceMovementChallenge" }],
        confidenceThreshold: 90,
        maxFailures: 5,
        failureWindowSeconds: 180,
        lockoutSeconds: 1800,
        maxSessionsPerWindow: 10,
        recordRetentionDays: 30,
        eventSource: defaultEventSource,
        ...overrides,
    };
}

/**
 * A fresh load of the built handler with `config` as the function's environment (it reads it, and makes its clients, at
 * load): exactly that environment, so that no setting of a handler loaded before (an identity pool) carries over.
 */
export function loadHandler(config: SessionApiConfig): Handler {
    for (const name of apiEnvironmentVariables) delete process.env[name];
    for (const [name, value] of Object.entries(apiEnvironment(config))) process.env[name] = value;
    delete require.cache[builtHandler];
    return (require(builtHandler) as { handler: Handler }).handler;
}

/** A table laid out as the component declares it. */
export async function createChecksTable(region: string, name: string): Promise<void> {
    const { partitionKey, sortKey, verdictIndex } = sessionTable;
    await new DynamoDBClient({ region }).send(
        new CreateTableCommand({
            TableName: name,
            BillingMode: "PAY_PER_REQUEST",
            AttributeDefinitions: [
                { AttributeName: partitionKey, AttributeType: "S" },
                { AttributeName: sortKey, AttributeType: "S" },
                { AttributeName: verdictIndex.partitionKey, AttributeType: "S" },
                { AttributeName: verdictIndex.sortKey, AttributeType: "N" },
            ],
            KeySchema: [
                { AttributeName: partitionKey, KeyType: "HASH" },
                { AttributeName: sortKey, KeyType: "RANGE" },
            ],
            GlobalSecondaryIndexes: [
                {
                    IndexName: verdictIndex.name,
                    KeySchema: [
                        { AttributeName: verdictIndex.partitionKey, KeyType: "HASH" },
                        { AttributeName: verdictIndex.sortKey, KeyType: "RANGE" },
                    ],
                    Projection: { ProjectionType: "ALL" },
                },
            ],
        }),
    );
}

/** A Lambda context whose time runs out `remainingMs` from now. */
export function lambdaContext(remainingMs = 29_000, now: () => number = Date.now): object {
    const deadline = now() + remainingMs;
    return { awsRequestId: "req-1", functionName: "api", getRemainingTimeInMillis: () => deadline - now() };
}

/** The JWT a caller sends; API Gateway checks it and passes its claims on. Never to appear anywhere. */
export const CALLER_JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW5ldmVyLXNob3du";

/** The identity pool of the setup a test's IAM-authorized API belongs to (`configFor(…, { identityPoolId })`). */
export const SETUP_IDENTITY_POOL = "us-east-1:0f0e0d0c-1111-4222-8333-944455556666";

/** How API Gateway describes a signed-in Cognito identity of the setup's pool (`amr` of a user pool sign-in). */
const signedIn = {
    identityPoolId: SETUP_IDENTITY_POOL,
    amr: [
        "authenticated",
        "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf",
        "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf:CognitoSignIn:0a1b",
    ],
};

/**
 * A payload-2.0 event of `routeKey` (`POST /sessions`, `GET /sessions/{sessionId}`, …) from `owner` (null: none);
 * `iam` makes the owner a Cognito identity (signed in to the setup's pool unless told otherwise) instead of a JWT's sub.
 */
export function apiEvent(
    routeKey: string,
    options: {
        owner?: string | null;
        sessionId?: string;
        body?: string;
        base64?: boolean;
        rawPath?: string;
        iam?: boolean | { amr?: string[]; identityPoolId?: string };
    } = {},
): object {
    const owner = options.owner === undefined ? "alice" : options.owner;
    const authorizer =
        owner === null
            ? undefined
            : options.iam
              ? { iam: { cognitoIdentity: { identityId: owner, ...signedIn, ...(options.iam === true ? {} : options.iam) } } }
              : { jwt: { claims: { sub: owner, scope: "liveness/check" }, scopes: ["liveness/check"] } };
    const [method, route] = routeKey.split(" ");
    return {
        version: "2.0",
        routeKey,
        rawPath: options.rawPath ?? (options.sessionId !== undefined ? `/sessions/${options.sessionId}` : route),
        headers: { authorization: `Bearer ${CALLER_JWT}`, "content-type": "application/json" },
        pathParameters: options.sessionId !== undefined ? { sessionId: options.sessionId } : undefined,
        body: options.body,
        isBase64Encoded: options.base64 ?? false,
        requestContext: { requestId: "req-1", http: { method, path: route }, authorizer },
    };
}
