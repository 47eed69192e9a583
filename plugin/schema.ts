/**
 * The Pulumi package schema of the `liveness` provider plugin: what `pulumi package add` generates each language's SDK
 * from. The session's types and constraints come from the same description of the API that validates its inputs
 * (`sessionInputs()`); only the prose is written here, one entry per property, and the compiler checks that every
 * input and output of the TypeScript types has one.
 *
 * @see https://www.pulumi.com/docs/iac/using-pulumi/extending-pulumi/schema/
 */
import { livenessSetupType } from "../components/livenessSetup";
import type { DeviceConfig, DeviceIdentityArgs, LivenessSessionOptions, LivenessSetupArgs } from "../components/livenessSetup";
import { sessionApiDefaults } from "../components/sessionApi";
import type { SessionApiArgs, SessionApiJwtAuth } from "../components/sessionApi";
import { sessionInputs } from "../providers/faceLivenessApi";
import type { Shape } from "../providers/faceLivenessApi";
import { pluginSessionType } from "../providers/faceLivenessSession";
import type { ConfigKeys, FaceLivenessSessionOutputs } from "../providers/sessionProvider";
import type { PackageRelease } from "./release";

/**
 * The package name: the package segment of the component's type token, which TypeScript stacks already hold in their
 * URNs, so that a `LivenessSetup` has one type in every language. It is also the namespace of the provider's config
 * (`liveness:region`), which `liveness:requestsPerSecond` already used.
 */
export const packageName = livenessSetupType.split(":")[0];

export const sessionToken = pluginSessionType;
export const setupToken = livenessSetupType;

/** A property of a schema object or resource. */
interface PropertySpec {
    type?: string;
    $ref?: string;
    items?: PropertySpec;
    additionalProperties?: PropertySpec;
    description?: string;
    plain?: boolean;
    secret?: boolean;
    oneOf?: PropertySpec[];
    default?: unknown;
}

type Properties = Record<string, PropertySpec>;

/** The prose of every session input and output, by the property's path in the inputs. */
const sessionDocs: Record<Exclude<keyof FaceLivenessSessionOutputs, "settings">, string> & Record<`settings${string}`, string> = {
    kmsKeyId: "The KMS key (id, ARN, alias or alias ARN) that encrypts the images. Default: an AWS owned key.",
    settings: "The session's settings, as CreateFaceLivenessSession's `Settings`. Default: the service's defaults.",
    "settings.outputConfig": "Where the service writes the reference and audit images. Default: images are not written to S3.",
    "settings.outputConfig.s3Bucket": "The bucket, in the caller's account and the session's region.",
    "settings.outputConfig.s3KeyPrefix": "The key prefix under which the service writes objects. Default: the bucket's root.",
    "settings.auditImagesLimit": "How many audit images to return, 0 to 4 (best effort). Default: 0.",
    "settings.challengePreferences": "Challenges in order of preference. Default: FaceMovementAndLightChallenge.",
    "settings.challengePreferences.type": "The challenge type.",
    "settings.challengePreferences.versions": "The range of challenge versions to accept. Default: the service's choice.",
    "settings.challengePreferences.versions.minimum": "The lowest version to accept, such as 1.0.0.",
    "settings.challengePreferences.versions.maximum": "The highest version to accept, such as 2.0.0.",
    clientRequestToken:
        "The idempotency token: the same token returns the same session, so give a new one whenever the session must be " +
        "replaced. Default: a new one made by each create (a replacement too), reused by that create's retries, and kept.",
    region:
        "The region to create the session in, one that offers Face Liveness. Default: the provider's `region`, else " +
        "the AWS SDK's default chain (AWS_REGION, profile).",
    renewExpired: "When a refresh finds the session expired, drop it so that the next `up` creates a fresh one. Default: false.",
    sessionId: "The SessionId the device streams to.",
    status: "`CREATED` at creation; the service's status (IN_PROGRESS, SUCCEEDED, FAILED, EXPIRED) after a refresh.",
};

/** Names of the object types the session's nested inputs become in every SDK. */
const sessionTypeNames: Record<string, string> = {
    settings: "FaceLivenessSessionSettings",
    "settings.outputConfig": "OutputConfig",
    "settings.challengePreferences": "ChallengePreference",
    "settings.challengePreferences.type": "ChallengeType",
    "settings.challengePreferences.versions": "ChallengeVersions",
};

