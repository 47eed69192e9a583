// The package's entry: re-exports only, so that importing it declares no resource.
export { DeviceConfig, DeviceIdentityArgs, LivenessSessionOptions, LivenessSetup, LivenessSetupArgs } from "./components/livenessSetup";
export { SessionApiArgs, SessionApiJwtAuth } from "./components/sessionApi";
export {
    PolicyDocument,
    PolicyStatement,
    backendPolicy,
    frontendPolicy,
    keyPolicy,
    tlsOnlyBucketPolicy,
    verdictReaderPolicy,
} from "./components/policies";
export { defaultEventSource, sessionTable, verdictEventDetailType } from "./runtime/sessionApi/config";
export {
    ChallengePreference,
    ChallengeType,
    FaceLivenessSession,
    FaceLivenessSessionArgs,
    FaceLivenessSessionInputs,
    FaceLivenessSessionOutputs,
    FaceLivenessSessionSettings,
    FaceLivenessSessionSettingsArgs,
    OutputConfig,
    SessionStatus,
    faceLivenessSessionProvider,
} from "./providers/faceLivenessSession";
export { defaultRequestsPerSecond, faceLivenessRegions } from "./providers/faceLivenessApi";
