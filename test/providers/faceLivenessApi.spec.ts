import { strict as assert } from "node:assert";
import { Failure, inputsNamedIn, sessionInputs, toWire, unknownValue, validate } from "../../providers/faceLivenessApi";

function failuresOf(inputs: Record<string, unknown>): Failure[] {
    const failures: Failure[] = [];
    validate(sessionInputs(), inputs, "", failures);
    return failures;
}

const longest = (n: number) => "a".repeat(n);

describe("faceLivenessApi: the session inputs and their constraints", () => {
    it("accepts every member at its limits", () => {
        assert.deepEqual(
            failuresOf({
                kmsKeyId: `arn:aws:kms:us-east-1:123456789012:key/${longest(2048 - 39)}`,
                settings: {
                    outputConfig: { s3Bucket: longest(255), s3KeyPrefix: longest(950) },
                    auditImagesLimit: 4,
                    challengePreferences: [
                        { type: "FaceMovementAndLightChallenge", versions: { minimum: "1.0.0", maximum: "999.999.999" } },
                        { type: "FaceMovementChallenge" },
                    ],
                },
                clientRequestToken: longest(64),
                region: "ap-southeast-7",
                renewExpired: true,
            }),
            [],
        );
        assert.deepEqual(failuresOf({ settings: { outputConfig: { s3Bucket: "abc", s3KeyPrefix: "" }, auditImagesLimit: 0 } }), []);
    });

    // One failing case per constraint of the model, with the exact sentence a user reads.
    const cases: [string, Record<string, unknown>, Failure][] = [
        [
            "kmsKeyId too long",
            { kmsKeyId: longest(2049) },
            {
                property: "kmsKeyId",
                reason: `kmsKeyId must be 1 to 2048 characters long (a KMS key id, key ARN, alias name or alias ARN); its length is 2049, got "${longest(76)}...`,
            },
        ],
        [
            "kmsKeyId empty",
            { kmsKeyId: "" },
            {
                property: "kmsKeyId",
                reason: `kmsKeyId must be 1 to 2048 characters long (a KMS key id, key ARN, alias name or alias ARN); its length is 0, got ""`,
            },
        ],
        [
            "kmsKeyId pattern",
            { kmsKeyId: "-key" },
            {
                property: "kmsKeyId",
                reason: `kmsKeyId must be a KMS key id, key ARN, alias name or alias ARN, matching ^[A-Za-z0-9][A-Za-z0-9:_/+=,@.-]{0,2048}$, got "-key"`,
            },
        ],
        [
            "kmsKeyId type",
            { kmsKeyId: 42 },
            { property: "kmsKeyId", reason: "kmsKeyId must be a string (a KMS key id, key ARN, alias name or alias ARN), got 42" },
        ],
        [
            "s3Bucket required",
            { settings: { outputConfig: { s3KeyPrefix: "p/" } } },
            {
                property: "settings.outputConfig.s3Bucket",
                reason: "settings.outputConfig.s3Bucket is required when settings.outputConfig is set",
            },
        ],
        [
            "s3Bucket too short",
            { settings: { outputConfig: { s3Bucket: "ab" } } },
            {
                property: "settings.outputConfig.s3Bucket",
                reason: `settings.outputConfig.s3Bucket must be 3 to 255 characters long (an S3 bucket name); its length is 2, got "ab"`,
            },
        ],
        [
            "s3Bucket too long",
            { settings: { outputConfig: { s3Bucket: longest(256) } } },
            {
                property: "settings.outputConfig.s3Bucket",
                reason: `settings.outputConfig.s3Bucket must be 3 to 255 characters long (an S3 bucket name); its length is 256, got "${longest(76)}...`,
            },
        ],
        [
            "s3Bucket pattern",
            { settings: { outputConfig: { s3Bucket: "my/bucket" } } },
            {
                property: "settings.outputConfig.s3Bucket",
                reason: `settings.outputConfig.s3Bucket must be an S3 bucket name, matching ^[0-9A-Za-z\\.\\-_]*$, got "my/bucket"`,
            },
        ],
        [
            "s3KeyPrefix too long",
            { settings: { outputConfig: { s3Bucket: "bucket", s3KeyPrefix: longest(951) } } },
            {
                property: "settings.outputConfig.s3KeyPrefix",
                reason: `settings.outputConfig.s3KeyPrefix must be 0 to 950 characters long (an S3 key prefix without white space); its length is 951, got "${longest(76)}...`,
            },
        ],
        [
            "s3KeyPrefix white space",
            { settings: { outputConfig: { s3Bucket: "bucket", s3KeyPrefix: "a b/" } } },
            {
                property: "settings.outputConfig.s3KeyPrefix",
                reason: `settings.outputConfig.s3KeyPrefix must be an S3 key prefix without white space, matching ^\\S*$, got "a b/"`,
            },
        ],
        [
            "auditImagesLimit above 4",
            { settings: { auditImagesLimit: 7 } },
            { property: "settings.auditImagesLimit", reason: "settings.auditImagesLimit must be an integer from 0 to 4, got 7" },
        ],
        [
            "auditImagesLimit below 0",
            { settings: { auditImagesLimit: -1 } },
            { property: "settings.auditImagesLimit", reason: "settings.auditImagesLimit must be an integer from 0 to 4, got -1" },
        ],
        [
            "auditImagesLimit fraction",
            { settings: { auditImagesLimit: 1.5 } },
            { property: "settings.auditImagesLimit", reason: "settings.auditImagesLimit must be an integer from 0 to 4, got 1.5" },
        ],
        [
            "auditImagesLimit string",
            { settings: { auditImagesLimit: "2" } },
            { property: "settings.auditImagesLimit", reason: `settings.auditImagesLimit must be an integer from 0 to 4, got "2"` },
        ],
        [
            "challengePreferences not a list",
            { settings: { challengePreferences: { type: "FaceMovementChallenge" } } },
            {
                property: "settings.challengePreferences",
                reason: `settings.challengePreferences must be a list, got {"type":"FaceMovementChallenge"}`,
            },
        ],
        [
            "challenge type required",
            { settings: { challengePreferences: [{ versions: { minimum: "1.0.0" } }] } },
            {
                property: "settings.challengePreferences[0].type",
                reason: "settings.challengePreferences[0].type is required when settings.challengePreferences[0] is set",
            },
        ],
        [
            "challenge type enum",
            { settings: { challengePreferences: [{ type: "FaceMovementChallenge" }, { type: "Blink" }] } },
            {
                property: "settings.challengePreferences[1].type",
                reason: `settings.challengePreferences[1].type must be a challenge type: one of FaceMovementAndLightChallenge, FaceMovementChallenge, got "Blink"`,
            },
        ],
        [
            "version too short",
            { settings: { challengePreferences: [{ type: "FaceMovementChallenge", versions: { minimum: "1.0" } }] } },
            {
                property: "settings.challengePreferences[0].versions.minimum",
                reason: `settings.challengePreferences[0].versions.minimum must be 5 to 11 characters long (a version such as 1.0.0); its length is 3, got "1.0"`,
            },
        ],
        [
            "version too long",
            { settings: { challengePreferences: [{ type: "FaceMovementChallenge", versions: { maximum: "1000.000.000" } }] } },
            {
                property: "settings.challengePreferences[0].versions.maximum",
                reason: `settings.challengePreferences[0].versions.maximum must be 5 to 11 characters long (a version such as 1.0.0); its length is 12, got "1000.000.000"`,
            },
        ],
        [
            "version pattern",
            { settings: { challengePreferences: [{ type: "FaceMovementChallenge", versions: { maximum: "01.0.0" } }] } },
            {
                property: "settings.challengePreferences[0].versions.maximum",
                reason: `settings.challengePreferences[0].versions.maximum must be a version such as 1.0.0, matching ^(0|[1-9]\\d{0,2})\\.(0|[1-9]\\d{0,2})\\.(0|[1-9]\\d{0,2})$, got "01.0.0"`,
            },
        ],
        [
            "clientRequestToken too long",
            { clientRequestToken: longest(65) },
            {
                property: "clientRequestToken",
                reason: `clientRequestToken must be 1 to 64 characters long (letters, digits, '-' and '_'); its length is 65, got "${longest(65)}"`,
            },
        ],
        [
            "clientRequestToken pattern",
            { clientRequestToken: "a.b" },
            {
                property: "clientRequestToken",
                reason: `clientRequestToken must be letters, digits, '-' and '_', matching ^[a-zA-Z0-9-_]+$, got "a.b"`,
            },
        ],
        [
            "region not offering Face Liveness",
            { region: "eu-central-1" },
            {
                property: "region",
                reason: `region must be a region that offers Face Liveness: one of us-east-1, us-west-2, eu-west-1, ap-south-1, ap-northeast-1, sa-east-1, ap-southeast-5, ap-southeast-7, got "eu-central-1"`,
            },
        ],
        [
            "renewExpired not a boolean",
            { renewExpired: "yes" },
            { property: "renewExpired", reason: `renewExpired must be true or false, got "yes"` },
        ],
        [
            "settings not an object",
            { settings: "fast" },
            {
                property: "settings",
                reason: `settings must be an object with outputConfig, auditImagesLimit, challengePreferences, got "fast"`,
            },
        ],
        [
            "a misspelt property",
            { settings: { auditImageLimit: 2 } },
            {
                property: "settings.auditImageLimit",
                reason: "settings.auditImageLimit is not a known property; allowed here: outputConfig, auditImagesLimit, challengePreferences",
            },
        ],
    ];
    for (const [name, inputs, failure] of cases) {
        it(`fails on ${name}, naming the property and the value`, () => {
            assert.deepEqual(failuresOf(inputs), [failure]);
        });
    }

    it("reports every broken constraint at once", () => {
        assert.deepEqual(
            failuresOf({ kmsKeyId: "", settings: { auditImagesLimit: 9 } }).map((f) => f.property),
            ["kmsKeyId", "settings.auditImagesLimit"],
        );
    });

    it("skips values not known until the deployment runs, at any depth", () => {
        assert.deepEqual(
            failuresOf({
                kmsKeyId: unknownValue,
                settings: {
                    outputConfig: { s3Bucket: unknownValue, s3KeyPrefix: unknownValue },
                    auditImagesLimit: unknownValue,
                    challengePreferences: [unknownValue, { type: unknownValue }],
                },
                region: unknownValue,
                renewExpired: unknownValue,
            }),
            [],
        );
        assert.deepEqual(failuresOf({ settings: unknownValue }), []);
        assert.deepEqual(
            failuresOf({ settings: { outputConfig: unknownValue, auditImagesLimit: 5 } }).map((f) => f.property),
            ["settings.auditImagesLimit"],
        );
    });

    it("maps inputs to the wire names of the request, leaving out what the service is not sent", () => {
        assert.deepEqual(
            toWire(sessionInputs(), {
                kmsKeyId: "alias/liveness",
                settings: {
                    outputConfig: { s3Bucket: "bucket", s3KeyPrefix: "p/" },
                    auditImagesLimit: 2,
                    challengePreferences: [{ type: "FaceMovementChallenge", versions: { minimum: "1.0.0", maximum: "2.0.0" } }],
                },
                clientRequestToken: "token-1",
                region: "us-east-1",
                renewExpired: true,
                __provider: "exports.handler = ...",
            }),
            {
                KmsKeyId: "alias/liveness",
                Settings: {
                    OutputConfig: { S3Bucket: "bucket", S3KeyPrefix: "p/" },
                    AuditImagesLimit: 2,
                    ChallengePreferences: [{ Type: "FaceMovementChallenge", Versions: { Minimum: "1.0.0", Maximum: "2.0.0" } }],
                },
                ClientRequestToken: "token-1",
            },
        );
        assert.deepEqual(toWire(sessionInputs(), { region: "us-east-1" }), {});
    });

    it("finds the inputs a service error names, by path or by wire name", () => {
        const inputs = {
            kmsKeyId: "alias/k",
            settings: { outputConfig: { s3Bucket: "b-1" }, challengePreferences: [{ type: "FaceMovementChallenge" }] },
        };
        assert.deepEqual(
            inputsNamedIn(
                "Value '9' at 'settings.challengePreferences.1.member.type' failed to satisfy constraint",
                sessionInputs(),
                inputs,
            ),
            [{ property: "settings.challengePreferences[0].type", value: "FaceMovementChallenge" }],
        );
        assert.deepEqual(inputsNamedIn("The S3Bucket is not in this region", sessionInputs(), inputs), [
            { property: "settings.outputConfig.s3Bucket", value: "b-1" },
        ]);
        assert.deepEqual(inputsNamedIn("Request has invalid parameters", sessionInputs(), inputs), []);
    });
});
