import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Failure, memberShape, show, validate } from "../providers/faceLivenessApi";
import { ChallengePreference, FaceLivenessSession, isPendingInput } from "../providers/faceLivenessSession";
import type { SessionHost } from "../providers/faceLivenessSession";
import { unknownKey } from "./mistakes";
import { declareSessionApi, sessionApiMistakes } from "./sessionApi";
import type { SessionApiArgs } from "./sessionApi";
import { backendPolicy, deviceRoleTrustPolicy, frontendPolicy, keyPolicy, sessionKeyPrefix, tlsOnlyBucketPolicy } from "./policies";

/** Per-session options; any left out come from {@link LivenessSetupArgs.sessionDefaults}. */
export interface LivenessSessionOptions {
    /** How many audit images to return, 0 to 4 (best effort). @default 0 */
    readonly auditImagesLimit?: pulumi.Input<number>;
    /** Challenges in order of preference. @default - FaceMovementAndLightChallenge */
    readonly challengePreferences?: pulumi.Input<pulumi.Input<ChallengePreference>[]>;
    /** Let `pulumi refresh` drop an expired session so that the next `up` creates a fresh one. @default false */
    readonly renewExpired?: pulumi.Input<boolean>;
}

/**
 * The identity devices stream with: an Amazon Cognito identity pool whose roles may only stream to Face Liveness
 * sessions (`rekognition:StartFaceLivenessSession`), as the Amplify UI `FaceLivenessDetector` needs. Sign-in
 * providers are given as `aws.cognito.IdentityPool` takes them.
 */
export interface DeviceIdentityArgs {
    /**
     * Let visitors who have not signed in stream to sessions: the pool's unauthenticated identities, with a role of
     * their own holding the same single action. @default false
     */
    readonly allowGuests?: boolean;
    /** Cognito user pools whose users sign in (client id, provider name). @default - none */
    readonly cognitoIdentityProviders?: aws.cognito.IdentityPoolArgs["cognitoIdentityProviders"];
    /** Public identity providers, such as `{ "accounts.google.com": "<client id>" }`. @default - none */
    readonly supportedLoginProviders?: aws.cognito.IdentityPoolArgs["supportedLoginProviders"];
    /** ARNs of OpenID Connect providers. @default - none */
    readonly openidConnectProviderArns?: aws.cognito.IdentityPoolArgs["openidConnectProviderArns"];
    /** ARNs of SAML providers. @default - none */
    readonly samlProviderArns?: aws.cognito.IdentityPoolArgs["samlProviderArns"];
    /** The name your own backend authenticates identities under (developer authenticated identities). @default - none */
    readonly developerProviderName?: aws.cognito.IdentityPoolArgs["developerProviderName"];
}

/** What a device's FaceLivenessDetector needs, named as Amplify's `Auth.Cognito` configuration names it. */
export interface DeviceConfig {
    /** The region of the sessions, the detector's `region`. */
    region: string;
    /** The identity pool the device gets its credentials from. */
    identityPoolId: string;
    /** Whether visitors who have not signed in may stream. */
    allowGuestAccess: boolean;
}

/**
 * The arguments of a {@link LivenessSetup}.
 *
 * @example
 * const kyc = new LivenessSetup("kyc", {
 *     sessions: { onboarding: { auditImagesLimit: 2 } },
 *     retentionDays: 30,
 *     backendRoleNames: [backendRole.name],
 * });
 * export const sessionIds = kyc.sessionIds;
 */
