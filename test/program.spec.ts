/**
 * The example stack (index.ts, configured by Pulumi.dev.yaml) as a whole program: Pulumi mocks stand in for the
 * engine and AWS, except that each FaceLivenessSession the component declares is created for real, by the provider
 * text the program serialized, against the emulator. So program → component → provider → service runs end to end.
 * The engine's own encoding of these calls is covered by the host scenarios.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { ACCOUNT_ID, mockAws } from "./support/awsMocks";
import { settle, unwrap } from "./support/mocks";
import { RekognitionEmulator, startEmulator } from "../emulator/rekognitionEmulator";

const projectDir = path.resolve(__dirname, "..");
const project = (yaml.load(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as { name: string }).name;
const stackConfig = (yaml.load(fs.readFileSync(path.join(projectDir, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> })
    .config;

/** Evaluates a provider text as the dynamic-provider host does, once per distinct text. */
const requireFromString = require(
    require.resolve("require-from-string", { paths: [path.dirname(require.resolve("@pulumi/pulumi/package.json"))] }),
);
const evaluated = new Map<string, Promise<pulumi.dynamic.ResourceProvider>>();
function providerFrom(text: string, config: Record<string, string>) {
    if (!evaluated.has(text)) {
        evaluated.set(
            text,
            (async () => {
                const provider: pulumi.dynamic.ResourceProvider = requireFromString(text).handler();
                await provider.configure!({ config: { get: (k: string) => config[k], require: (k: string) => config[k] } });
                return provider;
            })(),
        );
    }
    return evaluated.get(text)!;
}

describe("the example stack, with sessions created through the serialized provider", () => {
    let emulator: RekognitionEmulator;
    let restoreEnv: () => void;
    let stack: typeof import("../index");

    before(async () => {
        ({ emulator, restoreEnv } = await startEmulator());
        const region = String(stackConfig["aws:region"]);
        await mockAws({
            region,
            project,
            newResource: async (args) => {
                if (args.type !== "pulumi-nodejs:dynamic/rekognition:FaceLivenessSession") return undefined;
                const { __provider, ...inputs } = args.inputs;
                const provider = await providerFrom(__provider, { "aws:region": region });
                const { inputs: checked, failures } = await provider.check!({}, inputs);
                assert.deepEqual(failures, [], `check of ${args.name}`);
                const { id, outs } = await provider.create(checked);
                return { id, state: outs };
            },
        });
        pulumi.runtime.setAllConfig(
            Object.fromEntries(Object.entries(stackConfig).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])),
        );
        stack = await import("../index");
        await settle();
    });
    after(async () => {
        await emulator.stop();
        restoreEnv();
    });

    it("creates each configured session once, in the storage's region, writing to the setup's bucket and key", async () => {
        const kmsKeyArn = `arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/mrk-kyc-key`;
        const creates: Record<string, any>[] = emulator
            .calls("CreateFaceLivenessSession")
            .map((c) => ({ region: c.region, ...c.body, ClientRequestToken: typeof c.body.ClientRequestToken }));
        const bySession = Object.fromEntries(creates.map((c) => [c.Settings.OutputConfig.S3KeyPrefix, c]));
        assert.equal(creates.length, 2);
        assert.deepEqual(bySession["sessions/onboarding/"], {
            region: "us-east-1",
            KmsKeyId: kmsKeyArn,
            Settings: { OutputConfig: { S3Bucket: "kyc-images-0a1b2c3", S3KeyPrefix: "sessions/onboarding/" }, AuditImagesLimit: 2 },
            ClientRequestToken: "string",
        });
        assert.deepEqual(bySession["sessions/step-up/"], {
            region: "us-east-1",
            KmsKeyId: kmsKeyArn,
            Settings: {
                OutputConfig: { S3Bucket: "kyc-images-0a1b2c3", S3KeyPrefix: "sessions/step-up/" },
                ChallengePreferences: [{ Type: "FaceMovementChallenge" }],
            },
            ClientRequestToken: "string",
        });
    });

    it("exports the service's session ids, the storage and the policies", async () => {
        const sessionIds = await unwrap(stack.sessionIds);
        assert.deepEqual(Object.keys(sessionIds).sort(), ["onboarding", "step-up"]);
        assert.deepEqual(Object.values(sessionIds).sort(), [...emulator.sessions.keys()].sort());
        assert.equal(await unwrap(stack.region), "us-east-1");
        assert.equal(await unwrap(stack.bucketName), "kyc-images-0a1b2c3");
        assert.equal(await unwrap(stack.kmsKeyArn), `arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/mrk-kyc-key`);
        assert.equal(JSON.parse(await unwrap(stack.backendPolicyJson)).Statement[1].Resource, "arn:aws:s3:::kyc-images-0a1b2c3/sessions/*");
        assert.deepEqual(JSON.parse(await unwrap(stack.frontendPolicyJson)).Statement[0].Action, "rekognition:StartFaceLivenessSession");
    });

    it("declares neither the device identity nor the session API unless the stack's config asks", () => {
        assert.equal(stackConfig["rekognition-liveness:deviceIdentity"], undefined);
        assert.equal(stackConfig["rekognition-liveness:api"], undefined);
        assert.equal(stack.deviceConfig, undefined);
        assert.equal(stack.apiUrl, undefined);
        assert.equal(stack.checksTableName, undefined);
        assert.equal(stack.verdictReaderPolicyJson, undefined);
    });
});