/** The constraint of a value, in words, appended to its description. */
function constraintOf(shape: Shape): string {
    switch (shape.kind) {
        case "string":
            return ` ${shape.minLength} to ${shape.maxLength} characters matching \`${shape.pattern}\`.`;
        case "integer":
            return ` An integer from ${shape.min} to ${shape.max}.`;
        case "enum":
            return ` One of ${shape.values.join(", ")}.`;
        default:
            return "";
    }
}

/**
 * The schema of the session's inputs: each member of the API description becomes a property, each structure an
 * object type and each enum an enum type, collected in `types`.
 */
function sessionProperties(types: Record<string, unknown>): { properties: Properties; required: string[] } {
    const docOf = (path: string) => {
        const doc = (sessionDocs as Record<string, string>)[path];
        if (doc === undefined) throw new Error(`schema: no description for the session input ${path}`);
        return doc;
    };
    const typeOf = (shape: Shape, path: string): PropertySpec => {
        switch (shape.kind) {
            case "string":
                return { type: "string" };
            case "integer":
                return { type: "integer" };
            case "boolean":
                return { type: "boolean" };
            case "enum": {
                const name = sessionTypeNames[path];
                // An enum without a type name (the region) stays a string: the list of regions grows with the service.
                if (name === undefined) return { type: "string" };
                types[`${packageName}:index:${name}`] = {
                    type: "string",
                    description: docOf(path),
                    enum: shape.values.map((value) => ({ value, name: value })),
                };
                return { $ref: `#/types/${packageName}:index:${name}` };
            }
            case "list":
                return { type: "array", items: typeOf(shape.member, path) };
            case "structure": {
                const name = sessionTypeNames[path];
                const { properties, required } = structureOf(shape.members, path);
                types[`${packageName}:index:${name}`] = { type: "object", description: docOf(path), properties, required };
                return { $ref: `#/types/${packageName}:index:${name}` };
            }
        }
    };
    const structureOf = (members: Record<string, { shape: Shape; required?: boolean }>, parent: string) => {
        const properties: Properties = {};
        for (const [key, member] of Object.entries(members)) {
            const path = parent === "" ? key : `${parent}.${key}`;
            properties[key] = { ...typeOf(member.shape, path), description: docOf(path) + constraintOf(member.shape) };
        }
        const required = Object.entries(members)
            .filter(([, member]) => member.required)
            .map(([key]) => key);
        return { properties, required };
    };
    return structureOf(sessionInputs().members, "");
}

/** The prose of the component's arguments and session options, checked complete by the compiler. */
const setupArgDocs: Record<keyof LivenessSetupArgs, string> = {
    sessions: "Sessions to create against this setup's storage, by name (letters, digits, `-`, `_`). Default: none.",
    sessionDefaults: "Options applied to every session, each overridable per session. Default: the service's defaults.",
    bucketName:
        "An existing bucket (in this account and the setup's region) to write images to instead of creating one. Its " +
        "encryption, public-access blocks, lifecycle and policy stay as they are. Default: a hardened bucket is created.",
    kmsKeyArn: "The ARN of an existing KMS key to encrypt images with instead of creating one. Default: a key is created.",
    retentionDays: "Days after which images in the created bucket expire; older versions go one day after that. Default: 30.",
    keyDeletionWindowDays: "Days KMS waits before deleting the created key once it is scheduled for deletion, 7 to 30. Default: 30.",
    forceDestroy: "Let `pulumi destroy` delete the created bucket with every image in it. Default: false.",
    backendReadsImages: "Let the backend read the images (`s3:GetObject` under the sessions' prefix). Default: false.",
    backendPrincipalArns: "IAM principals granted the image actions in the created key's policy. Default: IAM policies grant it.",
    backendRoleNames: "IAM roles (names) to attach the backend policy to. Default: none.",
    frontendRoleNames: "IAM roles (names) for devices, to attach the frontend policy to. Default: none.",
    tags: "Tags for everything that can be tagged (sessions cannot). Default: none.",
    deviceIdentity:
        "An Amazon Cognito identity pool for the devices that stream, with roles that may only stream to sessions. " +
        "Default: none (attach `frontendPolicyJson` to the devices' role with `frontendRoleNames`).",
    api:
        "The session API a real app calls at run time: `POST /sessions` creates a session for the caller, `GET " +
        "/sessions/{sessionId}` answers its owner pass or fail; every route authorized, the owner's limits counted, the " +
        "verdict recorded for the app's backend. Default: none.",
};

