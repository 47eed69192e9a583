/**
 * The policy pack's rules, called on the resources a LivenessSetup declares (captured under mocks, with the
 * outputs AWS would give them), then on the same resources with one thing wrong. The Pulumi CLI runs these same
 * functions in `pulumi preview --policy-pack policy`; that wiring is not exercised here.
 */
import { strict as assert } from "node:assert";
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { livenessPolicies } from "../policy/policies";
import { awsState, mockAws } from "./support/awsMocks";
import { settle } from "./support/mocks";

type Captured = { type: string; name: string; props: Record<string, any> };

function policy(name: string) {
    const found = livenessPolicies.find((p) => p.name === name);
    assert.ok(found, `a policy named ${name}`);
    return found;
}

/** The violations `policyName` reports for these resources, as the policy engine would collect them. */
async function violations(policyName: string, resources: Captured[], config: Record<string, unknown> = {}): Promise<string[]> {
    const found: string[] = [];
    const report = (message: string) => found.push(message);
    const asPolicyResource = (r: Captured): PolicyResource => ({
        ...r,
        urn: `urn:pulumi:test::liveness::${r.type}::${r.name}`,
        opts: {
            protect: false,
            ignoreChanges: [],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        } as any,
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
    });
    const p = policy(policyName);
    const getConfig = <T extends object>() => config as T;
    if ("validateStack" in p) {
        await (p as StackValidationPolicy).validateStack(
            { resources: resources.map(asPolicyResource), getConfig, stackTags: new Map() } as any,
            report,
        );
    } else {
        for (const r of resources) {
            await ((p as ResourceValidationPolicy).validateResource as any)(
                { ...asPolicyResource(r), getConfig, stackTags: new Map() },
                report,
            );
        }
    }
    return found;
}

const replaced = (resources: Captured[], name: string, change: (props: Record<string, any>) => Record<string, any>) =>
    resources.map((r) => (r.name === name ? { ...r, props: change(r.props) } : r));
const without = (resources: Captured[], name: string) => resources.filter((r) => r.name !== name);

