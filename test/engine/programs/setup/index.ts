// A LivenessSetup whose arguments come whole from the stack's config `args`, as a YAML-minded user writes them.
import * as pulumi from "@pulumi/pulumi";
import { LivenessSetup, LivenessSetupArgs } from "../../../../components/livenessSetup";

const setup = new LivenessSetup("kyc", new pulumi.Config().requireObject<LivenessSetupArgs>("args"));
export const sessionIds = setup.sessionIds;