export interface LivenessSetupArgs {
    /** Sessions to create against this setup's storage, by name (letters, digits, `-`, `_`). @default - none */
    readonly sessions?: Record<string, LivenessSessionOptions>;
    /** Options applied to every session, each overridable per session. @default - the service's defaults */
    readonly sessionDefaults?: LivenessSessionOptions;
    /**
     * An existing bucket (in this account and the setup's region) to write images to instead of creating one. Its
     * encryption, public-access blocks, lifecycle and policy stay as they are.
     * @default - a hardened bucket is created
     */
    readonly bucketName?: pulumi.Input<string>;
    /** The ARN of an existing KMS key to encrypt images with instead of creating one. @default - a key is created */
    readonly kmsKeyArn?: pulumi.Input<string>;
    /** Days after which images in the created bucket expire; older versions go one day after that. @default 30 */
    readonly retentionDays?: number;
    /** Days KMS waits before deleting the created key once it is scheduled for deletion, 7 to 30. @default 30 */
    readonly keyDeletionWindowDays?: number;
    /** Let `pulumi destroy` delete the created bucket with every image in it. @default false */
    readonly forceDestroy?: boolean;
    /** Let the backend read the images (`s3:GetObject` under the sessions' prefix). @default false */
    readonly backendReadsImages?: boolean;
    /** IAM principals granted the image actions in the created key's policy. @default - IAM policies grant it */
    readonly backendPrincipalArns?: pulumi.Input<string>[];
    /** IAM roles (names, such as `role.name` of a role in the same program) to attach the backend policy to. @default - none */
    readonly backendRoleNames?: pulumi.Input<string>[];
    /** IAM roles (names) for devices, to attach the frontend policy to. @default - none */
    readonly frontendRoleNames?: pulumi.Input<string>[];
    /** Tags for everything that can be tagged (sessions cannot). @default - none */
    readonly tags?: Record<string, pulumi.Input<string>>;
    /**
     * An identity pool for the devices that stream, with roles that may do nothing else. @default - none: devices get
     * credentials elsewhere (attach `frontendPolicyJson` to their role with `frontendRoleNames`)
     */
    readonly deviceIdentity?: DeviceIdentityArgs;
    /**
     * The session API a real app calls at run time: `POST /sessions` creates a session for the caller, `GET
     * /sessions/{sessionId}` answers its owner pass or fail; every route authorized (`auth`), the owner's limits
     * counted, the verdict recorded for the app's backend. @default - none
     */
    readonly api?: SessionApiArgs;
}

/** Every argument of a LivenessSetup, so that a misspelt one (from JavaScript or stack config) is named, not ignored. */
const ARGUMENTS = [
    "sessions",
    "sessionDefaults",
    "bucketName",
    "kmsKeyArn",
    "retentionDays",
    "keyDeletionWindowDays",
    "forceDestroy",
    "backendReadsImages",
    "backendPrincipalArns",
    "backendRoleNames",
    "frontendRoleNames",
    "tags",
    "deviceIdentity",
    "api",
] as const satisfies readonly (keyof LivenessSetupArgs)[];
// Fails to compile when LivenessSetupArgs gains an argument that ARGUMENTS does not list.
const everyArgumentListed: Exclude<keyof LivenessSetupArgs, (typeof ARGUMENTS)[number]> extends never ? true : never = true;
void everyArgumentListed;
export { ARGUMENTS as livenessSetupArgumentNames };

/** Every option of `deviceIdentity`, checked complete by the compiler as ARGUMENTS is. */
const DEVICE_IDENTITY_OPTIONS: Record<keyof DeviceIdentityArgs, true> = {
    allowGuests: true,
    cognitoIdentityProviders: true,
    supportedLoginProviders: true,
    openidConnectProviderArns: true,
    samlProviderArns: true,
    developerProviderName: true,
};

/** Each session option, and the FaceLivenessSession input (its constraint) it becomes. */
const SESSION_OPTIONS: Record<keyof LivenessSessionOptions, string> = {
    auditImagesLimit: "settings.auditImagesLimit",
    challengePreferences: "settings.challengePreferences",
    renewExpired: "renewExpired",
};

/** The component's type token: part of the URN of every setup and its children, so never to change. */
export const livenessSetupType = "liveness:index:LivenessSetup";

/**
 * How the `liveness` provider plugin's construct builds a setup for programs in other languages: under the type the
 * engine asked for, with sessions its own provider serves.
 * @internal Left out of the published types, with the constructor that takes one.
 */
export interface SetupHost {
    readonly type: string;
    readonly sessionHost: SessionHost;
}

const SESSION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

/**
 * Storage that passes a security review for Face Liveness images — a rotating customer managed KMS key, a private,
 * TLS-only, SSE-KMS bucket whose images expire — with sessions declared against it and the least-privilege policies
 * for the backend that creates them and the devices that stream to them.
 */
