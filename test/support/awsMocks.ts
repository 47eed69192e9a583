import * as pulumi from "@pulumi/pulumi";
import { faceLivenessSessionType, pluginSessionType } from "../../providers/faceLivenessSession";
import { NewResourceHook, mockPulumi } from "./mocks";

export const ACCOUNT_ID = "123456789012";

/**
 * What AWS would answer for the outputs the component reads (bucket names, key ARNs), so that programs see
 * realistic values; every other resource echoes its inputs. Mocks stand in for AWS here: the shapes of these values
 * are checked by the policy tests, not by AWS.
 */
export function awsState(args: pulumi.runtime.MockResourceArgs, region: string): { id: string; state: Record<string, any> } {
    switch (args.type) {
        case "aws:s3/bucket:Bucket": {
            const bucket = args.inputs.bucket ?? `${args.name}-0a1b2c3`;
            return { id: bucket, state: { ...args.inputs, bucket, arn: `arn:aws:s3:::${bucket}`, region } };
        }
        case "aws:kms/key:Key": {
            const keyId = `mrk-${args.name}`;
            return { id: keyId, state: { ...args.inputs, keyId, arn: `arn:aws:kms:${region}:${ACCOUNT_ID}:key/${keyId}` } };
        }
        case "aws:iam/role:Role": {
            // Named by Pulumi's auto-naming, as AWS then answers.
            const roleName = args.inputs.name ?? `${args.name}-0a1b2c3`;
            return { id: roleName, state: { ...args.inputs, name: roleName, arn: `arn:aws:iam::${ACCOUNT_ID}:role/${roleName}` } };
        }
        case "aws:cognito/identityPool:IdentityPool": {
            const poolId = `${region}:0f1e2d3c-4b5a-4978-8695-${args.name.length.toString().padStart(12, "0")}`;
            return {
                id: poolId,
                state: { ...args.inputs, arn: `arn:aws:cognito-identity:${region}:${ACCOUNT_ID}:identitypool/${poolId}` },
            };
        }
        case "aws:dynamodb/table:Table": {
            const name = `${args.name}-0a1b2c3`;
            return { id: name, state: { ...args.inputs, name, arn: `arn:aws:dynamodb:${region}:${ACCOUNT_ID}:table/${name}` } };
        }
        case "aws:cloudwatch/logGroup:LogGroup": {
            const name = `${args.name}-0a1b2c3`;
            return { id: name, state: { ...args.inputs, name, arn: `arn:aws:logs:${region}:${ACCOUNT_ID}:log-group:${name}` } };
        }
        case "aws:lambda/function:Function": {
            const name = `${args.name}-0a1b2c3`;
            const arn = `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${name}`;
            return {
                id: name,
                state: {
                    ...args.inputs,
                    name,
                    arn,
                    invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
                },
            };
        }
        case "aws:apigatewayv2/api:Api": {
            const apiId = "a1b2c3d4e5";
            return {
                id: apiId,
                state: {
                    ...args.inputs,
                    apiEndpoint: `https://${apiId}.execute-api.${region}.amazonaws.com`,
                    executionArn: `arn:aws:execute-api:${region}:${ACCOUNT_ID}:${apiId}`,
                },
            };
        }
        case "aws:apigatewayv2/stage:Stage":
            return { id: "$default", state: { ...args.inputs, invokeUrl: `https://a1b2c3d4e5.execute-api.${region}.amazonaws.com/` } };
        case faceLivenessSessionType:
        case pluginSessionType:
            // The provider does not run under mocks: a stand-in id (program.spec.ts creates real ones).
            return { id: `${args.name}-id`, state: { ...args.inputs, sessionId: `${args.name}-id`, status: "CREATED" } };
        default:
            return { id: `${args.name}-id`, state: args.inputs };
    }
}

/** Pulumi mocks answering like AWS in `region`, with `newResource` tried first for what a test handles itself. */
export function mockAws(options: { region?: string; preview?: boolean; project?: string; newResource?: NewResourceHook } = {}) {
    const defaultRegion = options.region ?? "us-east-1";
    // An explicit aws.Provider answers invokes in its own region, as the real one does.
    const providerRegions = new Map<string, string>();
    const regionOf = (providerRef?: string) => [...providerRegions].find(([id]) => providerRef?.endsWith(`::${id}`))?.[1] ?? defaultRegion;
    return mockPulumi({
        preview: options.preview,
        project: options.project,
        newResource: async (args) => {
            if (args.type === "pulumi:providers:aws" && args.inputs.region) {
                providerRegions.set(`${args.name}-id`, args.inputs.region);
            }
            return (await options.newResource?.(args)) ?? awsState(args, regionOf(args.provider));
        },
        calls: {
            "aws:index/getRegion:getRegion": (_inputs, provider) => {
                const region = regionOf(provider);
                return { region, name: region, id: region };
            },
            "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" }),
            "aws:index/getCallerIdentity:getCallerIdentity": () => ({
                accountId: ACCOUNT_ID,
                arn: `arn:aws:iam::${ACCOUNT_ID}:user/deployer`,
                userId: "AIDADEPLOYER",
                id: ACCOUNT_ID,
            }),
        },
    });
}
