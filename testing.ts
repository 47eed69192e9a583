/**
 * `pulumi-rekognition-liveness/testing`: Pulumi mocks for unit tests of programs that use this package, as Pulumi's
 * testing guide describes (`pulumi.runtime.setMocks`). They answer what `LivenessSetup` (with every option, `api` and
 * `deviceIdentity` included) and `FaceLivenessSession` need (the invokes `aws.getRegion`, `getPartition` and
 * `getCallerIdentity`, a session's id and outputs, and the names, ARNs and URLs of the bucket, key, identity pool,
 * roles, table, log groups, function, API and stage) and hand everything else to your own mocks.
 *
 * @example
 * import * as pulumi from "@pulumi/pulumi";
 * import { livenessMocks } from "pulumi-rekognition-liveness/testing";
 *
 * pulumi.runtime.setMocks(livenessMocks({ region: "eu-west-1" }), "project", "stack", false);
 * const { kyc } = await import("./index"); // your program
 */
import type * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { faceLivenessSessionType, pluginSessionType } from "./providers/faceLivenessSession";
import { internalInputs } from "./providers/faceLivenessApi";

export { faceLivenessSessionType };

/** What the mocks answer with. */
export interface LivenessMocksOptions {
    /** The region `aws.getRegion` answers and sessions are created in. @default "us-east-1" */
    readonly region?: string;
    /** The account `aws.getCallerIdentity` answers. @default "123456789012" */
    readonly accountId?: string;
    /** Your own mocks, asked first: answer `undefined` to leave a resource or call to these. @default - none */
    readonly mocks?: {
        newResource?: (
            args: pulumi.runtime.MockResourceArgs,
        ) => pulumi.runtime.MockResourceResult | undefined | Promise<pulumi.runtime.MockResourceResult | undefined>;
        call?: (
            args: pulumi.runtime.MockCallArgs,
        ) => pulumi.runtime.MockCallResult | undefined | Promise<pulumi.runtime.MockCallResult | undefined>;
    };
}

/** A UUID made from a resource's name, so that a test sees the same SessionId on every run. */
function uuidFrom(name: string): string {
    const hex = createHash("sha256").update(name).digest("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Mocks that answer like AWS and the Face Liveness provider would, for `pulumi.runtime.setMocks`. */
export function livenessMocks(options: LivenessMocksOptions = {}): pulumi.runtime.Mocks {
    const region = options.region ?? "us-east-1";
    const accountId = options.accountId ?? "123456789012";
    return {
        async newResource(args) {
            const own = await options.mocks?.newResource?.(args);
            if (own !== undefined) return own;
            const inputs = args.inputs as Record<string, unknown>;
            switch (args.type) {
                case faceLivenessSessionType:
                case pluginSessionType: {
                    const sessionId = uuidFrom(args.name);
                    const state = Object.fromEntries(Object.entries(inputs).filter(([key]) => !internalInputs.includes(key)));
                    return {
                        id: sessionId,
                        state: {
                            ...state,
                            sessionId,
                            status: "CREATED",
                            region: inputs.region ?? region,
                            clientRequestToken: inputs.clientRequestToken ?? uuidFrom(`${args.name}/token`),
                        },
                    };
                }
                case "aws:s3/bucket:Bucket": {
                    const bucket = (inputs.bucket as string | undefined) ?? `${args.name}-mock`;
                    return { id: bucket, state: { ...inputs, bucket, arn: `arn:aws:s3:::${bucket}`, region } };
                }
                case "aws:kms/key:Key": {
                    const keyId = uuidFrom(args.name);
                    return { id: keyId, state: { ...inputs, keyId, arn: `arn:aws:kms:${region}:${accountId}:key/${keyId}` } };
                }
                case "aws:cognito/identityPool:IdentityPool": {
                    const poolId = `${region}:${uuidFrom(args.name)}`;
                    return {
                        id: poolId,
                        state: { ...inputs, arn: `arn:aws:cognito-identity:${region}:${accountId}:identitypool/${poolId}` },
                    };
                }
                case "aws:iam/role:Role": {
                    const name = (inputs.name as string | undefined) ?? args.name;
                    return { id: name, state: { ...inputs, name, arn: `arn:aws:iam::${accountId}:role/${name}` } };
                }
                // The session API's resources (`api`).
                case "aws:dynamodb/table:Table": {
                    const name = (inputs.name as string | undefined) ?? `${args.name}-mock`;
                    return { id: name, state: { ...inputs, name, arn: `arn:aws:dynamodb:${region}:${accountId}:table/${name}` } };
                }
                case "aws:cloudwatch/logGroup:LogGroup": {
                    const name = (inputs.name as string | undefined) ?? `${args.name}-mock`;
                    return { id: name, state: { ...inputs, name, arn: `arn:aws:logs:${region}:${accountId}:log-group:${name}` } };
                }
                case "aws:lambda/function:Function": {
                    const name = (inputs.name as string | undefined) ?? `${args.name}-mock`;
                    const arn = `arn:aws:lambda:${region}:${accountId}:function:${name}`;
                    const invokeArn = `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`;
                    return { id: name, state: { ...inputs, name, arn, invokeArn } };
                }
                case "aws:apigatewayv2/api:Api": {
                    const apiId = uuidFrom(args.name).slice(0, 10);
                    return {
                        id: apiId,
                        state: {
                            ...inputs,
                            apiEndpoint: `https://${apiId}.execute-api.${region}.amazonaws.com`,
                            executionArn: `arn:aws:execute-api:${region}:${accountId}:${apiId}`,
                        },
                    };
                }
                case "aws:apigatewayv2/stage:Stage": {
                    const apiId = String(inputs.apiId);
                    const stage = inputs.name === "$default" ? "" : `${String(inputs.name)}/`;
                    return {
                        id: String(inputs.name),
                        state: { ...inputs, invokeUrl: `https://${apiId}.execute-api.${region}.amazonaws.com/${stage}` },
                    };
                }
                default:
                    return { id: `${args.name}-id`, state: inputs };
            }
        },
        async call(args) {
            const own = await options.mocks?.call?.(args);
            if (own !== undefined) return own;
            switch (args.token) {
                case "aws:index/getRegion:getRegion":
                    return { region, name: region, id: region };
                case "aws:index/getPartition:getPartition":
                    return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
                case "aws:index/getCallerIdentity:getCallerIdentity":
                    return { accountId, arn: `arn:aws:iam::${accountId}:user/test`, userId: "AIDATEST", id: accountId };
                default:
                    return args.inputs;
            }
        },
    };
}