export class LivenessSetup extends pulumi.ComponentResource {
    /** The sessions, by name. */
    public readonly sessions: Record<string, FaceLivenessSession> = {};
    /** The region of the storage, where every session is created. */
    public readonly region: pulumi.Output<string>;
    /** The bucket the sessions write images to, created or brought. */
    public readonly bucketName: pulumi.Output<string>;
    /** The bucket's ARN. */
    public readonly bucketArn: pulumi.Output<string>;
    /** The ARN of the key that encrypts the images, created or brought. */
    public readonly kmsKeyArn: pulumi.Output<string>;
    /** The policy for the backend: create and read sessions, write images under the sessions' prefix, use the key through Rekognition and S3. */
    public readonly backendPolicyJson: pulumi.Output<string>;
    /** The policy for devices: `rekognition:StartFaceLivenessSession` only. */
    public readonly frontendPolicyJson: pulumi.Output<string>;
    /** The created key; absent when `kmsKeyArn` is brought. */
    public readonly key?: aws.kms.Key;
    /** The created bucket; absent when `bucketName` is brought. */
    public readonly bucket?: aws.s3.Bucket;
    /** The identity pool devices get their credentials from; with `deviceIdentity` only. */
    public readonly identityPoolId?: pulumi.Output<string>;
    /** What the FaceLivenessDetector's configuration needs (region, identity pool, guests); with `deviceIdentity` only. */
    public readonly deviceConfig?: pulumi.Output<DeviceConfig>;
    /** The identity pool, and the roles of its signed-in and (with `allowGuests`) guest devices; with `deviceIdentity` only. */
    public readonly devices?: { identityPool: aws.cognito.IdentityPool; signedInRole: aws.iam.Role; guestRole?: aws.iam.Role };
    /** The session API's URL (its `$default` stage); with `api` only. */
    public readonly apiUrl?: pulumi.Output<string>;
    /** The table of session records and verdicts, for the app's backend; with `api` only. */
    public readonly checksTableName?: pulumi.Output<string>;
    /** The policy that reads the verdicts (the table, and decrypting it with the key); with `api` only. */
    public readonly verdictReaderPolicyJson?: pulumi.Output<string>;

    private readonly setupName: string;
    private readonly sessionHost?: SessionHost;
    private readonly sessionDefaults: LivenessSessionOptions;
    /** What sessions wait for: the bucket's protections, so no image is ever written to an unprotected bucket. */
    private readonly storageReady: pulumi.Resource[] = [];

