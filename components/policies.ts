/**
 * The IAM, key and bucket policy documents of a `LivenessSetup`, as pure functions of plain values, so that each can
 * be read and tested statement by statement without Pulumi.
 *
 * @see https://docs.aws.amazon.com/rekognition/latest/dg/face-liveness-prerequisites.html
 */

export interface PolicyStatement {
    Sid: string;
    Effect: "Allow" | "Deny";
    Principal?: "*" | { AWS: string | string[] } | { Federated: string } | { Service: string };
    Action: string | string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

/** A trust policy: who may assume a role (no Resource). */
export interface TrustStatement extends Omit<PolicyStatement, "Resource"> {
    Principal: { Federated: string };
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

/** The KMS actions a principal needs to have Face Liveness encrypt images with a key, and to read them back. */
export const imageKeyActions = ["kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt"];

/**
 * The services that use a setup's key on a principal's behalf, named as `kms:ViaService` values: Rekognition (the
 * images a session holds, `KmsKeyId`), S3 (the bucket's default encryption, when the service writes or a backend
 * reads an image) and DynamoDB (the session API's table). A principal holding these never uses the key directly.
 * AWS lists each in "Services that support the kms:ViaService condition key" (AWS KMS Developer Guide), with the
 * `.amazonaws.com` suffix in every partition.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 */
type KeyUsingService = "rekognition" | "s3" | "dynamodb";

/** A service's `kms:ViaService` name in a region. */
function viaService(service: KeyUsingService, region: string): string {
    return `${service}.${region}.amazonaws.com`;
}

/** The services through which Face Liveness images are encrypted and read: Rekognition's own and the bucket's. */
const imageServices: KeyUsingService[] = ["rekognition", "s3"];

/** `actions` on the key, only when one of `services` makes the request for the principal. */
function keyThroughServices(
    sid: string,
    actions: string[],
    resource: string,
    services: KeyUsingService[],
    region: string,
): PolicyStatement {
    const names = services.map((service) => viaService(service, region));
    return {
        Sid: sid,
        Effect: "Allow",
        Action: actions,
        Resource: resource,
        Condition: { StringEquals: { "kms:ViaService": names.length === 1 ? names[0] : names } },
    };
}

/** The two Face Liveness actions a backend uses: they have no resource type, hence `*`. */
const createAndReadSessions: PolicyStatement = {
    Sid: "CreateAndReadLivenessSessions",
    Effect: "Allow",
    Action: ["rekognition:CreateFaceLivenessSession", "rekognition:GetFaceLivenessSessionResults"],
    Resource: "*",
};

/** The key prefix under which every session of a setup writes, one folder per session. */
export const sessionsPrefix = "sessions/";

/** Where a session writes its images: a distinct folder per session name. */
export function sessionKeyPrefix(sessionName: string): string {
    return `${sessionsPrefix}${sessionName}/`;
}

/**
 * What the backend (the code that creates sessions and reads their results) needs, and nothing more: the two
 * Face Liveness actions (which have no resource type, hence `*`), writing images under the sessions' prefix, and the
 * image key's actions on that one key, through Rekognition and S3 only.
 */
export function backendPolicy(args: { bucketArn: string; kmsKeyArn: string; region: string; readImages: boolean }): PolicyDocument {
    const objects = `${args.bucketArn}/${sessionsPrefix}*`;
    return {
        Version: "2012-10-17",
        Statement: [
            createAndReadSessions,
            {
                Sid: args.readImages ? "WriteAndReadSessionImages" : "WriteSessionImages",
                Effect: "Allow",
                Action: args.readImages ? ["s3:PutObject", "s3:GetObject"] : ["s3:PutObject"],
                Resource: objects,
            },
            keyThroughServices("UseImageKey", imageKeyActions, args.kmsKeyArn, imageServices, args.region),
        ],
    };
}

/** What a device (a browser or app, through Cognito or STS-vended credentials) needs: streaming to a session only. */
export function frontendPolicy(): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{ Sid: "StreamLivenessSessions", Effect: "Allow", Action: "rekognition:StartFaceLivenessSession", Resource: "*" }],
    };
}

/** The service that vends an identity pool's credentials, and the claims its web identity tokens carry. */
export const cognitoIdentity = "cognito-identity.amazonaws.com";

/**
 * Who may assume a device role: identities of this one identity pool (`aud`), signed in or not as the role is for
 * (`amr`), through Cognito's web identity tokens. Without the `aud` condition any identity pool in any account could
 * hand out this role; without `amr`, a guest could take the signed-in role.
 *
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html
 */
