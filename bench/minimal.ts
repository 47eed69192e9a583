/** The bench's baseline: a minimal one-call dynamic provider, and its resource. */
import * as pulumi from "@pulumi/pulumi";

/** One call, the AWS SDK's defaults (3 attempts, standard retry), no check, diff or read. */
export const minimalProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: { clientRequestToken: string; region: string }) {
        const { RekognitionClient, CreateFaceLivenessSessionCommand } = require("@aws-sdk/client-rekognition");
        const client = new RekognitionClient({ region: inputs.region });
        try {
            const response = await client.send(new CreateFaceLivenessSessionCommand({ ClientRequestToken: inputs.clientRequestToken }));
            return { id: response.SessionId, outs: { sessionId: response.SessionId } };
        } finally {
            client.destroy();
        }
    },
};

export class MinimalResource extends pulumi.dynamic.Resource {
    constructor(name: string, props: { clientRequestToken?: string; region?: string } = {}) {
        super(minimalProvider, name, props, {}, "bench", "Minimal");
    }
}