    constructor(name: string, args?: LivenessSetupArgs, opts?: pulumi.ComponentResourceOptions);
    /** @internal As the provider plugin's construct builds it. */
    constructor(name: string, args: LivenessSetupArgs | undefined, opts: pulumi.ComponentResourceOptions | undefined, host: SetupHost);
    constructor(name: string, args: LivenessSetupArgs = {}, opts?: pulumi.ComponentResourceOptions, host?: SetupHost) {
        super(host?.type ?? livenessSetupType, name, args, opts);
        this.setupName = name;
        this.sessionHost = host?.sessionHost;
        // Every mistake in the arguments, reported together before any child exists.
        const api = sessionApiMistakes(args.api, args.deviceIdentity !== undefined && args.deviceIdentity !== null, shown);
        const mistakes = [...argumentMistakes(args), ...api.mistakes];
        if (mistakes.length > 0) this.fail(mistakes);
        this.sessionDefaults = args.sessionDefaults ?? {};
        const parent = { parent: this };
        const tags = args.tags;

        this.region = aws.getRegionOutput({}, parent).region;
        const partition = aws.getPartitionOutput({}, parent).partition;

        const needsAccount = args.kmsKeyArn === undefined || args.api !== undefined;
        const accountId = needsAccount ? aws.getCallerIdentityOutput({}, parent).accountId : undefined;
        if (args.kmsKeyArn !== undefined) {
            this.kmsKeyArn = pulumi.output(args.kmsKeyArn);
        } else {
            this.key = new aws.kms.Key(
                `${name}-key`,
                {
                    description: `Encrypts Face Liveness reference and audit images of ${name}`,
                    enableKeyRotation: true,
                    deletionWindowInDays: args.keyDeletionWindowDays ?? 30,
                    policy: pulumi
                        .all([partition, accountId!, this.region, pulumi.output(args.backendPrincipalArns ?? [])])
                        .apply(([p, a, region, principals]) =>
                            JSON.stringify(keyPolicy({ partition: p, accountId: a, region, backendPrincipalArns: principals })),
                        ),
                    tags,
                },
                parent,
            );
            new aws.kms.Alias(`${name}-key-alias`, { namePrefix: `alias/${name}-liveness-`, targetKeyId: this.key.keyId }, parent);
            this.kmsKeyArn = this.key.arn;
        }

        if (args.bucketName !== undefined) {
            this.bucketName = pulumi.output(args.bucketName);
            this.bucketArn = pulumi.interpolate`arn:${partition}:s3:::${this.bucketName}`;
        } else {
            this.bucket = new aws.s3.Bucket(`${name}-images`, { forceDestroy: args.forceDestroy ?? false, tags }, parent);
            this.bucketName = this.bucket.bucket;
            this.bucketArn = this.bucket.arn;
            this.storageReady.push(...this.protectBucket(name, this.bucket, args));
        }

        this.backendPolicyJson = pulumi
            .all([this.bucketArn, this.kmsKeyArn, this.region])
            .apply(([bucketArn, kmsKeyArn, region]) =>
                JSON.stringify(backendPolicy({ bucketArn, kmsKeyArn, region, readImages: args.backendReadsImages ?? false })),
            );
        this.frontendPolicyJson = pulumi.output(JSON.stringify(frontendPolicy()));
        for (const [kind, roles, policy] of [
            ["backend", args.backendRoleNames, this.backendPolicyJson],
            ["frontend", args.frontendRoleNames, this.frontendPolicyJson],
        ] as const) {
            // A role named in the program keeps its name in the URN; one from another resource (role.name) is known
            // only later, so its position names it. A role from another resource is depended on through its name.
            (roles ?? []).forEach((role, i) => {
                new aws.iam.RolePolicy(`${name}-${kind}-${typeof role === "string" ? role : i}`, { role, policy }, parent);
            });
        }

        if (args.deviceIdentity !== undefined && args.deviceIdentity !== null) {
            this.devices = this.deviceIdentity(name, args.deviceIdentity, tags);
            this.identityPoolId = this.devices.identityPool.id;
            const allowGuestAccess = args.deviceIdentity.allowGuests ?? false;
            this.deviceConfig = pulumi
                .all([this.region, this.identityPoolId])
                .apply(([region, identityPoolId]) => ({ region, identityPoolId, allowGuestAccess }));
        }

        for (const [sessionName, options] of Object.entries(args.sessions ?? {})) {
            this.addSession(sessionName, options ?? {});
        }

        if (args.api !== undefined && args.api !== null) {
            const outputs = declareSessionApi(
                {
                    name,
                    parent: this,
                    tags,
                    partition,
                    region: this.region,
                    accountId: accountId!,
                    bucketArn: this.bucketArn,
                    bucketName: this.bucketName,
                    kmsKeyArn: this.kmsKeyArn,
                    storageReady: this.storageReady,
                    devices: this.devices && { identityPoolId: this.devices.identityPool.id, signedInRole: this.devices.signedInRole },
                },
                args.api,
                api.authMode!,
            );
            this.apiUrl = outputs.apiUrl;
            this.checksTableName = outputs.checksTableName;
            this.verdictReaderPolicyJson = outputs.verdictReaderPolicyJson;
        }

        this.registerOutputs({
            sessionIds: this.sessionIds,
            region: this.region,
            bucketName: this.bucketName,
            bucketArn: this.bucketArn,
            kmsKeyArn: this.kmsKeyArn,
            backendPolicyJson: this.backendPolicyJson,
            frontendPolicyJson: this.frontendPolicyJson,
            identityPoolId: this.identityPoolId,
            deviceConfig: this.deviceConfig,
            apiUrl: this.apiUrl,
            checksTableName: this.checksTableName,
            verdictReaderPolicyJson: this.verdictReaderPolicyJson,
        });
    }

    /** Session ids by name, including sessions added with {@link addSession}. */
    public get sessionIds(): pulumi.Output<Record<string, string>> {
        return pulumi.output(
            Object.fromEntries(Object.entries(this.sessions).map(([sessionName, session]) => [sessionName, session.sessionId])),
        );
    }