export function deviceRoleTrustPolicy(args: { identityPoolId: string; signedIn: boolean }): {
    Version: "2012-10-17";
    Statement: TrustStatement[];
} {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: args.signedIn ? "SignedInDevicesOfThisPool" : "GuestDevicesOfThisPool",
                Effect: "Allow",
                Principal: { Federated: cognitoIdentity },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: { [`${cognitoIdentity}:aud`]: args.identityPoolId },
                    "ForAnyValue:StringLike": { [`${cognitoIdentity}:amr`]: args.signedIn ? "authenticated" : "unauthenticated" },
                },
            },
        ],
    };
}

/**
 * The image key's policy. The account root keeps full control, as in AWS's default key policy, so the key can
 * never be locked out and IAM policies (such as the backend policy) can grant its use; named backend principals
 * are also granted the image actions directly, through Rekognition and S3 as in the backend policy.
 */
export function keyPolicy(args: { partition: string; accountId: string; region: string; backendPrincipalArns: string[] }): PolicyDocument {
    const statements: PolicyStatement[] = [
        {
            Sid: "AccountAdministersKey",
            Effect: "Allow",
            Principal: { AWS: `arn:${args.partition}:iam::${args.accountId}:root` },
            Action: "kms:*",
            Resource: "*",
        },
    ];
    if (args.backendPrincipalArns.length > 0) {
        statements.push({
            ...keyThroughServices("BackendUsesKeyForImages", imageKeyActions, "*", imageServices, args.region),
            Principal: { AWS: args.backendPrincipalArns },
        });
    }
    return { Version: "2012-10-17", Statement: statements };
}

/** The bucket's policy: every request without TLS is denied, whoever makes it. */
export function tlsOnlyBucketPolicy(bucketArn: string): PolicyDocument {
    return {
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
    };
}

/** Where the session API's sessions write their images: a prefix of its own, beside the declared sessions'. */
export const apiSessionsPrefix = "api-sessions/";

/** Who may assume the session API's function role: Lambda, for functions of this account only. */
export function lambdaTrustPolicy(accountId: string): object {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "LambdaOfThisAccount",
                Effect: "Allow",
                Principal: { Service: "lambda.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": accountId } },
            },
        ],
    };
}

/**
 * What the session API's function uses, and nothing more: the two Face Liveness actions (no resource type, hence
 * `*`), writing images under the API's prefix, the key through the three services that use it for the function
 * (the images and the table's records), the items of its own table (GetItem, PutItem, UpdateItem, and
 * ConditionCheckItem for the transaction that admits a session), its own log group, and publishing events of its own
 * source on the default bus.
 */
export function sessionApiPolicy(args: {
    bucketArn: string;
    kmsKeyArn: string;
    region: string;
    tableArn: string;
    logGroupArn: string;
    eventBusArn: string;
    eventSource: string;
}): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            createAndReadSessions,
            { Sid: "WriteApiSessionImages", Effect: "Allow", Action: "s3:PutObject", Resource: `${args.bucketArn}/${apiSessionsPrefix}*` },
            keyThroughServices("UseKeyForImagesAndRecords", imageKeyActions, args.kmsKeyArn, [...imageServices, "dynamodb"], args.region),
            {
                Sid: "SessionRecords",
                Effect: "Allow",
                Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"],
                Resource: args.tableArn,
            },
            { Sid: "OwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${args.logGroupArn}:*` },
            {
                Sid: "PublishVerdicts",
                Effect: "Allow",
                Action: "events:PutEvents",
                Resource: args.eventBusArn,
                Condition: { StringEquals: { "events:source": args.eventSource } },
            },
        ],
    };
}

/**
 * What the app's other services need to trust a verdict rather than the device: reading the session records (one
 * GetItem, or the owner's latest verdict through the index), and decrypting them, through DynamoDB only.
 */
export function verdictReaderPolicy(args: { tableArn: string; kmsKeyArn: string; region: string }): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ReadVerdicts",
                Effect: "Allow",
                Action: ["dynamodb:GetItem", "dynamodb:Query"],
                Resource: [args.tableArn, `${args.tableArn}/index/*`],
            },
            keyThroughServices("DecryptVerdicts", ["kms:Decrypt", "kms:DescribeKey"], args.kmsKeyArn, ["dynamodb"], args.region),
        ],
    };
}

/** The session API's two routes, as `execute-api` resources of its `$default` stage. */
export function apiRouteArns(executionArn: string): string[] {
    return [`${executionArn}/$default/POST/sessions`, `${executionArn}/$default/GET/sessions/*`];
}

/** What a device role gets with an IAM-authorized session API: calling its two routes, nothing more. */
export function deviceInvokePolicy(executionArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{ Sid: "CallLivenessSessionApi", Effect: "Allow", Action: "execute-api:Invoke", Resource: apiRouteArns(executionArn) }],
    };
}
