// The policy pack: `pulumi preview --policy-pack policy` from the repository root (dependencies come from the root's
// node_modules). The rules are in policies.ts.
import { PolicyPack } from "@pulumi/policy";
import { livenessPolicies } from "./policies";

new PolicyPack("rekognition-liveness", { policies: livenessPolicies });
