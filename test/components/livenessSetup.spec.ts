/**
 * LivenessSetup under Pulumi mocks: the exact children, their inputs and options, and the outputs. Mocks stand in
 * for AWS and for the engine: they do not prove that AWS accepts these inputs (the real-account check does) nor that
 * sessions really get created (program.spec.ts runs them through the provider against the emulator).
 */
import { faceLivenessSessionProviderText } from "../../providers/sessionProviderText";
import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ACCOUNT_ID, mockAws } from "../support/awsMocks";
import { settle, unwrap } from "../support/mocks";

type Setup = typeof import("../../components/livenessSetup").LivenessSetup;

const SESSION_TYPE = "pulumi-nodejs:dynamic/rekognition:FaceLivenessSession";

describe("LivenessSetup (mocks)", () => {
    let registered: pulumi.runtime.MockResourceArgs[];
    let LivenessSetup: Setup;
    /** The options each child was constructed with, seen through a transformation on the component. */
    let childOptions: Map<string, pulumi.ResourceOptions>;
    const recordOptions: pulumi.ResourceTransformation = (args) => {
        childOptions.set(args.name, args.opts);
        return undefined;
    };

    before(async () => {
        registered = await mockAws({ region: "us-west-2" });
        ({ LivenessSetup } = await import("../../components/livenessSetup"));
    });
    beforeEach(() => {
        childOptions = new Map();
    });

    /** Constructs a setup and waits until every child is registered. */
    async function setUp(name: string, args: ConstructorParameters<Setup>[1], opts: pulumi.ComponentResourceOptions = {}) {
        const setup = new LivenessSetup(name, args, { ...opts, transformations: [recordOptions, ...(opts.transformations ?? [])] });
        await settle();
        return setup;
    }
    /** The setup named `name` and its children, in registration order (every test names its setup uniquely). */
    const ofSetup = (name: string) => registered.filter((r) => r.name === name || r.name.startsWith(`${name}-`));
    const child = (name: string) => {
        const found = registered.filter((r) => r.name === name);
        assert.equal(found.length, 1, `one resource named ${name}, found ${found.length}`);
        return found[0];
    };
    const sessionInputsOf = (name: string) => {
        const { __provider, ...inputs } = child(name).inputs;
        assert.equal(__provider, faceLivenessSessionProviderText);
        return inputs;
    };

    describe("by default", () => {
        let setup: InstanceType<Setup>;
        let ownOptions: Map<string, pulumi.ResourceOptions>;
        before(async () => {
            childOptions = new Map();
            setup = await setUp("kyc", { sessions: { onboarding: {} } });
            ownOptions = childOptions;
        });
        beforeEach(() => {
            childOptions = ownOptions;
        });

        it("creates exactly the key, its alias, the bucket, its five protections and the session", () => {
            assert.deepEqual(
                ofSetup("kyc")
                    .map((r) => [r.type, r.name])
                    .sort(),
                [
                    ["liveness:index:LivenessSetup", "kyc"],
                    ["aws:kms/key:Key", "kyc-key"],
                    ["aws:kms/alias:Alias", "kyc-key-alias"],
                    ["aws:s3/bucket:Bucket", "kyc-images"],
                    ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "kyc-public-access-block"],
                    ["aws:s3/bucketOwnershipControls:BucketOwnershipControls", "kyc-ownership"],
                    ["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "kyc-encryption"],
                    ["aws:s3/bucketVersioning:BucketVersioning", "kyc-versioning"],
                    ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "kyc-lifecycle"],
                    ["aws:s3/bucketPolicy:BucketPolicy", "kyc-tls-only"],
                    [SESSION_TYPE, "kyc-onboarding"],
                ].sort(),
            );
            const children = [...childOptions].filter(([name]) => name !== "kyc");
            assert.equal(children.length, 10);
            for (const [name, opts] of children) {
                assert.ok(opts.parent === setup, `${name} is parented to the setup`);
            }
        });

        it("a KMS key with rotation, a 30-day deletion window, and a policy that keeps the account in control", () => {
            const { policy, ...rest } = child("kyc-key").inputs;
            assert.deepEqual(rest, {
                description: "Encrypts Face Liveness reference and audit images of kyc",
                enableKeyRotation: true,
                deletionWindowInDays: 30,
            });
            assert.deepEqual(JSON.parse(policy).Statement, [
                {
                    Sid: "AccountAdministersKey",
                    Effect: "Allow",
                    Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` },
                    Action: "kms:*",
                    Resource: "*",
                },
            ]);
            assert.deepEqual(child("kyc-key-alias").inputs, { namePrefix: "alias/kyc-liveness-", targetKeyId: "mrk-kyc-key" });
        });

        it("a private bucket: all four public-access blocks, BucketOwnerEnforced, and no forceDestroy", () => {
            assert.deepEqual(child("kyc-images").inputs, { forceDestroy: false });
            assert.deepEqual(child("kyc-public-access-block").inputs, {
                bucket: "kyc-images-0a1b2c3",
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            });
            assert.deepEqual(child("kyc-ownership").inputs, {
                bucket: "kyc-images-0a1b2c3",
                rule: { objectOwnership: "BucketOwnerEnforced" },
            });
        });

        it("SSE-KMS with the setup's key and a bucket key, and versioning", () => {
            assert.deepEqual(child("kyc-encryption").inputs, {
                bucket: "kyc-images-0a1b2c3",
                rules: [
                    {
                        applyServerSideEncryptionByDefault: {
                            sseAlgorithm: "aws:kms",
                            kmsMasterKeyId: `arn:aws:kms:us-west-2:${ACCOUNT_ID}:key/mrk-kyc-key`,
                        },
                        bucketKeyEnabled: true,
                    },
                ],
            });
            assert.deepEqual(child("kyc-versioning").inputs, {
                bucket: "kyc-images-0a1b2c3",
                versioningConfiguration: { status: "Enabled" },
            });
        });

        it("images expire after 30 days, older versions a day later", async () => {
            assert.deepEqual(child("kyc-lifecycle").inputs, {
                bucket: "kyc-images-0a1b2c3",
                rules: [
                    {
                        id: "expire-liveness-images",
                        status: "Enabled",
                        filter: {},
                        expiration: { days: 30 },
                        noncurrentVersionExpiration: { noncurrentDays: 1 },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                    },
                ],
            });
            assert.deepEqual(await namesOf(childOptions.get("kyc-lifecycle")!.dependsOn), ["kyc-versioning"]);
        });

        it("a bucket policy that denies requests without TLS, after the public-access block", async () => {
            const policy = JSON.parse(child("kyc-tls-only").inputs.policy);
            assert.deepEqual(policy.Statement, [
                {
                    Sid: "DenyRequestsWithoutTls",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: ["arn:aws:s3:::kyc-images-0a1b2c3", "arn:aws:s3:::kyc-images-0a1b2c3/*"],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
            ]);
            assert.deepEqual(await namesOf(childOptions.get("kyc-tls-only")!.dependsOn), ["kyc-public-access-block"]);
        });

        it("the session writes under its own prefix with the setup's key, in the storage's region, after every protection", async () => {
            assert.deepEqual(sessionInputsOf("kyc-onboarding"), {
                kmsKeyId: `arn:aws:kms:us-west-2:${ACCOUNT_ID}:key/mrk-kyc-key`,
                settings: { outputConfig: { s3Bucket: "kyc-images-0a1b2c3", s3KeyPrefix: "sessions/onboarding/" } },
                region: "us-west-2",
            });
            assert.deepEqual(await namesOf(childOptions.get("kyc-onboarding")!.dependsOn), [
                "kyc-public-access-block",
                "kyc-ownership",
                "kyc-encryption",
                "kyc-versioning",
                "kyc-lifecycle",
                "kyc-tls-only",
            ]);
        });

        it("outputs the session ids, storage, and least-privilege policies", async () => {
            assert.deepEqual(await unwrap(setup.sessionIds), { onboarding: "kyc-onboarding-id" });
            assert.equal(await unwrap(setup.bucketName), "kyc-images-0a1b2c3");
            assert.equal(await unwrap(setup.bucketArn), "arn:aws:s3:::kyc-images-0a1b2c3");
            assert.equal(await unwrap(setup.kmsKeyArn), `arn:aws:kms:us-west-2:${ACCOUNT_ID}:key/mrk-kyc-key`);
            assert.equal(await unwrap(setup.region), "us-west-2");
            const backend = JSON.parse(await unwrap(setup.backendPolicyJson));
            assert.deepEqual(
                backend.Statement.map((s: { Action: string[]; Resource: string; Condition?: object }) => [
                    s.Action,
                    s.Resource,
                    s.Condition,
                ]),
                [
                    [["rekognition:CreateFaceLivenessSession", "rekognition:GetFaceLivenessSessionResults"], "*", undefined],
                    [["s3:PutObject"], "arn:aws:s3:::kyc-images-0a1b2c3/sessions/*", undefined],
                    [
                        ["kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt"],
                        `arn:aws:kms:us-west-2:${ACCOUNT_ID}:key/mrk-kyc-key`,
                        { StringEquals: { "kms:ViaService": ["rekognition.us-west-2.amazonaws.com", "s3.us-west-2.amazonaws.com"] } },
                    ],
                ],
            );
            assert.deepEqual(
                JSON.parse(await unwrap(setup.frontendPolicyJson)).Statement.map((s: { Action: string }) => s.Action),
                ["rekognition:StartFaceLivenessSession"],
            );
        });
    });

    it("applies retentionDays, keyDeletionWindowDays, forceDestroy, tags and backend principals when asked", async () => {
        const tags = { team: "identity" };
        await setUp("asked", {
            retentionDays: 7,
            keyDeletionWindowDays: 7,
            forceDestroy: true,
            tags,
            backendPrincipalArns: ["arn:aws:iam::123456789012:role/api"],
        });
        assert.deepEqual(child("asked-images").inputs, { forceDestroy: true, tags });
        assert.equal(child("asked-key").inputs.deletionWindowInDays, 7);
        assert.deepEqual(child("asked-key").inputs.tags, tags);
        const backendKeyStatement = JSON.parse(child("asked-key").inputs.policy).Statement[1];
        assert.deepEqual(backendKeyStatement.Principal, { AWS: ["arn:aws:iam::123456789012:role/api"] });
        assert.deepEqual(backendKeyStatement.Condition, {
            StringEquals: { "kms:ViaService": ["rekognition.us-west-2.amazonaws.com", "s3.us-west-2.amazonaws.com"] },
        });
        assert.deepEqual(child("asked-lifecycle").inputs.rules[0].expiration, { days: 7 });
    });

    it("uses a brought bucket and key instead of creating them", async () => {
        const kmsKeyArn = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        const setup = await setUp("byo", { bucketName: "existing-images", kmsKeyArn, sessions: { s1: {} } });
        assert.deepEqual(
            ofSetup("byo").map((r) => r.type),
            ["liveness:index:LivenessSetup", SESSION_TYPE],
        );
        assert.deepEqual(sessionInputsOf("byo-s1"), {
            kmsKeyId: kmsKeyArn,
            settings: { outputConfig: { s3Bucket: "existing-images", s3KeyPrefix: "sessions/s1/" } },
            region: "us-west-2",
        });
        assert.equal(await unwrap(setup.bucketArn), "arn:aws:s3:::existing-images");
        assert.equal(JSON.parse(await unwrap(setup.backendPolicyJson)).Statement[2].Resource, kmsKeyArn);
        assert.deepEqual(childOptions.get("byo-s1")!.dependsOn, []);
    });

    it("uses a brought key with a created bucket", async () => {
        const kmsKeyArn = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        await setUp("byokey", { kmsKeyArn });
        assert.equal(
            ofSetup("byokey").some((r) => r.type.startsWith("aws:kms/")),
            false,
        );
        assert.equal(child("byokey-encryption").inputs.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId, kmsKeyArn);
    });

    it("creates sessions in the region of the component's explicit AWS provider", async () => {
        const euWest = new aws.Provider("eu-west", { region: "eu-west-1" });
        await setUp("eu", { sessions: { s: {} } }, { providers: [euWest] });
        assert.equal(sessionInputsOf("eu-s").region, "eu-west-1");
        assert.match(child("eu-images").provider!, /::eu-west::eu-west-id$/);
    });

    it("applies sessionDefaults to every session, each overridable", async () => {
        const preferences = [{ type: "FaceMovementChallenge" as const }];
        await setUp("defaults", {
            sessionDefaults: { auditImagesLimit: 2, renewExpired: true, challengePreferences: preferences },
            sessions: { a: {}, b: { auditImagesLimit: 4, renewExpired: false } },
        });
        assert.deepEqual(sessionInputsOf("defaults-a").settings, {
            outputConfig: { s3Bucket: "defaults-images-0a1b2c3", s3KeyPrefix: "sessions/a/" },
            auditImagesLimit: 2,
            challengePreferences: preferences,
        });
        assert.equal(sessionInputsOf("defaults-a").renewExpired, true);
        assert.equal(sessionInputsOf("defaults-b").settings.auditImagesLimit, 4);
        assert.equal(sessionInputsOf("defaults-b").renewExpired, false);
    });

    it("addSession wires a further session the same way, and sessionIds includes it", async () => {
        const setup = await setUp("grow", { sessions: { first: {} } });
        const added = setup.addSession("second", { auditImagesLimit: 1 });
        await unwrap(added.urn);
        assert.deepEqual(sessionInputsOf("grow-second").settings, {
            outputConfig: { s3Bucket: "grow-images-0a1b2c3", s3KeyPrefix: "sessions/second/" },
            auditImagesLimit: 1,
        });
        assert.deepEqual(await unwrap(setup.sessionIds), { first: "grow-first-id", second: "grow-second-id" });
        assert.equal(setup.sessions.second, added);
    });

    it("attaches the policies to the given roles", async () => {
        const setup = await setUp("roles", { backendRoleNames: ["api"], frontendRoleNames: ["cognito-unauth"] });
        assert.deepEqual(child("roles-backend-api").inputs, { role: "api", policy: await unwrap(setup.backendPolicyJson) });
        assert.deepEqual(child("roles-frontend-cognito-unauth").inputs, {
            role: "cognito-unauth",
            policy: await unwrap(setup.frontendPolicyJson),
        });
    });

    it("attaches the policies to roles created in the same program (role.name), named by their position", async () => {
        const role = new aws.iam.Role("app-role", { name: "app-role", assumeRolePolicy: "{}" });
        const setup = await setUp("program-roles", { backendRoleNames: [role.name, "ops"], frontendRoleNames: [role.name] });
        assert.deepEqual(child("program-roles-backend-0").inputs, { role: "app-role", policy: await unwrap(setup.backendPolicyJson) });
        assert.equal(child("program-roles-backend-ops").inputs.role, "ops");
        assert.equal(child("program-roles-frontend-0").inputs.role, "app-role");
    });

    it("a session entry with no options (`name:` in YAML) gets the defaults", async () => {
        const setup = await setUp("empty-entry", {
            sessions: { recovery: null as never },
            sessionDefaults: { auditImagesLimit: 1 },
        });
        assert.deepEqual(Object.keys(setup.sessions), ["recovery"]);
        assert.equal(sessionInputsOf("empty-entry-recovery").settings.auditImagesLimit, 1);
    });

    it("reports every mistake in one message before registering any child", async () => {
        assert.throws(
            () =>
                new LivenessSetup("many", {
                    retentionDays: 0,
                    sessions: { onboarding: { auditImageLimit: 2 } as never, "a/b": {} },
                    sessionDefaults: { auditImagesLimit: 9 },
                }),
            (error: Error) =>
                error.message ===
                "LivenessSetup many: retentionDays must be an integer from 1 to 36500, got 0; " +
                    "sessionDefaults.auditImagesLimit must be an integer from 0 to 4, got 9; " +
                    "sessions.onboarding.auditImageLimit (2) is not known; did you mean auditImagesLimit? allowed: auditImagesLimit, challengePreferences, renewExpired; " +
                    `sessions key "a/b" must be 1 to 63 letters, digits, '-' or '_', starting with a letter or digit`,
        );
        await settle();
        assert.deepEqual(
            ofSetup("many").map((r) => r.type),
            ["liveness:index:LivenessSetup"],
            "the component alone, no child",
        );
    });

    it("fails with one line, without a stack trace or a dump of the component, as Pulumi prints it", () => {
        assert.throws(
            () => new LivenessSetup("terse", { retentionDays: -1 }),
            (error: Error & { hideStack?: boolean }) => pulumi.ResourceError.isInstance(error) && error.hideStack === true,
        );
    });

    it("two setups in one program do not collide", async () => {
        await setUp("one", { sessions: { s: {} } });
        await setUp("two", { sessions: { s: {} } });
        const names = [...ofSetup("one"), ...ofSetup("two")].map((r) => `${r.type}::${r.name}`);
        assert.equal(new Set(names).size, names.length);
        assert.notEqual(child("one-key-alias").inputs.namePrefix, child("two-key-alias").inputs.namePrefix);
        assert.notEqual(sessionInputsOf("one-s").settings.outputConfig.s3Bucket, sessionInputsOf("two-s").settings.outputConfig.s3Bucket);
    });

    const mistakes: [string, ConstructorParameters<Setup>[1], string][] = [
        ["retentionDays 0", { retentionDays: 0 }, "LivenessSetup bad: retentionDays must be an integer from 1 to 36500, got 0"],
        [
            "keyDeletionWindowDays 3",
            { keyDeletionWindowDays: 3 },
            "LivenessSetup bad: keyDeletionWindowDays must be an integer from 7 to 30, got 3",
        ],
        [
            "an alias as kmsKeyArn",
            { kmsKeyArn: "alias/kyc" },
            'LivenessSetup bad: kmsKeyArn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>; policies cannot name an alias), got "alias/kyc"',
        ],
        [
            "a bad bucketName",
            { bucketName: "My Bucket" },
            'LivenessSetup bad: bucketName must be an S3 bucket name, matching ^[0-9A-Za-z\\.\\-_]*$, got "My Bucket"',
        ],
        [
            "keyDeletionWindowDays with kmsKeyArn",
            { kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/abcd-1234", keyDeletionWindowDays: 7 },
            "LivenessSetup bad: backendPrincipalArns and keyDeletionWindowDays apply to the created key; with kmsKeyArn, set them on that key",
        ],
        [
            "retentionDays with bucketName",
            { bucketName: "existing", retentionDays: 7 },
            "LivenessSetup bad: retentionDays and forceDestroy apply to the created bucket; with bucketName, set them on that bucket",
        ],
        [
            "a session name with a slash",
            { sessions: { "a/b": {} } },
            `LivenessSetup bad: sessions key "a/b" must be 1 to 63 letters, digits, '-' or '_', starting with a letter or digit`,
        ],
        [
            "a session's auditImagesLimit 9",
            { sessions: { s: { auditImagesLimit: 9 } } },
            "LivenessSetup bad: sessions.s.auditImagesLimit must be an integer from 0 to 4, got 9",
        ],
        [
            "a default's bad challenge",
            { sessionDefaults: { challengePreferences: [{ type: "Blink" as any }] }, sessions: { s: {} } },
            'LivenessSetup bad: sessionDefaults.challengePreferences[0].type must be a challenge type: one of FaceMovementAndLightChallenge, FaceMovementChallenge, got "Blink"',
        ],
        [
            "a misspelt session option",
            { sessions: { onboarding: { auditImageLimit: 2 } as never } },
            "LivenessSetup bad: sessions.onboarding.auditImageLimit (2) is not known; did you mean auditImagesLimit? allowed: auditImagesLimit, challengePreferences, renewExpired",
        ],
        [
            "a list of sessions instead of a map",
            { sessions: [{ auditImagesLimit: 1 }] as never },
            'LivenessSetup bad: sessions must be a map from session name to options, such as { onboarding: { auditImagesLimit: 2 } }, got [{"auditImagesLimit":1}]',
        ],
        [
            "a session's options that are not a map",
            { sessions: { onboarding: "defaults" as never } },
            'LivenessSetup bad: sessions.onboarding must be a map of session options (auditImagesLimit, challengePreferences, renewExpired), got "defaults"',
        ],
        [
            "a misspelt argument",
            { retentionDay: 7 } as never,
            "LivenessSetup bad: retentionDay (7) is not known; did you mean retentionDays? allowed: sessions, sessionDefaults, bucketName, kmsKeyArn, retentionDays, keyDeletionWindowDays, forceDestroy, backendReadsImages, backendPrincipalArns, backendRoleNames, frontendRoleNames, tags, deviceIdentity, api",
        ],
        [
            "a role ARN as a role name",
            { backendRoleNames: ["arn:aws:iam::1:role/x"] },
            'LivenessSetup bad: backendRoleNames must hold IAM role names (1 to 64 of letters, digits and +=,.@_-), got "arn:aws:iam::1:role/x"',
        ],
        // Values a program marked secret (as the plugin's construct hands over YAML's fn::secret): never shown.
        [
            "a secret retentionDays",
            { retentionDays: pulumi.secret(0) as never },
            "LivenessSetup bad: retentionDays must be an integer from 1 to 36500, got an Output (a secret, or a value known only once deployed)",
        ],
        [
            "a secret map of sessions",
            { sessions: pulumi.secret({ "bad name zq-hush": {} }) as never },
            "LivenessSetup bad: sessions must be a map written in the program, since its names name resources, got an Output (a secret, or a value known only once deployed); a session's options may be secrets or other resources' values",
        ],
        [
            "a misspelt argument holding a secret",
            { retentionDay: { days: pulumi.secret("zq-hush") } } as never,
            'LivenessSetup bad: retentionDay ({"days":"[Output]"}) is not known; did you mean retentionDays? allowed: sessions, sessionDefaults, bucketName, kmsKeyArn, retentionDays, keyDeletionWindowDays, forceDestroy, backendReadsImages, backendPrincipalArns, backendRoleNames, frontendRoleNames, tags, deviceIdentity, api',
        ],
    ];
    for (const [what, args, message] of mistakes) {
        it(`fails at construction on ${what}, naming the argument`, () => {
            assert.throws(
                () => new LivenessSetup("bad", args),
                (error: Error) => pulumi.ResourceError.isInstance(error) && error.message === message,
            );
        });
    }

    it("fails on a second session with the same name", async () => {
        const setup = await setUp("dup", { sessions: { s: {} } });
        assert.throws(
            () => setup.addSession("s"),
            (error: Error) => error.message === 'LivenessSetup dup: a session named "s" already exists',
        );
    });
});

/** The names of the resources an option lists, read from their URNs. */
async function namesOf(
    resources: pulumi.Input<pulumi.Input<pulumi.Resource>[]> | pulumi.Input<pulumi.Resource> | undefined,
): Promise<string[]> {
    const list = (Array.isArray(resources) ? resources : [resources]) as pulumi.Resource[];
    const urns = await Promise.all(list.map((r) => unwrap(r.urn)));
    return urns.map((urn) => urn.slice(urn.lastIndexOf("::") + 2));
}
