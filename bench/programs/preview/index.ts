// `count` resources of one `kind`, for the bench's preview through the real engine (bench/run.ts):
//   session: FaceLivenessSessions;  minimal: resources of a one-call dynamic provider, the baseline.
import * as pulumi from "@pulumi/pulumi";
import { FaceLivenessSession } from "../../../providers/faceLivenessSession";
import { MinimalResource } from "../../minimal";

const config = new pulumi.Config();
const count = config.requireNumber("count");
const kind = config.require("kind");

for (let i = 0; i < count; i++) {
    if (kind === "session") new FaceLivenessSession(`s${i}`, { settings: { auditImagesLimit: 1 }, region: "us-east-1" });
    else new MinimalResource(`m${i}`, { clientRequestToken: `m${i}`, region: "us-east-1" });
}