const sessionApiDocs: Record<keyof SessionApiArgs, string> = {
    auth:
        'How callers are authorized; there is no anonymous mode: `"iam"` (SigV4 with the devices\' Cognito identities; the ' +
        "owner of a session is the caller's identity id) or `{ jwt: { issuer, audiences, scopes } }` (the owner is the " +
        'token\'s `sub`). Default: `"iam"` with `deviceIdentity`; otherwise required.',
    confidenceThreshold: `\`live\` is true for SUCCEEDED at or above this confidence, 50 to 100. Default: ${sessionApiDefaults.confidenceThreshold}.`,
    maxFailures: `Not-live verdicts within \`failureWindowSeconds\` after which an owner is locked out. Default: ${sessionApiDefaults.maxFailures}.`,
    failureWindowSeconds: `The window of \`maxFailures\` and \`maxSessionsPerWindow\`, in seconds. Default: ${sessionApiDefaults.failureWindowSeconds}.`,
    lockoutSeconds: `How long an owner is refused new sessions after \`maxFailures\`, in seconds. Default: ${sessionApiDefaults.lockoutSeconds}.`,
    maxSessionsPerWindow: `Sessions one owner may create per window. Default: ${sessionApiDefaults.maxSessionsPerWindow}.`,
    auditImagesLimit: sessionDocs["settings.auditImagesLimit"],
    challengePreferences: sessionDocs["settings.challengePreferences"],
    throttlingRateLimit:
        "`POST /sessions`' steady rate limit, requests per second across all callers, at or below the account's Face Liveness " +
        "quota; `GET` gets four times it. Default: the region's documented quota (25 in us-east-1 and us-west-2, 5 elsewhere).",
    throttlingBurstLimit: "`POST /sessions`' burst limit (`GET` gets four times it, at most 5,000). Default: twice the rate limit.",
    reservedConcurrency:
        "The function's reserved concurrency; -1 reserves none (for an account too small to reserve from). Default: twice the rate limit.",
    logRetentionDays: `Days the function's and the stage's logs are kept, one of CloudWatch Logs' periods (1, 3, 5, 7, 14, 30, 60, 90, …, 3653). Default: ${sessionApiDefaults.logRetentionDays}.`,
    recordRetentionDays: `Days a session record and its verdict are kept. Default: ${sessionApiDefaults.recordRetentionDays}.`,
    corsAllowOrigins: "Origins browsers may call the API from (CORS); never `*`. Default: none.",
};

const jwtAuthDocs: Record<keyof SessionApiJwtAuth, string> = {
    issuer: "The issuer, such as a Cognito user pool's `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`.",
    audiences: "The audiences (app client ids) a token must be for.",
    scopes: "OAuth scopes a token must carry on both routes. Default: none.",
};

const deviceIdentityDocs: Record<keyof DeviceIdentityArgs, string> = {
    allowGuests:
        "Let visitors who have not signed in stream to sessions: the pool's unauthenticated identities, with a role of " +
        "their own holding the same single action. Default: false.",
    cognitoIdentityProviders: "Cognito user pools whose users sign in. Default: none.",
    supportedLoginProviders: 'Public identity providers, such as `{"accounts.google.com": "<client id>"}`. Default: none.',
    openidConnectProviderArns: "ARNs of OpenID Connect providers. Default: none.",
    samlProviderArns: "ARNs of SAML providers. Default: none.",
    developerProviderName: "The name your own backend authenticates identities under. Default: none.",
};

const deviceConfigDocs: Record<keyof DeviceConfig, string> = {
    region: "The region of the sessions, the FaceLivenessDetector's `region`.",
    identityPoolId: "The identity pool the device gets its credentials from.",
    allowGuestAccess: "Whether visitors who have not signed in may stream.",
};