    /**
     * Creates a session wired like those in `args.sessions`: writing to this setup's bucket under its own prefix,
     * encrypted with this setup's key, in the storage's region, once the bucket's protections exist.
     */
    public addSession(sessionName: string, options: LivenessSessionOptions = {}): FaceLivenessSession {
        const mistakes = [...sessionNameMistakes(sessionName), ...sessionOptionMistakes(`sessions.${sessionName}`, options)];
        if (sessionName in this.sessions) mistakes.push(`a session named ${JSON.stringify(sessionName)} already exists`);
        if (mistakes.length > 0) this.fail(mistakes);
        const merged = { ...this.sessionDefaults, ...definedOnly(options ?? {}) };
        const session = new FaceLivenessSession(
            `${this.setupName}-${sessionName}`,
            {
                kmsKeyId: this.kmsKeyArn,
                settings: {
                    outputConfig: { s3Bucket: this.bucketName, s3KeyPrefix: sessionKeyPrefix(sessionName) },
                    auditImagesLimit: merged.auditImagesLimit,
                    challengePreferences: merged.challengePreferences,
                },
                region: this.region,
                renewExpired: merged.renewExpired,
            },
            { parent: this, dependsOn: this.storageReady },
            this.sessionHost,
        );
        this.sessions[sessionName] = session;
        return session;
    }

    /**
     * The identity pool devices stream with, and its roles: each trusts only this pool's identities of its kind
     * (signed in, or guests), and holds the frontend policy and nothing else.
     */
    private deviceIdentity(
        name: string,
        device: DeviceIdentityArgs,
        tags: LivenessSetupArgs["tags"],
    ): { identityPool: aws.cognito.IdentityPool; signedInRole: aws.iam.Role; guestRole?: aws.iam.Role } {
        const parent = { parent: this };
        const allowGuests = device.allowGuests ?? false;
        const identityPool = new aws.cognito.IdentityPool(
            `${name}-devices`,
            {
                // Identity pool names allow letters, digits, white space and +=,.@_- only, up to 128 of them.
                identityPoolName: `${name.replace(/[^\w\s+=,.@-]/g, "-").slice(0, 110)} liveness devices`,
                allowUnauthenticatedIdentities: allowGuests,
                // The basic (classic) flow lets a device ask STS for any role that trusts the pool; the enhanced flow
                // hands out only the roles attached below.
                allowClassicFlow: false,
                cognitoIdentityProviders: device.cognitoIdentityProviders,
                supportedLoginProviders: device.supportedLoginProviders,
                openidConnectProviderArns: device.openidConnectProviderArns,
                samlProviderArns: device.samlProviderArns,
                developerProviderName: device.developerProviderName,
                tags,
            },
            parent,
        );
        const streamingRole = (kind: "signed-in" | "guest") => {
            const signedIn = kind === "signed-in";
            const role = new aws.iam.Role(
                `${name}-device-${kind}`,
                {
                    description: `${signedIn ? "Signed-in devices" : "Guest devices"} of ${name}: stream to Face Liveness sessions only`,
                    assumeRolePolicy: identityPool.id.apply((identityPoolId) =>
                        JSON.stringify(deviceRoleTrustPolicy({ identityPoolId, signedIn })),
                    ),
                    tags,
                },
                parent,
            );
            new aws.iam.RolePolicy(`${name}-device-${kind}-stream`, { role: role.name, policy: this.frontendPolicyJson }, parent);
            return role;
        };
        const signedInRole = streamingRole("signed-in");
        const guestRole = allowGuests ? streamingRole("guest") : undefined;
        new aws.cognito.IdentityPoolRoleAttachment(
            `${name}-device-roles`,
            {
                identityPoolId: identityPool.id,
                roles: guestRole
                    ? { authenticated: signedInRole.arn, unauthenticated: guestRole.arn }
                    : { authenticated: signedInRole.arn },
            },
            parent,
        );
        return { identityPool, signedInRole, guestRole };
    }

