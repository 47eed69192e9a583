/**
 * LivenessSetup's `api` under Pulumi mocks: every child's exact inputs, the routes' authorization, the stage's limits,
 * the Lambda permissions' source ARNs, the role statement by statement, and argument mistakes as one line before any
 * child. Not proven here: that AWS accepts these inputs (`npm run test:aws`); the handler's behaviour is proven on
 * the built file (test/runtime/sessionApi.spec.ts).
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ACCOUNT_ID, mockAws } from "../support/awsMocks";
import { settle, unwrap } from "../support/mocks";

type Setup = typeof import("../../components/livenessSetup").LivenessSetup;

const REGION = "us-west-2";
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/mrk-kyc-key`;
const EXECUTION_ARN = `arn:aws:execute-api:${REGION}:${ACCOUNT_ID}:a1b2c3d4e5`;
const ISSUER = "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbCdEf123";

describe("LivenessSetup with api (mocks)", () => {
    let registered: pulumi.runtime.MockResourceArgs[];
    let LivenessSetup: Setup;

    before(async () => {
        registered = await mockAws({ region: REGION });
        ({ LivenessSetup } = await import("../../components/livenessSetup"));
    });

    const ofSetup = (name: string) => registered.filter((r) => r.name === name || r.name.startsWith(`${name}-`));
    const child = (name: string, type?: string) => {
        const found = registered.filter((r) => r.name === name && (type === undefined || r.type === type));
        assert.equal(found.length, 1, `one resource named ${name}, found ${found.length}`);
        return found[0];
    };
    const jwtApi = { auth: { jwt: { issuer: ISSUER, audiences: ["client-1"], scopes: ["liveness/check"] } } };

    describe("with a JWT authorizer and the defaults", () => {
        let setup: InstanceType<Setup>;
        before(async () => {
            setup = new LivenessSetup("kyc", { api: jwtApi });
            await settle();
        });

        it("creates exactly the table, two log groups, the role and its policy, the function, the API and its parts", () => {
            const api = ofSetup("kyc")
                .filter((r) => r.name.startsWith("kyc-api"))
                .map((r) => `${r.type}::${r.name}`)
                .sort();
            assert.deepEqual(api, [
                "aws:apigatewayv2/api:Api::kyc-api",
                "aws:apigatewayv2/authorizer:Authorizer::kyc-api-jwt",
                "aws:apigatewayv2/integration:Integration::kyc-api-handler",
                "aws:apigatewayv2/route:Route::kyc-api-create",
                "aws:apigatewayv2/route:Route::kyc-api-read",
                "aws:apigatewayv2/stage:Stage::kyc-api",
                "aws:cloudwatch/logGroup:LogGroup::kyc-api-access-logs",
                "aws:cloudwatch/logGroup:LogGroup::kyc-api-handler-logs",
                "aws:dynamodb/table:Table::kyc-api-checks",
                "aws:iam/role:Role::kyc-api-handler",
                "aws:iam/rolePolicy:RolePolicy::kyc-api-handler",
                "aws:lambda/function:Function::kyc-api-handler",
                "aws:lambda/permission:Permission::kyc-api-create",
                "aws:lambda/permission:Permission::kyc-api-read",
            ]);
        });

        it("the table: on demand, encrypted with the setup's key, point-in-time recovery, TTL, the verdict index", () => {
            const { inputs } = child("kyc-api-checks");
            assert.deepEqual(inputs, {
                billingMode: "PAY_PER_REQUEST",
                hashKey: "pk",
                rangeKey: "sk",
                attributes: [
                    { name: "pk", type: "S" },
                    { name: "sk", type: "S" },
                    { name: "owner", type: "S" },
                    { name: "decidedAt", type: "N" },
                ],
                globalSecondaryIndexes: [{ name: "latestVerdict", hashKey: "owner", rangeKey: "decidedAt", projectionType: "ALL" }],
                serverSideEncryption: { enabled: true, kmsKeyArn: KEY_ARN },
                pointInTimeRecovery: { enabled: true },
                ttl: { attributeName: "expiresAt", enabled: true },
            });
        });

        it("the function: Node.js 22 on arm64, the built handler as its code, its whole configuration in its environment", async () => {
            const fn = child("kyc-api-handler", "aws:lambda/function:Function");
            const { code, environment, ...rest } = fn.inputs;
            assert.deepEqual(rest, {
                description: "The session API of kyc (pulumi-rekognition-liveness)",
                runtime: "nodejs22.x",
                architectures: ["arm64"],
                handler: "index.handler",
                role: `arn:aws:iam::${ACCOUNT_ID}:role/kyc-api-handler-0a1b2c3`,
                memorySize: 256,
                timeout: 25,
                // Twice us-west-2's documented quota of 25 requests a second.
                reservedConcurrentExecutions: 50,
                loggingConfig: { logFormat: "JSON", logGroup: "kyc-api-handler-logs-0a1b2c3" },
            });
            const assets = await code.assets;
            assert.deepEqual(Object.keys(assets), ["index.js"]);
            assert.equal(path.resolve(await assets["index.js"].path), path.resolve(__dirname, "../../bin/runtime/sessionApi/index.js"));
            assert.deepEqual(environment, {
                variables: {
                    LIVENESS_TABLE_NAME: "kyc-api-checks-0a1b2c3",
                    LIVENESS_AUTH_MODE: "jwt",
                    LIVENESS_KMS_KEY_ID: KEY_ARN,
                    LIVENESS_S3_BUCKET: "kyc-images-0a1b2c3",
                    LIVENESS_S3_KEY_PREFIX: "api-sessions/",
                    LIVENESS_AUDIT_IMAGES_LIMIT: "0",
                    LIVENESS_CONFIDENCE_THRESHOLD: "90",
                    LIVENESS_MAX_FAILURES: "5",
                    LIVENESS_FAILURE_WINDOW_SECONDS: "180",
                    LIVENESS_LOCKOUT_SECONDS: "1800",
                    LIVENESS_MAX_SESSIONS_PER_WINDOW: "10",
                    LIVENESS_RECORD_RETENTION_DAYS: "30",
                    LIVENESS_EVENT_SOURCE: "pulumi-rekognition-liveness",
                },
            });
        });

        it("the role: trusted by Lambda of this account only, holding only what the handler uses, statement by statement", () => {
            assert.deepEqual(JSON.parse(child("kyc-api-handler", "aws:iam/role:Role").inputs.assumeRolePolicy), {
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "LambdaOfThisAccount",
                        Effect: "Allow",
                        Principal: { Service: "lambda.amazonaws.com" },
                        Action: "sts:AssumeRole",
                        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT_ID } },
                    },
                ],
            });
            const policy = child("kyc-api-handler", "aws:iam/rolePolicy:RolePolicy");
            assert.equal(policy.inputs.role, "kyc-api-handler-0a1b2c3");
            assert.deepEqual(JSON.parse(policy.inputs.policy).Statement, [
                {
                    Sid: "CreateAndReadLivenessSessions",
                    Effect: "Allow",
                    Action: ["rekognition:CreateFaceLivenessSession", "rekognition:GetFaceLivenessSessionResults"],
                    Resource: "*",
                },
                {
                    Sid: "WriteApiSessionImages",
                    Effect: "Allow",
                    Action: "s3:PutObject",
                    Resource: "arn:aws:s3:::kyc-images-0a1b2c3/api-sessions/*",
                },
                {
                    Sid: "UseKeyForImagesAndRecords",
                    Effect: "Allow",
                    Action: ["kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt"],
                    Resource: KEY_ARN,
                    Condition: {
                        StringEquals: {
                            "kms:ViaService": [
                                "rekognition.us-west-2.amazonaws.com",
                                "s3.us-west-2.amazonaws.com",
                                "dynamodb.us-west-2.amazonaws.com",
                            ],
                        },
                    },
                },
                {
                    Sid: "SessionRecords",
                    Effect: "Allow",
                    Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"],
                    Resource: `arn:aws:dynamodb:${REGION}:${ACCOUNT_ID}:table/kyc-api-checks-0a1b2c3`,
                },
                {
                    Sid: "OwnLogs",
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                    Resource: `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:kyc-api-handler-logs-0a1b2c3:*`,
                },
                {
                    Sid: "PublishVerdicts",
                    Effect: "Allow",
                    Action: "events:PutEvents",
                    Resource: `arn:aws:events:${REGION}:${ACCOUNT_ID}:event-bus/default`,
                    Condition: { StringEquals: { "events:source": "pulumi-rekognition-liveness" } },
                },
            ]);
        });

        it("the API: HTTP, no CORS; an AWS_PROXY integration with payload 2.0; exactly two routes, both behind the JWT authorizer", () => {
            assert.deepEqual(child("kyc-api", "aws:apigatewayv2/api:Api").inputs, {
                protocolType: "HTTP",
                description: "Face Liveness sessions of kyc: POST /sessions, GET /sessions/{sessionId}",
            });
            assert.deepEqual(child("kyc-api-handler", "aws:apigatewayv2/integration:Integration").inputs, {
                apiId: "a1b2c3d4e5",
                integrationType: "AWS_PROXY",
                integrationUri: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:kyc-api-handler-0a1b2c3`,
                payloadFormatVersion: "2.0",
                integrationMethod: "POST",
            });
            assert.deepEqual(child("kyc-api-jwt").inputs, {
                apiId: "a1b2c3d4e5",
                authorizerType: "JWT",
                identitySources: ["$request.header.Authorization"],
                jwtConfiguration: { issuer: ISSUER, audiences: ["client-1"] },
            });
            for (const [name, routeKey] of [
                ["kyc-api-create", "POST /sessions"],
                ["kyc-api-read", "GET /sessions/{sessionId}"],
            ]) {
                assert.deepEqual(child(name, "aws:apigatewayv2/route:Route").inputs, {
                    apiId: "a1b2c3d4e5",
                    routeKey,
                    target: "integrations/kyc-api-handler-id",
                    authorizationType: "JWT",
                    authorizerId: "kyc-api-jwt-id",
                    authorizationScopes: ["liveness/check"],
                });
            }
        });

        it("the $default stage: auto-deployed, limits sized from the region's quota, access logs naming the caller and no header or body", () => {
            const { inputs } = child("kyc-api", "aws:apigatewayv2/stage:Stage");
            assert.deepEqual(
                { ...inputs, accessLogSettings: { ...inputs.accessLogSettings, format: JSON.parse(inputs.accessLogSettings.format) } },
                {
                    apiId: "a1b2c3d4e5",
                    name: "$default",
                    autoDeploy: true,
                    // Creates at us-west-2's quota (25 a second), burst twice it; reads at four times both.
                    defaultRouteSettings: { throttlingRateLimit: 100, throttlingBurstLimit: 200 },
                    routeSettings: [{ routeKey: "POST /sessions", throttlingRateLimit: 25, throttlingBurstLimit: 50 }],
                    accessLogSettings: {
                        destinationArn: `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:kyc-api-access-logs-0a1b2c3`,
                        format: {
                            requestId: "$context.requestId",
                            caller: "$context.authorizer.claims.sub",
                            routeKey: "$context.routeKey",
                            status: "$context.status",
                            responseLatency: "$context.responseLatency",
                            integrationError: "$context.integrationErrorMessage",
                        },
                    },
                },
            );
            for (const name of ["kyc-api-access-logs", "kyc-api-handler-logs"]) assert.equal(child(name).inputs.retentionInDays, 30);
        });

        it("API Gateway may invoke the function for the two routes only", () => {
            for (const [name, resource] of [
                ["kyc-api-create", "POST/sessions"],
                ["kyc-api-read", "GET/sessions/*"],
            ]) {
                assert.deepEqual(child(name, "aws:lambda/permission:Permission").inputs, {
                    action: "lambda:InvokeFunction",
                    function: "kyc-api-handler-0a1b2c3",
                    principal: "apigateway.amazonaws.com",
                    sourceArn: `${EXECUTION_ARN}/*/${resource}`,
                });
            }
        });

        it("outputs the API's URL, the table's name and the verdict reader's policy", async () => {
            assert.equal(await unwrap(setup.apiUrl!), "https://a1b2c3d4e5.execute-api.us-west-2.amazonaws.com/");
            assert.equal(await unwrap(setup.checksTableName!), "kyc-api-checks-0a1b2c3");
            const tableArn = `arn:aws:dynamodb:${REGION}:${ACCOUNT_ID}:table/kyc-api-checks-0a1b2c3`;
            assert.deepEqual(JSON.parse(await unwrap(setup.verdictReaderPolicyJson!)).Statement, [
                {
                    Sid: "ReadVerdicts",
                    Effect: "Allow",
                    Action: ["dynamodb:GetItem", "dynamodb:Query"],
                    Resource: [tableArn, `${tableArn}/index/*`],
                },
                {
                    Sid: "DecryptVerdicts",
                    Effect: "Allow",
                    Action: ["kms:Decrypt", "kms:DescribeKey"],
                    Resource: KEY_ARN,
                    Condition: { StringEquals: { "kms:ViaService": "dynamodb.us-west-2.amazonaws.com" } },
                },
            ]);
        });
    });

    it("with deviceIdentity, IAM auth by default: both routes AWS_IAM; signed-in devices may invoke them and nothing more, guests not at all", async () => {
        new LivenessSetup("dev", {
            deviceIdentity: { allowGuests: true },
            api: { confidenceThreshold: 95, maxFailures: 3, throttlingRateLimit: 8, reservedConcurrency: -1 },
        });
        await settle();
        for (const name of ["dev-api-create", "dev-api-read"]) {
            const { inputs } = child(name, "aws:apigatewayv2/route:Route");
            assert.equal(inputs.authorizationType, "AWS_IAM");
            assert.equal(inputs.authorizerId, undefined);
        }
        assert.equal(registered.filter((r) => r.type === "aws:apigatewayv2/authorizer:Authorizer" && r.name.startsWith("dev-")).length, 0);
        // Guests stream only: a guest identity is one unsigned call away for anyone.
        assert.deepEqual(
            registered.filter((r) => r.name.startsWith("dev-api-invoke")).map((r) => r.name),
            ["dev-api-invoke-signed-in"],
        );
        for (const [name, role] of [["dev-api-invoke-signed-in", "dev-device-signed-in-0a1b2c3"]]) {
            const { inputs } = child(name);
            assert.equal(inputs.role, role);
            assert.deepEqual(JSON.parse(inputs.policy), {
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "CallLivenessSessionApi",
                        Effect: "Allow",
                        Action: "execute-api:Invoke",
                        Resource: [`${EXECUTION_ARN}/$default/POST/sessions`, `${EXECUTION_ARN}/$default/GET/sessions/*`],
                    },
                ],
            });
        }
        const variables = child("dev-api-handler", "aws:lambda/function:Function").inputs.environment.variables;
        assert.deepEqual(
            [variables.LIVENESS_AUTH_MODE, variables.LIVENESS_CONFIDENCE_THRESHOLD, variables.LIVENESS_MAX_FAILURES],
            ["iam", "95", "3"],
        );
        // The handler admits only signed-in identities of the setup's own pool.
        assert.equal(
            variables.LIVENESS_IDENTITY_POOL_ID,
            `${REGION}:0f1e2d3c-4b5a-4978-8695-${"dev-devices".length.toString().padStart(12, "0")}`,
        );
        assert.equal(child("dev-api-handler", "aws:lambda/function:Function").inputs.reservedConcurrentExecutions, -1);
        const stage = child("dev-api", "aws:apigatewayv2/stage:Stage").inputs;
        assert.deepEqual(
            [stage.routeSettings, stage.defaultRouteSettings, JSON.parse(stage.accessLogSettings.format).caller],
            [
                [{ routeKey: "POST /sessions", throttlingRateLimit: 8, throttlingBurstLimit: 16 }],
                { throttlingRateLimit: 32, throttlingBurstLimit: 64 },
                "$context.identity.cognitoIdentityId",
            ],
        );
    });

    it("adds nothing without api", async () => {
        const setup = new LivenessSetup("bare", {});
        await settle();
        assert.deepEqual(
            ofSetup("bare").filter((r) => r.name.startsWith("bare-api")),
            [],
        );
        assert.equal(setup.apiUrl, undefined);
    });

    const mistakes: [string, object, string][] = [
        [
            "an api with no auth and no deviceIdentity",
            { api: {} },
            'api.auth is required without deviceIdentity: "iam" (SigV4 callers) or { jwt: { issuer, audiences } }; the session API has no anonymous mode',
        ],
        [
            "an auth that is neither",
            { api: { auth: "none" } },
            'api.auth must be "iam" or { jwt: { issuer, audiences, scopes? } }, got "none"',
        ],
        [
            "a JWT issuer that is not https and no audiences",
            { api: { auth: { jwt: { issuer: "cognito", audiences: [] } } } },
            'api.auth.jwt.issuer must be an https URL, got "cognito"; api.auth.jwt.audiences must list at least one audience (an app client id)',
        ],
        [
            "a threshold of 40",
            { api: { ...jwtApi, confidenceThreshold: 40 } },
            "api.confidenceThreshold must be a number from 50 to 100, got 40",
        ],
        ["1.5 failures", { api: { ...jwtApi, maxFailures: 1.5 } }, "api.maxFailures must be an integer from 1 to 1000, got 1.5"],
        [
            "CORS for every origin",
            { api: { ...jwtApi, corsAllowOrigins: ["*"] } },
            'api.corsAllowOrigins must list https origins such as https://app.example.com (http only for localhost, never *), got ["*"]',
        ],
        [
            "a plain-http origin other than localhost",
            { api: { ...jwtApi, corsAllowOrigins: ["http://localhost:5173", "http://app.example.com"] } },
            'api.corsAllowOrigins must list https origins such as https://app.example.com (http only for localhost, never *), got ["http://localhost:5173","http://app.example.com"]',
        ],
        [
            "a reserved concurrency of 0",
            { api: { ...jwtApi, reservedConcurrency: 0 } },
            "api.reservedConcurrency must be -1 (none reserved) or from 1 to 1000, got 0 (which would stop the function)",
        ],
        [
            "a misspelt option",
            { api: { ...jwtApi, threshold: 80 } },
            "api.threshold (80) is not known; allowed: auth, confidenceThreshold, maxFailures, failureWindowSeconds, lockoutSeconds, maxSessionsPerWindow, auditImagesLimit, challengePreferences, throttlingRateLimit, throttlingBurstLimit, reservedConcurrency, logRetentionDays, recordRetentionDays, corsAllowOrigins",
        ],
        [
            "a misspelt option close to a known one",
            { api: { ...jwtApi, confidenceTreshold: 95 } },
            "api.confidenceTreshold (95) is not known; did you mean confidenceThreshold? allowed: auth, confidenceThreshold, maxFailures, failureWindowSeconds, lockoutSeconds, maxSessionsPerWindow, auditImagesLimit, challengePreferences, throttlingRateLimit, throttlingBurstLimit, reservedConcurrency, logRetentionDays, recordRetentionDays, corsAllowOrigins",
        ],
        [
            "a log retention CloudWatch Logs does not take",
            { api: { ...jwtApi, logRetentionDays: 45 } },
            "api.logRetentionDays must be one of CloudWatch Logs' retention periods (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653), got 45",
        ],
        [
            "a bad challenge",
            { api: { ...jwtApi, challengePreferences: [{ type: "Blink" }] } },
            'api.challengePreferences[0].type must be a challenge type: one of FaceMovementAndLightChallenge, FaceMovementChallenge, got "Blink"',
        ],
    ];
    for (const [what, args, message] of mistakes) {
        it(`fails on ${what} as one line, before any child`, async () => {
            const name = `bad-${mistakes.findIndex(([w]) => w === what)}`;
            assert.throws(
                () => new LivenessSetup(name, args as never),
                (error: Error) => pulumi.ResourceError.isInstance(error) && error.message === `LivenessSetup ${name}: ${message}`,
            );
            await settle();
            assert.deepEqual(
                ofSetup(name).map((r) => r.type),
                ["liveness:index:LivenessSetup"],
            );
        });
    }
});