const sessionOptionDocs: Record<keyof LivenessSessionOptions, string> = {
    auditImagesLimit: sessionDocs["settings.auditImagesLimit"],
    challengePreferences: sessionDocs["settings.challengePreferences"],
    renewExpired: sessionDocs.renewExpired,
};

/** The component's outputs, as `LivenessSetup` registers them. */
export const setupOutputDocs = {
    sessionIds: "Session ids by name.",
    region: "The region of the storage, where every session is created.",
    bucketName: "The bucket the sessions write images to, created or brought.",
    bucketArn: "The bucket's ARN.",
    kmsKeyArn: "The ARN of the key that encrypts the images, created or brought.",
    backendPolicyJson:
        "The policy for the backend: create and read sessions, write images under the sessions' prefix, use the key through Rekognition and S3.",
    frontendPolicyJson: "The policy for devices: `rekognition:StartFaceLivenessSession` only.",
    identityPoolId: "The identity pool devices get their credentials from; with `deviceIdentity` only.",
    deviceConfig:
        "What the FaceLivenessDetector's configuration needs (region, identity pool, whether guests may stream), named " +
        "as Amplify's `Auth.Cognito` configuration names it; with `deviceIdentity` only.",
    apiUrl: "The session API's URL (its `$default` stage); with `api` only.",
    checksTableName: "The DynamoDB table of session records and verdicts, for the app's backend; with `api` only.",
    verdictReaderPolicyJson: "The policy that reads the verdicts (the table, and decrypting it with the key); with `api` only.",
};

/** The outputs present only with some arguments. */
const optionalSetupOutputs = ["identityPoolId", "deviceConfig", "apiUrl", "checksTableName", "verdictReaderPolicyJson"];

/** The provider's own configuration, as `liveness:<key>` in a stack's config: every setting the core reads. */
export const providerConfigDocs: Record<Exclude<keyof ConfigKeys, "regionInStack">, string> = {
    region: "The region to create sessions in, unless a session sets its own. Default: the AWS SDK's default chain.",
    profile: "The AWS profile to use. Default: the AWS SDK's default chain.",
    accessKey: "The AWS access key id. Default: the AWS SDK's default chain.",
    secretKey: "The AWS secret access key.",
    token: "The AWS session token, for temporary credentials.",
    requestsPerSecond:
        "Face Liveness requests per second this provider may send, for accounts whose quota was raised. Default: the " +
        "documented quota of the region (25 in us-east-1 and us-west-2, 5 elsewhere).",
};
const secretConfig = new Set(["accessKey", "secretKey", "token"]);

/** `properties`, each with its description from `docs`. */
function documented(properties: Record<string, PropertySpec>, docs: Record<string, string>): Properties {
    return Object.fromEntries(Object.entries(properties).map(([key, spec]) => [key, { ...spec, description: docs[key] }]));
}

/**
 * Where the plugin of a release published at https://<host>/<org>/<repo> comes from: the git source the CLI adds it
 * from (`pulumi package add <host>/<org>/<repo>/plugin@v<version>`), which the generated SDKs carry as their plugin's
 * download URL so that a consumer's engine fetches this very plugin; and the Go import path under the repository's
 * own module path, as Pulumi's providers have theirs.
 */
export function publication({ repository }: PackageRelease) {
    const { host, pathname } = new URL(repository);
    const [org, repo] = pathname.slice(1).split("/");
    return {
        publisher: org,
        pluginDownloadURL: `git://${host}/${org}/${repo}/plugin`,
        goImportBasePath: `${host}/${org}/${repo}/sdk/go/${packageName}`,
    };
}

