// The example stack: hardened storage for Face Liveness images with the sessions declared beside it, configured from
// Pulumi.<stack>.yaml. Region and credentials come from the stack's aws:region / aws:profile or the AWS SDK's chain.
import * as pulumi from "@pulumi/pulumi";
import { DeviceIdentityArgs, LivenessSessionOptions, LivenessSetup } from "./components/livenessSetup";
import { SessionApiArgs } from "./components/sessionApi";

const config = new pulumi.Config();

const kyc = new LivenessSetup("kyc", {
    sessions: config.getObject<Record<string, LivenessSessionOptions>>("sessions") ?? { onboarding: {} },
    // A session lasts 3 minutes: let `pulumi refresh` drop an expired one so the next `pulumi up` makes a fresh one.
    sessionDefaults: { renewExpired: true },
    retentionDays: config.getNumber("retentionDays"),
    keyDeletionWindowDays: config.getNumber("keyDeletionWindowDays"),
    forceDestroy: config.getBoolean("forceDestroy"),
    tags: { project: pulumi.getProject(), stack: pulumi.getStack() },
    // Both off unless the stack's config sets them: `deviceIdentity: {allowGuests: true}` and `api: {}` give the
    // devices their identity and the session API a real app calls at run time (IAM auth with that identity).
    deviceIdentity: config.getObject<DeviceIdentityArgs>("deviceIdentity"),
    api: config.getObject<SessionApiArgs>("api"),
});

export const region = kyc.region;
export const sessionIds = kyc.sessionIds;
export const bucketName = kyc.bucketName;
export const kmsKeyArn = kyc.kmsKeyArn;
export const backendPolicyJson = kyc.backendPolicyJson;
export const frontendPolicyJson = kyc.frontendPolicyJson;
export const deviceConfig = kyc.deviceConfig;
export const apiUrl = kyc.apiUrl;
export const checksTableName = kyc.checksTableName;
export const verdictReaderPolicyJson = kyc.verdictReaderPolicyJson;
