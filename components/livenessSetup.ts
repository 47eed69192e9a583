import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Failure, memberShape, validate } from "../providers/faceLivenessApi";
import { ChallengePreference, FaceLivenessSession, isPendingInput } from "../providers/faceLivenessSession";
import { backendPolicy, frontendPolicy, keyPolicy, sessionKeyPrefix, tlsOnlyBucketPolicy } from "./policies";

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
    /** IAM roles (names) to attach the backend policy to. @default - none */
    readonly backendRoleNames?: string[];
    /** IAM roles (names) for devices, to attach the frontend policy to. @default - none */
    readonly frontendRoleNames?: string[];
    /** Tags for everything that can be tagged (sessions cannot). @default - none */
    readonly tags?: Record<string, pulumi.Input<string>>;
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
    /** The policy for the backend: create and read sessions, write images under the sessions' prefix, use the key. */
    public readonly backendPolicyJson: pulumi.Output<string>;
    /** The policy for devices: `rekognition:StartFaceLivenessSession` only. */
    public readonly frontendPolicyJson: pulumi.Output<string>;
    /** The created key; absent when `kmsKeyArn` is brought. */
    public readonly key?: aws.kms.Key;
    /** The created bucket; absent when `bucketName` is brought. */
    public readonly bucket?: aws.s3.Bucket;

    private readonly setupName: string;
    private readonly sessionDefaults: LivenessSessionOptions;
    /** What sessions wait for: the bucket's protections, so no image is ever written to an unprotected bucket. */
    private readonly storageReady: pulumi.Resource[] = [];

    constructor(name: string, args: LivenessSetupArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("liveness:index:LivenessSetup", name, args, opts);
        this.checkArgs(name, args);
        this.setupName = name;
        this.sessionDefaults = args.sessionDefaults ?? {};
        const parent = { parent: this };
        const tags = args.tags;

        this.region = aws.getRegionOutput({}, parent).region;
        const partition = aws.getPartitionOutput({}, parent).partition;

        if (args.kmsKeyArn !== undefined) {
            this.kmsKeyArn = pulumi.output(args.kmsKeyArn);
        } else {
            const accountId = aws.getCallerIdentityOutput({}, parent).accountId;
            this.key = new aws.kms.Key(
                `${name}-key`,
                {
                    description: `Encrypts Face Liveness reference and audit images of ${name}`,
                    enableKeyRotation: true,
                    deletionWindowInDays: args.keyDeletionWindowDays ?? 30,
                    policy: pulumi
                        .all([partition, accountId, pulumi.output(args.backendPrincipalArns ?? [])])
                        .apply(([p, a, principals]) =>
                            JSON.stringify(keyPolicy({ partition: p, accountId: a, backendPrincipalArns: principals })),
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
            .all([this.bucketArn, this.kmsKeyArn])
            .apply(([bucketArn, kmsKeyArn]) =>
                JSON.stringify(backendPolicy({ bucketArn, kmsKeyArn, readImages: args.backendReadsImages ?? false })),
            );
        this.frontendPolicyJson = pulumi.output(JSON.stringify(frontendPolicy()));
        for (const role of args.backendRoleNames ?? []) {
            new aws.iam.RolePolicy(`${name}-backend-${role}`, { role, policy: this.backendPolicyJson }, parent);
        }
        for (const role of args.frontendRoleNames ?? []) {
            new aws.iam.RolePolicy(`${name}-frontend-${role}`, { role, policy: this.frontendPolicyJson }, parent);
        }

        for (const [sessionName, options] of Object.entries(args.sessions ?? {})) {
            this.addSession(sessionName, options);
        }

        this.registerOutputs({
            sessionIds: this.sessionIds,
            region: this.region,
            bucketName: this.bucketName,
            bucketArn: this.bucketArn,
            kmsKeyArn: this.kmsKeyArn,
            backendPolicyJson: this.backendPolicyJson,
            frontendPolicyJson: this.frontendPolicyJson,
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
        if (!SESSION_NAME.test(sessionName)) {
            throw new pulumi.ResourceError(
                `LivenessSetup ${this.setupName}: sessions key ${JSON.stringify(sessionName)} must be 1 to 63 letters, digits, '-' or '_', starting with a letter or digit`,
                this,
            );
        }
        if (sessionName in this.sessions) {
            throw new pulumi.ResourceError(
                `LivenessSetup ${this.setupName}: a session named ${JSON.stringify(sessionName)} already exists`,
                this,
            );
        }
        const merged = { ...this.sessionDefaults, ...definedOnly(options) };
        const failures: Failure[] = [];
        for (const [option, input] of [
            ["auditImagesLimit", "settings.auditImagesLimit"],
            ["challengePreferences", "settings.challengePreferences"],
            ["renewExpired", "renewExpired"],
        ] as const) {
            validate(memberShape(input), merged[option], `sessions.${sessionName}.${option}`, failures, isPendingInput);
        }
        if (failures.length > 0) {
            throw new pulumi.ResourceError(`LivenessSetup ${this.setupName}: ${failures.map((f) => f.reason).join("; ")}`, this);
        }
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
        );
        this.sessions[sessionName] = session;
        return session;
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

    /** Plain-value mistakes fail here, naming the argument; values from other resources are checked by AWS. */
    private checkArgs(name: string, args: LivenessSetupArgs): void {
        const fail = (message: string) => {
            throw new pulumi.ResourceError(`LivenessSetup ${name}: ${message}`, this);
        };
        const integerIn = (argName: string, value: number | undefined, min: number, max: number) => {
            if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max)) {
                fail(`${argName} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
            }
        };
        integerIn("retentionDays", args.retentionDays, 1, 36500);
        integerIn("keyDeletionWindowDays", args.keyDeletionWindowDays, 7, 30);
        if (typeof args.kmsKeyArn === "string" && !KMS_KEY_ARN.test(args.kmsKeyArn)) {
            fail(
                `kmsKeyArn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>; policies cannot name an alias), got ${JSON.stringify(args.kmsKeyArn)}`,
            );
        }
        if (typeof args.bucketName === "string") {
            const failures: Failure[] = [];
            validate(memberShape("settings.outputConfig.s3Bucket"), args.bucketName, "bucketName", failures);
            if (failures.length > 0) fail(failures[0].reason);
        }
        if (args.kmsKeyArn !== undefined && (args.backendPrincipalArns !== undefined || args.keyDeletionWindowDays !== undefined)) {
            fail("backendPrincipalArns and keyDeletionWindowDays apply to the created key; with kmsKeyArn, set them on that key");
        }
        for (const [argName, roles] of [
            ["backendRoleNames", args.backendRoleNames],
            ["frontendRoleNames", args.frontendRoleNames],
        ] as const) {
            for (const role of roles ?? []) {
                if (typeof role !== "string" || !/^[\w+=,.@-]{1,64}$/.test(role)) {
                    fail(`${argName} must hold IAM role names (1 to 64 of letters, digits and +=,.@_-), got ${JSON.stringify(role)}`);
                }
            }
        }
        if (args.bucketName !== undefined && (args.retentionDays !== undefined || args.forceDestroy !== undefined)) {
            fail("retentionDays and forceDestroy apply to the created bucket; with bucketName, set them on that bucket");
        }
    }
}

function definedOnly<T extends object>(options: T): Partial<T> {
    return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