describe("the policy pack (on resources from LivenessSetup)", () => {
    let good: Captured[];
    let brought: Captured[];
    let bareSession: Captured[];

    before(async () => {
        const registered = await mockAws({});
        const { LivenessSetup } = await import("../components/livenessSetup");
        const { FaceLivenessSession } = await import("../providers/faceLivenessSession");
        new LivenessSetup("good", {
            sessions: { s: { auditImagesLimit: 1 } },
            backendRoleNames: ["api"],
            deviceIdentity: { allowGuests: true },
            api: {},
        });
        new LivenessSetup("brought", {
            bucketName: "elsewhere",
            kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/abcd-1234",
            sessions: { s: {} },
        });
        new FaceLivenessSession("bare", { settings: { auditImagesLimit: 3 } });
        await settle();
        const captured = (prefix: string) =>
            registered
                .filter((r) => r.name === prefix || r.name.startsWith(`${prefix}-`))
                .map((r) => ({ type: r.type, name: r.name, props: awsState(r, "us-east-1").state }));
        good = captured("good");
        brought = captured("brought");
        bareSession = captured("bare");
    });

    it("finds nothing wrong with what the component creates", async () => {
        for (const p of livenessPolicies) {
            assert.deepEqual(await violations(p.name, good), [], p.name);
        }
    });

    it("fails a liveness bucket without a public-access block, or with one block off", async () => {
        const message =
            "Liveness bucket good-images-0a1b2c3: needs a BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets all true";
        assert.deepEqual(await violations("liveness-bucket-blocks-public-access", without(good, "good-public-access-block")), [message]);
        const oneOff = replaced(good, "good-public-access-block", (p) => ({ ...p, restrictPublicBuckets: false }));
        assert.deepEqual(await violations("liveness-bucket-blocks-public-access", oneOff), [message]);
    });

    it("fails a liveness bucket whose policy does not deny plain HTTP", async () => {
        const allowAll = replaced(good, "good-tls-only", (p) => ({
            ...p,
            policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" }] }),
        }));
        assert.deepEqual(await violations("liveness-bucket-denies-non-tls", allowAll), [
            'Liveness bucket good-images-0a1b2c3: needs a bucket policy that denies requests where "aws:SecureTransport" is "false"',
        ]);
    });

    it("fails a liveness bucket encrypted without KMS", async () => {
        const aes = replaced(good, "good-encryption", (p) => ({
            ...p,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        }));
        assert.deepEqual(await violations("liveness-bucket-uses-sse-kms", aes), [
            "Liveness bucket good-images-0a1b2c3: needs default encryption with sseAlgorithm aws:kms",
        ]);
    });

    it("fails a liveness bucket whose images never expire", async () => {
        assert.deepEqual(await violations("liveness-bucket-expires-images", without(good, "good-lifecycle")), [
            "Liveness bucket good-images-0a1b2c3: needs an enabled lifecycle rule with expiration days",
        ]);
        const disabled = replaced(good, "good-lifecycle", (p) => ({
            ...p,
            rules: p.rules.map((r: object) => ({ ...r, status: "Disabled" })),
        }));
        assert.equal((await violations("liveness-bucket-expires-images", disabled)).length, 1);
    });

    it("fails sessions that write to a bucket the stack does not manage", async () => {
        assert.deepEqual(await violations("sessions-write-to-managed-buckets", brought), [
            "Session brought-s writes to elsewhere, a bucket this stack does not manage",
        ]);
    });

    it("fails a session without a kmsKeyId", async () => {
        assert.deepEqual(await violations("session-sets-kms-key", bareSession), ["Session bare sets no kmsKeyId"]);
    });

    it("fails a session asking for more audit images than the configured bound (2 unless configured)", async () => {
        assert.deepEqual(await violations("session-bounds-audit-images", bareSession), [
            "Session bare asks for 3 audit images; at most 2 allowed",
        ]);
        assert.deepEqual(await violations("session-bounds-audit-images", bareSession, { maxAuditImagesLimit: 3 }), []);
    });

    it("fails an IAM policy that grants Face Liveness through wildcard actions", async () => {
        const wildcard = replaced(good, "good-backend-api", (p) => ({
            ...p,
            policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["rekognition:*", "s3:PutObject"], Resource: "*" }] }),
        }));
        assert.deepEqual(await violations("liveness-backend-policy-names-actions", wildcard), [
            "good-backend-api grants wildcard actions rekognition:* where Face Liveness actions must be named",
        ]);
        const everything = replaced(good, "good-backend-api", (p) => ({
            ...p,
            policy: JSON.stringify({ Statement: { Effect: "Allow", Action: "*", Resource: "*" } }),
        }));
        assert.equal((await violations("liveness-backend-policy-names-actions", everything)).length, 1);
    });

    describe("device-roles-only-stream", () => {
        const guestRole = () => good.find((r) => r.name === "good-device-guest")!;
        const roleName = () => guestRole().props.name as string;
        /** The message for the guest role holding `held`. */
        const message = (held: string) =>
            `Role good-device-guest is trusted by a Cognito identity pool, so every device (and, with guest access, every visitor) ` +
            `can use what it holds: ${held}. A device needs only rekognition:StartFaceLivenessSession (and execute-api:Invoke on the ` +
            "session API's two routes, for signed-in devices only): give it LivenessSetup's " +
            "frontendPolicyJson (or use LivenessSetup's deviceIdentity) instead of AmazonRekognitionFullAccess or any wider policy.";

        it("passes the component's device roles, which hold the stream action only", async () => {
            assert.equal(good.filter((r) => r.type === "aws:iam/role:Role").length, 3, "two device roles and the session API function's");
            assert.deepEqual(await violations("device-roles-only-stream", good), []);
        });

        it("fails the public samples' pattern: AmazonRekognitionFullAccess attached to the guest role", async () => {
            const fullAccess = [
                ...good,
                {
                    type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                    name: "guest-full-access",
                    props: { role: roleName(), policyArn: "arn:aws:iam::aws:policy/AmazonRekognitionFullAccess" },
                },
            ];
            assert.deepEqual(await violations("device-roles-only-stream", fullAccess), [
                message("the managed policy arn:aws:iam::aws:policy/AmazonRekognitionFullAccess, which this rule cannot read"),
            ]);
        });

        it("fails other Rekognition actions, S3, KMS and IAM actions and NotAction, wherever the role holds them", async () => {
            const wider = [
                ...replaced(good, "good-device-guest", (p) => ({
                    ...p,
                    inlinePolicies: [
                        { name: "extra", policy: JSON.stringify({ Statement: { Effect: "Allow", NotAction: "iam:*", Resource: "*" } }) },
                    ],
                })),
                {
                    type: "aws:iam/rolePolicy:RolePolicy",
                    name: "guest-wider",
                    props: {
                        role: roleName(),
                        policy: JSON.stringify({
                            Statement: [
                                {
                                    Effect: "Allow",
                                    Action: ["rekognition:StartFaceLivenessSession", "rekognition:Start*", "s3:GetObject"],
                                    Resource: "*",
                                },
                                { Effect: "Allow", Action: ["kms:Decrypt", "iam:PassRole", "logs:PutLogEvents"], Resource: "*" },
                                { Effect: "Deny", Action: "s3:*", Resource: "*" },
                            ],
                        }),
                    },
                },
            ];
            assert.deepEqual(await violations("device-roles-only-stream", wider), [
                message(
                    "every action but iam:* (NotAction) (inline policy extra); rekognition:Start* (role policy guest-wider); " +
                        "s3:GetObject (role policy guest-wider); kms:Decrypt (role policy guest-wider); iam:PassRole (role policy guest-wider)",
                ),
            ]);
        });

        it("reads a policy the stack manages when it is attached, and leaves roles no identity pool trusts alone", async () => {
            const managed = [
                ...good,
                {
                    type: "aws:iam/policy:Policy",
                    name: "stream-and-read",
                    props: {
                        arn: "arn:aws:iam::123456789012:policy/stream-and-read",
                        policy: JSON.stringify({ Statement: { Effect: "Allow", Action: "s3:GetObject", Resource: "*" } }),
                    },
                },
                {
                    type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                    name: "guest-managed",
                    props: { role: roleName(), policyArn: "arn:aws:iam::123456789012:policy/stream-and-read" },
                },
                {
                    type: "aws:iam/role:Role",
                    name: "backend-role",
                    props: {
                        name: "backend-role",
                        assumeRolePolicy: JSON.stringify({
                            Statement: { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
                        }),
                        managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonRekognitionFullAccess"],
                    },
                },
            ];
            assert.deepEqual(await violations("device-roles-only-stream", managed), [message("s3:GetObject (policy stream-and-read)")]);
        });

        it("passes execute-api:Invoke on the session API's two routes, and fails it on anything more", async () => {
            assert.deepEqual(
                good.filter((r) => r.name.startsWith("good-api-invoke")).map((r) => r.name),
                ["good-api-invoke-signed-in"],
                "the component gives the signed-in devices' role the routes, and the guests' role nothing",
            );
            const api = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5";
            // The same grant on the guests' role is refused: guests stream only.
            const guestInvoke = [
                ...good,
                {
                    type: "aws:iam/rolePolicy:RolePolicy",
                    name: "guest-invoke",
                    props: {
                        role: roleName(),
                        policy: good.find((r) => r.name === "good-api-invoke-signed-in")!.props.policy,
                    },
                },
            ];
            assert.deepEqual(await violations("device-roles-only-stream", guestInvoke), [
                message(`execute-api:Invoke on ${api}/$default/POST/sessions, ${api}/$default/GET/sessions/* (role policy guest-invoke)`),
            ]);
            const wider = [
                ...good,
                {
                    type: "aws:iam/rolePolicy:RolePolicy",
                    name: "guest-invoke-all",
                    props: {
                        role: roleName(),
                        policy: JSON.stringify({
                            Statement: [
                                { Effect: "Allow", Action: "execute-api:Invoke", Resource: [`${api}/$default/POST/sessions`, `${api}/*`] },
                                { Effect: "Allow", Action: "execute-api:ManageConnections", Resource: `${api}/$default/POST/sessions` },
                            ],
                        }),
                    },
                },
            ];
            assert.deepEqual(await violations("device-roles-only-stream", wider), [
                message(
                    `execute-api:Invoke on ${api}/$default/POST/sessions, ${api}/* (role policy guest-invoke-all); ` +
                        `execute-api:ManageConnections on ${api}/$default/POST/sessions (role policy guest-invoke-all)`,
                ),
            ]);
        });
    });

    describe("liveness-api-routes-authorized", () => {
        it("passes the component's routes (AWS_IAM here), and fails one left open or without its authorizer", async () => {
            const routes = good.filter((r) => r.type === "aws:apigatewayv2/route:Route");
            assert.deepEqual(
                routes.map((r) => [r.name, r.props.authorizationType]),
                [
                    ["good-api-create", "AWS_IAM"],
                    ["good-api-read", "AWS_IAM"],
                ],
            );
            const open = replaced(
                replaced(good, "good-api-read", (p) => ({ ...p, authorizationType: "NONE" })),
                "good-api-create",
                (p) => ({ ...p, authorizationType: "JWT" }),
            );
            assert.deepEqual(await violations("liveness-api-routes-authorized", open), [
                "Route good-api-create (POST /sessions) of the liveness session API good-api has authorization JWT without an authorizer: anyone could create sessions or read verdicts; use LivenessSetup's api.auth (AWS_IAM or a JWT authorizer).",
                "Route good-api-read (GET /sessions/{sessionId}) of the liveness session API good-api has authorization NONE: anyone could create sessions or read verdicts; use LivenessSetup's api.auth (AWS_IAM or a JWT authorizer).",
            ]);
            // An API without a liveness function is not this rule's.
            const otherFunction = replaced(open, "good-api-handler", (p) => (p.environment ? { ...p, environment: { variables: {} } } : p));
            assert.deepEqual(await violations("liveness-api-routes-authorized", otherFunction), []);
        });
    });
});
