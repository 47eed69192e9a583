/**
 * Rules a platform team can enforce on any stack that uses Face Liveness sessions: the storage of biometric images
 * is private, TLS-only, encrypted with KMS and expiring; sessions write only there, with a customer managed key and
 * a bounded number of audit images; backend policies name their actions. Each rule is a policy of
 * `@pulumi/policy`, tested by calling it on resources captured from the component (test/policy.spec.ts).
 *
 * Values not known yet (during preview) are skipped: a rule reports only what it can see.
 */
import { PolicyResource, ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { apiRouteArns } from "../components/policies";
import { authModeVariable } from "../runtime/sessionApi/config";

/** A session's type: from TypeScript programs (the dynamic provider), and from every other language (the plugin). */
export const SESSION_TYPES = ["pulumi-nodejs:dynamic/rekognition:FaceLivenessSession", "liveness:index:FaceLivenessSession"];
const isSession = (type: string) => SESSION_TYPES.includes(type);
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const MANAGED_POLICY = "aws:iam/policy:Policy";
/** The service that vends a Cognito identity pool's credentials: a role trusting it is a device's role. */
const COGNITO_IDENTITY = "cognito-identity.amazonaws.com";
/** The one action a device's role may hold. */
const STREAM_ACTION = "rekognition:StartFaceLivenessSession";
const BUCKET = "aws:s3/bucket:Bucket";
const PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const FUNCTION = "aws:lambda/function:Function";
const API = "aws:apigatewayv2/api:Api";
const INTEGRATION = "aws:apigatewayv2/integration:Integration";
const API_ROUTE = "aws:apigatewayv2/route:Route";
const AUTHORIZER = "aws:apigatewayv2/authorizer:Authorizer";
const IAM_POLICIES = [
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/policy:Policy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
];

/** The policy config a platform team can set (`pulumi preview --policy-pack-config`). */
export interface LivenessPolicyConfig {
    /** The most audit images a session may ask for. @default 2 */
    maxAuditImagesLimit?: number;
}

/** The buckets sessions in the stack write to, by name, with the sessions that write there. */
function livenessBuckets(resources: PolicyResource[]): Map<string, PolicyResource[]> {
    const buckets = new Map<string, PolicyResource[]>();
    for (const session of resources.filter((r) => isSession(r.type))) {
        const bucket = session.props.settings?.outputConfig?.s3Bucket;
        if (typeof bucket === "string") buckets.set(bucket, [...(buckets.get(bucket) ?? []), session]);
    }
    return buckets;
}

/** The resources of `type` that configure the bucket named `bucket` (their `bucket` input is its name or id). */
const configuring = (resources: PolicyResource[], type: string, bucket: string) =>
    resources.filter((r) => r.type === type && r.props.bucket === bucket);

/**
 * The session APIs in the stack: each HTTP API with an integration whose function is a liveness session API's (it
 * carries the handler's auth-mode variable), with those integrations' ids and the API's routes as execute-api ARNs.
 */
function livenessApis(resources: PolicyResource[]): { api: PolicyResource; integrations: PolicyResource[]; routeArns: string[] }[] {
    const functions = resources.filter((r) => r.type === FUNCTION && r.props.environment?.variables?.[authModeVariable] !== undefined);
    const integrations = resources.filter(
        (r) => r.type === INTEGRATION && functions.some((fn) => linked(r, "integrationUri", fn, fn.props.arn)),
    );
    return resources
        .filter((r) => r.type === API)
        .map((api) => ({
            api,
            integrations: integrations.filter((i) => linked(i, "apiId", api, apiIdOf(api))),
            routeArns: typeof api.props.executionArn === "string" ? apiRouteArns(api.props.executionArn) : [],
        }))
        .filter(({ integrations }) => integrations.length > 0);
}

/** An HTTP API's id: its own, or the last part of its execution ARN. */
const apiIdOf = (api: PolicyResource): string | undefined =>
    api.props.id ?? (typeof api.props.executionArn === "string" ? api.props.executionArn.split(":").pop() : undefined);

/**
 * Whether `r` refers to `target`: its input `key` holds the target's `value`, or (at preview, before values are known)
 * it depends on the target.
 */
const linked = (r: PolicyResource, key: string, target: PolicyResource, value: unknown) =>
    (value !== undefined && r.props[key] === value) || r.dependencies.some((d) => d.urn === target.urn);

type Statement = {
    Effect?: string;
    Action?: string | string[];
    Resource?: string | string[];
    NotAction?: string | string[];
    Principal?: { Federated?: string | string[] };
    Condition?: Record<string, Record<string, unknown>>;
};
const statementsOf = (policyJson: unknown): Statement[] => {
    if (typeof policyJson !== "string") return [];
    try {
        const statement = JSON.parse(policyJson).Statement;
        return Array.isArray(statement) ? statement : [statement];
    } catch {
        return [];
    }
};
const actionsOf = (statement: { Action?: string | string[] }) => ([] as string[]).concat(statement.Action ?? []);

/**
 * What a statement grants that a device's role must not hold: any Rekognition action but streaming, any S3, KMS or
 * IAM action (wildcards included), and everything a NotAction leaves out.
 */
function forbiddenForDevices(statement: Statement, apiRouteArns: string[]): string[] {
    if (statement.Effect !== "Allow") return [];
    if (statement.NotAction !== undefined)
        return [`every action but ${([] as string[]).concat(statement.NotAction).join(", ")} (NotAction)`];
    const resources = ([] as string[]).concat(statement.Resource ?? []);
    return actionsOf(statement)
        .filter((action) => {
            const lower = action.toLowerCase();
            // Calling the session API's two routes, and nothing else of API Gateway.
            if (lower.startsWith("execute-api:")) {
                return lower !== "execute-api:invoke" || resources.some((resource) => !apiRouteArns.includes(resource));
            }
            return lower !== STREAM_ACTION.toLowerCase() && (lower.startsWith("*") || /^(rekognition|s3|kms|iam):/.test(lower));
        })
        .map((action) => (action.toLowerCase().startsWith("execute-api:") ? `${action} on ${resources.join(", ")}` : action));
}

/** Whether resource `r` names or depends on `role` (a role's policies name it by name, or by id). */
const concerns = (r: PolicyResource, role: PolicyResource) =>
    (r.props.role !== undefined && (r.props.role === role.props.name || r.props.role === role.props.id)) ||
    r.dependencies.some((d) => d.urn === role.urn);

/** What a role holds that a device must not, each in words. */
function forbiddenHeldBy(role: PolicyResource, resources: PolicyResource[]): string[] {
    // Guests may not call the session API: a guest identity is one unsigned call away for anyone.
    const routeArns = isGuestRole(role) ? [] : livenessApis(resources).flatMap((api) => api.routeArns);
    const fromDocument = (where: string, policyJson: unknown) =>
        statementsOf(policyJson)
            .flatMap((statement) => forbiddenForDevices(statement, routeArns))
            .map((grant) => `${grant} (${where})`);
    const held = (role.props.inlinePolicies ?? []).flatMap((p: { name?: string; policy?: unknown }) =>
        fromDocument(`inline policy ${p.name ?? ""}`.trim(), p.policy),
    );
    for (const rolePolicy of resources.filter((r) => r.type === ROLE_POLICY && concerns(r, role))) {
        held.push(...fromDocument(`role policy ${rolePolicy.name}`, rolePolicy.props.policy));
    }
    const attached: unknown[] = [
        ...(role.props.managedPolicyArns ?? []),
        ...resources.filter((r) => r.type === ROLE_POLICY_ATTACHMENT && concerns(r, role)).map((r) => r.props.policyArn),
    ];
    for (const arn of attached.filter((a): a is string => typeof a === "string")) {
        const managed = resources.find((r) => r.type === MANAGED_POLICY && r.props.arn === arn);
        if (managed !== undefined) held.push(...fromDocument(`policy ${managed.name}`, managed.props.policy));
        // A policy this stack does not manage (AWS's own, such as AmazonRekognitionFullAccess) cannot be read here.
        else held.push(`the managed policy ${arn}, which this rule cannot read`);
    }
    return held;
}

/** Whether a role is trusted for a pool's unauthenticated (guest) identities. */
function isGuestRole(role: PolicyResource): boolean {
    return statementsOf(role.props.assumeRolePolicy).some((s) =>
        Object.values((s.Condition ?? {}) as Record<string, Record<string, unknown>>).some((test) =>
            ([] as unknown[]).concat(test[`${COGNITO_IDENTITY}:amr`] ?? []).includes("unauthenticated"),
        ),
    );
}

/** A rule over every bucket sessions write to that this stack manages. */
function bucketRule(
    name: string,
    description: string,
    check: (bucket: string, resources: PolicyResource[]) => string | undefined,
): StackValidationPolicy {
    return {
        name,
        description,
        enforcementLevel: "mandatory",
        validateStack: (args, reportViolation: ReportViolation) => {
            for (const bucket of livenessBuckets(args.resources).keys()) {
                if (!args.resources.some((r) => r.type === BUCKET && r.props.bucket === bucket)) continue; // see sessions-write-to-managed-buckets
                const problem = check(bucket, args.resources);
                if (problem) reportViolation(`Liveness bucket ${bucket}: ${problem}`);
            }
        },
    };
}

export const livenessPolicies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    bucketRule("liveness-bucket-blocks-public-access", "Buckets holding liveness images block all public access.", (bucket, resources) => {
        const blocks = configuring(resources, PUBLIC_ACCESS_BLOCK, bucket);
        const flags = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
        return blocks.some((b) => flags.every((f) => b.props[f] === true))
            ? undefined
            : `needs a BucketPublicAccessBlock with ${flags.join(", ")} all true`;
    }),
    bucketRule("liveness-bucket-denies-non-tls", "Buckets holding liveness images deny requests made without TLS.", (bucket, resources) => {
        const deniesPlainHttp = configuring(resources, BUCKET_POLICY, bucket).some((p) =>
            statementsOf(p.props.policy).some((s) => s.Effect === "Deny" && String(s.Condition?.Bool?.["aws:SecureTransport"]) === "false"),
        );
        return deniesPlainHttp ? undefined : 'needs a bucket policy that denies requests where "aws:SecureTransport" is "false"';
    }),
    bucketRule("liveness-bucket-uses-sse-kms", "Buckets holding liveness images encrypt them with KMS by default.", (bucket, resources) => {
        const kms = configuring(resources, ENCRYPTION, bucket).some((e) =>
            (e.props.rules ?? []).some((rule: any) => String(rule.applyServerSideEncryptionByDefault?.sseAlgorithm).startsWith("aws:kms")),
        );
        return kms ? undefined : "needs default encryption with sseAlgorithm aws:kms";
    }),
    bucketRule("liveness-bucket-expires-images", "Buckets holding liveness images expire them.", (bucket, resources) => {
        const expires = configuring(resources, LIFECYCLE, bucket).some((l) =>
            (l.props.rules ?? []).some((rule: any) => rule.status === "Enabled" && typeof rule.expiration?.days === "number"),
        );
        return expires ? undefined : "needs an enabled lifecycle rule with expiration days";
    }),
    {
        name: "sessions-write-to-managed-buckets",
        description: "Liveness sessions write their images only to buckets this stack manages (and so the rules above can check).",
        enforcementLevel: "mandatory",
        validateStack: (args, reportViolation) => {
            for (const [bucket, sessions] of livenessBuckets(args.resources)) {
                if (!args.resources.some((r) => r.type === BUCKET && r.props.bucket === bucket)) {
                    for (const session of sessions)
                        reportViolation(`Session ${session.name} writes to ${bucket}, a bucket this stack does not manage`, session.urn);
                }
            }
        },
    },
    {
        name: "session-sets-kms-key",
        description: "Liveness sessions encrypt their images with a customer managed KMS key (kmsKeyId).",
        enforcementLevel: "mandatory",
        validateResource: (args, reportViolation) => {
            if (isSession(args.type) && !args.props.kmsKeyId) reportViolation(`Session ${args.name} sets no kmsKeyId`);
        },
    },
    {
        name: "session-bounds-audit-images",
        description: "Liveness sessions ask for no more audit images than the configured bound.",
        enforcementLevel: "mandatory",
        configSchema: { properties: { maxAuditImagesLimit: { type: "integer", minimum: 0, maximum: 4, default: 2 } } },
        validateResource: (args, reportViolation) => {
            if (!isSession(args.type)) return;
            const max = args.getConfig<LivenessPolicyConfig>().maxAuditImagesLimit ?? 2;
            const asked = args.props.settings?.auditImagesLimit;
            if (typeof asked === "number" && asked > max)
                reportViolation(`Session ${args.name} asks for ${asked} audit images; at most ${max} allowed`);
        },
    },
    {
        name: "liveness-backend-policy-names-actions",
        description: "IAM policies that grant Face Liveness actions list every action by name: no wildcard actions.",
        enforcementLevel: "mandatory",
        validateResource: (args, reportViolation) => {
            if (!IAM_POLICIES.includes(args.type)) return;
            const statements = statementsOf(args.props.policy).filter((s) => s.Effect === "Allow");
            const actions = statements.flatMap(actionsOf);
            if (!actions.some((a) => a === "*" || a.toLowerCase().startsWith("rekognition:"))) return;
            const wildcards = actions.filter((a) => a.includes("*"));
            if (wildcards.length > 0)
                reportViolation(`${args.name} grants wildcard actions ${wildcards.join(", ")} where Face Liveness actions must be named`);
        },
    },
    {
        name: "device-roles-only-stream",
        description:
            "A role trusted by a Cognito identity pool (a device's, or any visitor's with guest access) holds no Rekognition " +
            "action but rekognition:StartFaceLivenessSession, and no S3, KMS or IAM action; only a signed-in devices' role " +
            "may also call the session API's two routes.",
        enforcementLevel: "mandatory",
        validateStack: (args, reportViolation) => {
            const deviceRoles = args.resources.filter(
                (r) =>
                    r.type === ROLE &&
                    statementsOf(r.props.assumeRolePolicy).some(
                        (s) => s.Effect === "Allow" && ([] as string[]).concat(s.Principal?.Federated ?? []).includes(COGNITO_IDENTITY),
                    ),
            );
            for (const role of deviceRoles) {
                const held = forbiddenHeldBy(role, args.resources);
                if (held.length === 0) continue;
                reportViolation(
                    `Role ${role.name} is trusted by a Cognito identity pool, so every device (and, with guest access, every ` +
                        `visitor) can use what it holds: ${held.join("; ")}. A device needs only ${STREAM_ACTION} (and ` +
                        "execute-api:Invoke on the session API's two routes, for signed-in devices only): give it " +
                        "LivenessSetup's frontendPolicyJson (or use LivenessSetup's deviceIdentity) instead of AmazonRekognitionFullAccess or any wider policy.",
                    role.urn,
                );
            }
        },
    },
    {
        name: "liveness-api-routes-authorized",
        description:
            "Every route of an HTTP API with an integration of a liveness session API's function is authorized (AWS_IAM, or " +
            "JWT or CUSTOM with an authorizer): the API creates sessions and answers verdicts for the caller it identifies.",
        enforcementLevel: "mandatory",
        validateStack: (args, reportViolation) => {
            // Every route of such an API: whatever it targets, it shares the API with the sessions and verdicts.
            for (const { api } of livenessApis(args.resources)) {
                const routes = args.resources.filter((r) => r.type === API_ROUTE && linked(r, "apiId", api, apiIdOf(api)));
                for (const route of routes) {
                    const kind = route.props.authorizationType ?? "NONE";
                    // At preview an authorizer's id is not known yet: the route's dependency on it says as much.
                    const hasAuthorizer =
                        typeof route.props.authorizerId === "string" || route.dependencies.some((d) => d.type === AUTHORIZER);
                    const authorized = kind === "AWS_IAM" || ((kind === "JWT" || kind === "CUSTOM") && hasAuthorizer);
                    if (!authorized) {
                        reportViolation(
                            `Route ${route.name} (${route.props.routeKey}) of the liveness session API ${api.name} has authorization ` +
                                `${kind}${!hasAuthorizer && kind !== "NONE" ? " without an authorizer" : ""}: ` +
                                "anyone could create sessions or read verdicts; use LivenessSetup's api.auth (AWS_IAM or a JWT authorizer).",
                            route.urn,
                        );
                    }
                }
            }
        },
    },
];
