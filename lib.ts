// The package's entry: re-exports only, so that importing it declares no resource.
export { DeviceConfig, DeviceIdentityArgs, LivenessSessionOptions, LivenessSetup, LivenessSetupArgs } from "./components/livenessSetup";
export { PolicyDocument, PolicyStatement, backendPolicy, frontendPolicy, keyPolicy, tlsOnlyBucketPolicy } from "./components/policies";
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
