/**
 * The `liveness` provider plugin over gRPC, started from its entry as Pulumi runs it from source (`plugin/index.js`,
 * which loads the build in `bin/`), and driven as the engine drives a provider: plugin info, schema, Configure with
 * the provider's config, then check, create, read, diff and delete of a session against the emulator. Values travel
 * as protobuf Structs, secrets in the wire's secret form.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { pluginSessionType } from "../../providers/faceLivenessSession";
import { ProviderHost } from "../support/providerHost";
import { RekognitionEmulator, startEmulator } from "../../emulator/rekognitionEmulator";
import { UUID_PATTERN } from "../support/provider";

const projectDir = path.resolve(__dirname, "../..");
const urn = (name: string) => `urn:pulumi:test::consumer::${pluginSessionType}::${name}`;
const secret = (value: unknown) => ({ [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value });

describe("the liveness provider plugin over gRPC, from its entry", function () {
    this.timeout(60_000);
    let emulator: RekognitionEmulator;
    let restoreEnv: () => void;
    let plugin: ProviderHost;

    before(async () => {
        ({ emulator, restoreEnv } = await startEmulator());
        plugin = await ProviderHost.startPlugin({ ...process.env });
    });
    after(async () => {
        await plugin?.stop();
        await emulator.stop();
        restoreEnv();
    });

    it("reports the package's version, and the schema of both resources", async () => {
        const { version } = JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8"));
        assert.equal(await plugin.getPluginInfo(), version);
        const schema = await plugin.getSchema();
        assert.equal(schema.name, "liveness");
        assert.equal(schema.version, version);
        assert.deepEqual(Object.keys(schema.resources).sort(), ["liveness:index:FaceLivenessSession", "liveness:index:LivenessSetup"]);
    });

    it("takes its config from Configure, then checks, creates, reads and deletes a session", async () => {
        await plugin.configure({ region: "eu-west-1", requestsPerSecond: "3" });
        const checked = await plugin.check(urn("s"), {}, { kmsKeyId: secret("alias/kyc"), settings: { auditImagesLimit: 1 } });
        assert.deepEqual(checked, {
            inputs: { kmsKeyId: secret("alias/kyc"), settings: { auditImagesLimit: 1 }, region: "eu-west-1" },
            failures: [],
        });
        const created = await plugin.create(urn("s"), checked.inputs);
        assert.match(created.id, UUID_PATTERN);
        assert.deepEqual(created.properties, {
            ...checked.inputs,
            clientRequestToken: created.properties.clientRequestToken,
            sessionId: created.id,
            status: "CREATED",
        });
        assert.deepEqual(
            emulator.calls("CreateFaceLivenessSession").map((c) => [c.region, c.body.KmsKeyId]),
            [["eu-west-1", "alias/kyc"]],
        );
        const read = await plugin.read(created.id, urn("s"), created.properties, checked.inputs);
        assert.deepEqual(read.properties, created.properties);
        const diff = await plugin.diff(created.id, urn("s"), created.properties, { ...checked.inputs, settings: { auditImagesLimit: 2 } });
        assert.deepEqual(diff, { changes: "DIFF_SOME", replaces: ["settings"], deleteBeforeReplace: false });
        await plugin.delete(created.id, urn("s"), created.properties);
    });

    it("answers a bad value with a check failure naming the property, the value and what is allowed", async () => {
        const { failures } = await plugin.check(urn("bad"), {}, { settings: { auditImagesLimit: 5 } });
        assert.deepEqual(failures, [{ property: "", reason: "settings.auditImagesLimit must be an integer from 0 to 4, got 5" }]);
    });
});

describe("@pulumi/pulumi's provider server and Configure", function () {
    this.timeout(60_000);

    // plugin/main.ts reads the provider's config from the Configure request itself, because the SDK's server answers
    // Configure without handing the config to the provider (sdk/nodejs/provider/server.ts, checked up to 3.276). The
    // day this fails, the SDK passes the config: take the workaround out of plugin/main.ts.
    it("still answers Configure without handing the config to the provider, which is why plugin/main.ts reads it", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "liveness-configure-probe-"));
        const probe = path.join(dir, "configured.json");
        const server = await ProviderHost.startPlugin(
            { ...process.env, CONFIGURE_PROBE_FILE: probe },
            path.join(projectDir, "test", "fixtures", "configureProbe.js"),
        );
        try {
            await server.configure({ region: "eu-west-1" });
            assert.equal(
                fs.existsSync(probe),
                false,
                `the SDK handed Configure's config to the provider: ${fs.existsSync(probe) ? fs.readFileSync(probe, "utf8") : ""}`,
            );
        } finally {
            await server.stop();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
