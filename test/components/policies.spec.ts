import { strict as assert } from "node:assert";
import { backendPolicy, frontendPolicy, keyPolicy, sessionKeyPrefix, tlsOnlyBucketPolicy } from "../../components/policies";

const bucketArn = "arn:aws:s3:::kyc-images-0a1b2c3";
const kmsKeyArn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const region = "us-east-1";
/** The KMS Developer Guide's names of the services that use the key for a principal, in us-east-1. */
const throughImageServices = { StringEquals: { "kms:ViaService": ["rekognition.us-east-1.amazonaws.com", "s3.us-east-1.amazonaws.com"] } };

/** Every action a document allows, for the "no wildcard" rule. */
function allowedActions(doc: { Statement: { Effect: string; Action: string | string[] }[] }): string[] {
    return doc.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}

describe("policy documents", () => {
    it("backend: the two Face Liveness actions, writes under the sessions' prefix, the image key's actions on that key through Rekognition and S3 only", () => {
        const doc = backendPolicy({ bucketArn, kmsKeyArn, region, readImages: false });
        assert.deepEqual(doc, {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "CreateAndReadLivenessSessions",
                    Effect: "Allow",
                    Action: ["rekognition:CreateFaceLivenessSession", "rekognition:GetFaceLivenessSessionResults"],
                    Resource: "*",
                },
                { Sid: "WriteSessionImages", Effect: "Allow", Action: ["s3:PutObject"], Resource: `${bucketArn}/sessions/*` },
                {
                    Sid: "UseImageKey",
                    Effect: "Allow",
                    Action: ["kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt"],
                    Resource: kmsKeyArn,
                    Condition: throughImageServices,
                },
            ],
        });
        assert.equal(
            allowedActions(doc).some((a) => a.includes("*")),
            false,
        );
    });

    it("backend: reading the images adds s3:GetObject on the same prefix only", () => {
        const [, objects] = backendPolicy({ bucketArn, kmsKeyArn, region, readImages: true }).Statement;
        assert.deepEqual(objects, {
            Sid: "WriteAndReadSessionImages",
            Effect: "Allow",
            Action: ["s3:PutObject", "s3:GetObject"],
            Resource: `${bucketArn}/sessions/*`,
        });
    });

    it("every session's prefix lies under the backend's prefix", () => {
        assert.equal(sessionKeyPrefix("onboarding"), "sessions/onboarding/");
        const writable = backendPolicy({ bucketArn, kmsKeyArn, region, readImages: false }).Statement[1].Resource as string;
        assert.ok(`${bucketArn}/${sessionKeyPrefix("onboarding")}x.jpg`.startsWith(writable.slice(0, -1)));
    });

    it("frontend: rekognition:StartFaceLivenessSession and nothing else", () => {
        assert.deepEqual(frontendPolicy(), {
            Version: "2012-10-17",
            Statement: [{ Sid: "StreamLivenessSessions", Effect: "Allow", Action: "rekognition:StartFaceLivenessSession", Resource: "*" }],
        });
    });

    it("key: the account root keeps full control, so the key can never lock the account out", () => {
        assert.deepEqual(keyPolicy({ partition: "aws", accountId: "123456789012", region, backendPrincipalArns: [] }), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "AccountAdministersKey",
                    Effect: "Allow",
                    Principal: { AWS: "arn:aws:iam::123456789012:root" },
                    Action: "kms:*",
                    Resource: "*",
                },
            ],
        });
    });

    it("key: named backend principals get the image actions through Rekognition and S3, nothing more", () => {
        const role = "arn:aws-cn:iam::123456789012:role/backend";
        const doc = keyPolicy({ partition: "aws-cn", accountId: "123456789012", region: "cn-north-1", backendPrincipalArns: [role] });
        assert.equal((doc.Statement[0].Principal as { AWS: string }).AWS, "arn:aws-cn:iam::123456789012:root");
        assert.deepEqual(doc.Statement[1], {
            Sid: "BackendUsesKeyForImages",
            Effect: "Allow",
            Principal: { AWS: [role] },
            Action: ["kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt"],
            Resource: "*",
            // The `.amazonaws.com` suffix holds in every partition, China's included.
            Condition: { StringEquals: { "kms:ViaService": ["rekognition.cn-north-1.amazonaws.com", "s3.cn-north-1.amazonaws.com"] } },
        });
    });

    it("bucket: denies every request made without TLS, on the bucket and its objects", () => {
        assert.deepEqual(tlsOnlyBucketPolicy(bucketArn), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "DenyRequestsWithoutTls",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: [bucketArn, `${bucketArn}/*`],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
            ],
        });
    });
});