/** The schema, as JSON, of the package at `release`. */
export function packageSchema(release: PackageRelease): string {
    const { publisher, pluginDownloadURL, goImportBasePath } = publication(release);
    const types: Record<string, unknown> = {};
    const { properties: sessionInputProperties } = sessionProperties(types);
    const challengePreference = { $ref: `#/types/${packageName}:index:ChallengePreference` };
    types[`${packageName}:index:LivenessSessionOptions`] = {
        type: "object",
        description: "Per-session options; any left out come from `sessionDefaults`.",
        properties: {
            auditImagesLimit: { type: "integer", description: sessionOptionDocs.auditImagesLimit },
            challengePreferences: { type: "array", items: challengePreference, description: sessionOptionDocs.challengePreferences },
            renewExpired: { type: "boolean", description: sessionOptionDocs.renewExpired },
        },
    };
    const sessionOptions = { $ref: `#/types/${packageName}:index:LivenessSessionOptions` };
    const strings = { type: "array", items: { type: "string" } };
    types[`${packageName}:index:CognitoIdentityProvider`] = {
        type: "object",
        description: "A Cognito user pool whose users sign in, as `aws.cognito.IdentityPool` takes it.",
        properties: {
            clientId: { type: "string", description: "The user pool app client's id." },
            providerName: { type: "string", description: "The user pool's provider name, `cognito-idp.<region>.amazonaws.com/<pool id>`." },
            serverSideTokenCheck: {
                type: "boolean",
                description: "Whether Cognito checks that the user's token is still valid. Default: false.",
            },
        },
    };
    types[`${packageName}:index:DeviceIdentity`] = {
        type: "object",
        description: setupArgDocs.deviceIdentity,
        properties: documented(
            {
                allowGuests: { type: "boolean", plain: true },
                cognitoIdentityProviders: { type: "array", items: { $ref: `#/types/${packageName}:index:CognitoIdentityProvider` } },
                supportedLoginProviders: { type: "object", additionalProperties: { type: "string" } },
                openidConnectProviderArns: strings,
                samlProviderArns: strings,
                developerProviderName: { type: "string" },
            } satisfies Record<keyof DeviceIdentityArgs, PropertySpec>,
            deviceIdentityDocs,
        ),
    };
    types[`${packageName}:index:DeviceConfig`] = {
        type: "object",
        description: setupOutputDocs.deviceConfig,
        properties: documented(
            { region: { type: "string" }, identityPoolId: { type: "string" }, allowGuestAccess: { type: "boolean" } } satisfies Record<
                keyof DeviceConfig,
                PropertySpec
            >,
            deviceConfigDocs,
        ),
        required: Object.keys(deviceConfigDocs),
    };
    types[`${packageName}:index:SessionApiJwtAuth`] = {
        type: "object",
        description: "A JWT authorizer: API Gateway checks the token's issuer, audience (or `client_id`) and scopes.",
        properties: documented(
            { issuer: { type: "string" }, audiences: strings, scopes: { ...strings, plain: true } } satisfies Record<
                keyof SessionApiJwtAuth,
                PropertySpec
            >,
            jwtAuthDocs,
        ),
        required: ["issuer", "audiences"],
    };
    types[`${packageName}:index:SessionApiAuth`] = {
        type: "object",
        description: "A JWT authorizer for the session API's routes.",
        properties: { jwt: { $ref: `#/types/${packageName}:index:SessionApiJwtAuth`, description: "The JWT authorizer." } },
        required: ["jwt"],
    };
    const integer = { type: "integer", plain: true };
    const number = { type: "number", plain: true };
    types[`${packageName}:index:SessionApi`] = {
        type: "object",
        description: setupArgDocs.api,
        properties: documented(
            {
                auth: { oneOf: [{ type: "string" }, { $ref: `#/types/${packageName}:index:SessionApiAuth` }], plain: true },
                confidenceThreshold: number,
                maxFailures: integer,
                failureWindowSeconds: integer,
                lockoutSeconds: integer,
                maxSessionsPerWindow: integer,
                auditImagesLimit: integer,
                challengePreferences: { type: "array", items: challengePreference, plain: true },
                throttlingRateLimit: number,
                throttlingBurstLimit: integer,
                reservedConcurrency: integer,
                logRetentionDays: integer,
                recordRetentionDays: integer,
                corsAllowOrigins: { ...strings, plain: true },
            } satisfies Record<keyof SessionApiArgs, PropertySpec>,
            sessionApiDocs,
        ),
    };
    const roleNames = { type: "array", items: { type: "string" } };
    const setupInputs: Record<keyof LivenessSetupArgs, PropertySpec> = {
        sessions: { type: "object", additionalProperties: sessionOptions, plain: true },
        sessionDefaults: { ...sessionOptions, plain: true },
        bucketName: { type: "string" },
        kmsKeyArn: { type: "string" },
        retentionDays: { type: "integer", plain: true },
        keyDeletionWindowDays: { type: "integer", plain: true },
        forceDestroy: { type: "boolean", plain: true },
        backendReadsImages: { type: "boolean", plain: true },
        backendPrincipalArns: roleNames,
        backendRoleNames: roleNames,
        frontendRoleNames: roleNames,
        tags: { type: "object", additionalProperties: { type: "string" } },
        deviceIdentity: { $ref: `#/types/${packageName}:index:DeviceIdentity`, plain: true },
        api: { $ref: `#/types/${packageName}:index:SessionApi`, plain: true },
    };

    const sessionOutputProperties: Properties = {
        ...sessionInputProperties,
        sessionId: { type: "string", description: sessionDocs.sessionId },
        status: { type: "string", description: sessionDocs.status },
    };
    const configVariables = Object.fromEntries(
        Object.entries(providerConfigDocs).map(([key, description]) => [
            key,
            { type: key === "requestsPerSecond" ? "number" : "string", description, ...(secretConfig.has(key) ? { secret: true } : {}) },
        ]),
    );
    return JSON.stringify(
        {
            name: packageName,
            displayName: "Rekognition Face Liveness",
            version: release.version,
            description: "Amazon Rekognition Face Liveness sessions, and the hardened storage they need, as Pulumi resources.",
            keywords: ["pulumi", "aws", "rekognition", "face-liveness", "kind/component"],
            publisher,
            repository: release.repository,
            homepage: release.homepage,
            license: release.license,
            pluginDownloadURL,
            config: { variables: configVariables },
            provider: { description: "The provider's AWS settings.", inputProperties: configVariables },
            types,
            resources: {
                [sessionToken]: {
                    description:
                        "An Amazon Rekognition Face Liveness session: created by `pulumi up`, validated by `pulumi preview`, " +
                        "its status read by `pulumi refresh`. A session is single use and expires 3 minutes after creation; " +
                        "there is no API to update or delete one, so every input change replaces it and `destroy` only forgets it.",
                    inputProperties: sessionInputProperties,
                    properties: sessionOutputProperties,
                    required: ["sessionId", "status", "region", "clientRequestToken"],
                },
                [setupToken]: {
                    isComponent: true,
                    description:
                        "Storage that passes a security review for Face Liveness images (a rotating customer managed KMS key, " +
                        "a private, TLS-only, SSE-KMS bucket whose images expire), with sessions declared against it and the " +
                        "least-privilege policies for the backend that creates them and the devices that stream to them.",
                    inputProperties: documented(setupInputs, setupArgDocs),
                    properties: documented(
                        {
                            sessionIds: { type: "object", additionalProperties: { type: "string" } },
                            region: { type: "string" },
                            bucketName: { type: "string" },
                            bucketArn: { type: "string" },
                            kmsKeyArn: { type: "string" },
                            backendPolicyJson: { type: "string" },
                            frontendPolicyJson: { type: "string" },
                            identityPoolId: { type: "string" },
                            deviceConfig: { $ref: `#/types/${packageName}:index:DeviceConfig` },
                            apiUrl: { type: "string" },
                            checksTableName: { type: "string" },
                            verdictReaderPolicyJson: { type: "string" },
                        },
                        setupOutputDocs,
                    ),
                    required: Object.keys(setupOutputDocs).filter((key) => !optionalSetupOutputs.includes(key)),
                },
            },
            // The SDKs are generated by the user's CLI (`pulumi package add`); these name what a program imports, after
            // Pulumi's conventions for a package published outside Pulumi. TypeScript programs use the npm package.
            language: {
                python: { packageName: "pulumi_liveness", respectSchemaVersion: true, pyproject: { enabled: true } },
                go: { importBasePath: goImportBasePath, respectSchemaVersion: true },
                csharp: { rootNamespace: "RekognitionLiveness", packageReferences: { Pulumi: "3.*" }, respectSchemaVersion: true },
                java: { basePackage: "io.github.rekognitionliveness", buildFiles: "gradle" },
            },
        },
        undefined,
        2,
    );
}