    /** Everything that makes the created bucket fit for biometric images; returns the resources sessions wait for. */
    private protectBucket(name: string, bucket: aws.s3.Bucket, args: LivenessSetupArgs): pulumi.Resource[] {
        const parent = { parent: this };
        const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access-block`,
            { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            parent,
        );
        const ownership = new aws.s3.BucketOwnershipControls(
            `${name}-ownership`,
            { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
            parent,
        );
        const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            {
                bucket: bucket.id,
                rules: [
                    {
                        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.kmsKeyArn },
                        bucketKeyEnabled: true,
                    },
                ],
            },
            parent,
        );
        const versioning = new aws.s3.BucketVersioning(
            `${name}-versioning`,
            { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
            parent,
        );
        const lifecycle = new aws.s3.BucketLifecycleConfiguration(
            `${name}-lifecycle`,
            {
                bucket: bucket.id,
                rules: [
                    {
                        id: "expire-liveness-images",
                        status: "Enabled",
                        filter: {},
                        expiration: { days: args.retentionDays ?? 30 },
                        // With versioning on, an expired image becomes a noncurrent version: remove that too.
                        noncurrentVersionExpiration: { noncurrentDays: 1 },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                    },
                ],
            },
            { parent: this, dependsOn: [versioning] },
        );
        // After the public-access block, so that S3 never sees a policy on a bucket not yet private.
        const policy = new aws.s3.BucketPolicy(
            `${name}-tls-only`,
            { bucket: bucket.id, policy: bucket.arn.apply((arn) => JSON.stringify(tlsOnlyBucketPolicy(arn))) },
            { parent: this, dependsOn: [publicAccessBlock] },
        );
        return [publicAccessBlock, ownership, encryption, versioning, lifecycle, policy];
    }

    /** Throws the mistakes as one message on this component: no stack trace, no dump of the component. */
    private fail(mistakes: string[]): never {
        throw new pulumi.ResourceError(`LivenessSetup ${this.setupName}: ${mistakes.join("; ")}`, this, /* hideStack */ true);
    }
}

/**
 * The mistakes in plain values of the arguments, each naming the argument, showing the value and saying what is
 * allowed. Values from other resources (Outputs) are checked where they are used: by the provider, or by AWS.
 */
function argumentMistakes(args: LivenessSetupArgs): string[] {
    const mistakes: string[] = [];
    for (const key of Object.keys(args)) {
        if (!(ARGUMENTS as readonly string[]).includes(key))
            mistakes.push(unknownKey(key, shown((args as Record<string, unknown>)[key]), ARGUMENTS));
    }
    const integerIn = (argName: string, value: number | undefined, min: number, max: number) => {
        if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max)) {
            mistakes.push(`${argName} must be an integer from ${min} to ${max}, got ${shown(value)}`);
        }
    };
    integerIn("retentionDays", args.retentionDays, 1, 36500);
    integerIn("keyDeletionWindowDays", args.keyDeletionWindowDays, 7, 30);
    if (typeof args.kmsKeyArn === "string" && !KMS_KEY_ARN.test(args.kmsKeyArn)) {
        mistakes.push(
            `kmsKeyArn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>; policies cannot name an alias), got ${shown(args.kmsKeyArn)}`,
        );
    }
    if (typeof args.bucketName === "string") {
        const failures: Failure[] = [];
        validate(memberShape("settings.outputConfig.s3Bucket"), args.bucketName, "bucketName", failures);
        mistakes.push(...failures.map((f) => f.reason));
    }
    if (args.kmsKeyArn !== undefined && (args.backendPrincipalArns !== undefined || args.keyDeletionWindowDays !== undefined)) {
        mistakes.push("backendPrincipalArns and keyDeletionWindowDays apply to the created key; with kmsKeyArn, set them on that key");
    }
    for (const [argName, roles] of [
        ["backendRoleNames", args.backendRoleNames],
        ["frontendRoleNames", args.frontendRoleNames],
    ] as const) {
        if (roles !== undefined && !Array.isArray(roles)) {
            mistakes.push(`${argName} must be a list of IAM role names, got ${shown(roles)}`);
            continue;
        }
        for (const role of roles ?? []) {
            if (!isPendingInput(role) && (typeof role !== "string" || !/^[\w+=,.@-]{1,64}$/.test(role))) {
                mistakes.push(`${argName} must hold IAM role names (1 to 64 of letters, digits and +=,.@_-), got ${shown(role)}`);
            }
        }
    }
    if (args.bucketName !== undefined && (args.retentionDays !== undefined || args.forceDestroy !== undefined)) {
        mistakes.push("retentionDays and forceDestroy apply to the created bucket; with bucketName, set them on that bucket");
    }
    mistakes.push(...sessionOptionMistakes("sessionDefaults", args.sessionDefaults));
    mistakes.push(...deviceIdentityMistakes(args.deviceIdentity));
    const sessions: unknown = args.sessions;
    if (sessions !== undefined && sessions !== null) {
        if (typeof sessions !== "object" || Array.isArray(sessions)) {
            mistakes.push(
                `sessions must be a map from session name to options, such as { onboarding: { auditImagesLimit: 2 } }, got ${shown(sessions)}`,
            );
        } else if (isPendingInput(sessions)) {
            mistakes.push(
                `sessions must be a map written in the program, since its names name resources, got ${shown(sessions)}; ` +
                    "a session's options may be secrets or other resources' values",
            );
        } else {
            for (const [sessionName, options] of Object.entries(sessions)) {
                mistakes.push(...sessionNameMistakes(sessionName), ...sessionOptionMistakes(`sessions.${sessionName}`, options));
            }
        }
    }
    return mistakes;
}

/** The mistakes in `deviceIdentity`: not a map, an unknown option, a guests switch that is not a boolean. */
function deviceIdentityMistakes(device: unknown): string[] {
    if (device === undefined || device === null) return [];
    const allowed = Object.keys(DEVICE_IDENTITY_OPTIONS);
    if (typeof device !== "object" || Array.isArray(device) || isPendingInput(device)) {
        return [`deviceIdentity must be a map of options (${allowed.join(", ")}), got ${shown(device)}`];
    }
    const mistakes: string[] = [];
    for (const [option, value] of Object.entries(device)) {
        if (!(option in DEVICE_IDENTITY_OPTIONS)) mistakes.push(unknownKey(`deviceIdentity.${option}`, shown(value), allowed));
    }
    const allowGuests = (device as DeviceIdentityArgs).allowGuests;
    if (allowGuests !== undefined && typeof allowGuests !== "boolean") {
        mistakes.push(`deviceIdentity.allowGuests must be true or false, got ${shown(allowGuests)}`);
    }
    return mistakes;
}

function sessionNameMistakes(sessionName: string): string[] {
    return SESSION_NAME.test(sessionName)
        ? []
        : [`sessions key ${JSON.stringify(sessionName)} must be 1 to 63 letters, digits, '-' or '_', starting with a letter or digit`];
}

/** The mistakes in one session's options (or the defaults), at `where`; none given (null, as `name:` in YAML) means defaults. */
function sessionOptionMistakes(where: string, options: unknown): string[] {
    if (options === undefined || options === null || isPendingInput(options)) return [];
    const allowed = Object.keys(SESSION_OPTIONS);
    if (typeof options !== "object" || Array.isArray(options)) {
        return [`${where} must be a map of session options (${allowed.join(", ")}), got ${shown(options)}`];
    }
    const mistakes: string[] = [];
    const failures: Failure[] = [];
    for (const [option, value] of Object.entries(options)) {
        if (option in SESSION_OPTIONS) {
            const input = SESSION_OPTIONS[option as keyof LivenessSessionOptions];
            validate(memberShape(input), value, `${where}.${option}`, failures, isPendingInput);
        } else {
            mistakes.push(unknownKey(`${where}.${option}`, shown(value), allowed));
        }
    }
    return [...mistakes, ...failures.map((f) => f.reason)];
}

/** What a value is, as a message in the program's own words shows it. */
const OUTPUT_SHOWN = "an Output (a secret, or a value known only once deployed)";

/**
 * A value as an argument mistake shows it. An Output never by its value (it may be secret, and Pulumi's own text for
 * one is a page of advice), including one inside a map or list.
 */
function shown(value: unknown): string {
    if (isPendingInput(value)) return OUTPUT_SHOWN;
    const withoutOutputs = (v: unknown): unknown =>
        isPendingInput(v)
            ? "[Output]"
            : Array.isArray(v)
              ? v.map(withoutOutputs)
              : v !== null && typeof v === "object"
                ? Object.fromEntries(Object.entries(v).map(([k, item]) => [k, withoutOutputs(item)]))
                : v;
    return show(withoutOutputs(value));
}

function definedOnly<T extends object>(options: T): Partial<T> {
    return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
