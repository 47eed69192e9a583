/**
 * States written by earlier versions of this package hold their own provider text, which the engine runs for refresh
 * and destroy. Each frozen text (test/fixtures/provider-text-*.js) deploys a session through the real dynamic-provider
 * host; its state is imported into a stack; then today's CLI and code refresh it, upgrade it and destroy it.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { RekognitionEmulator } from "../../emulator/rekognitionEmulator";
import { ProviderHost } from "../support/providerHost";
import { stepsByOp } from "./support/pulumiCli";
import { EngineSuite } from "./support/layer";

const fixtures = path.join(__dirname, "../fixtures");
const OLDER_PROVIDER_TEXTS = fs.readdirSync(fixtures).filter((file) => file.startsWith("provider-text-"));
const settings = { auditImagesLimit: 1 };

describe("the real Pulumi engine: states written by older provider texts", function () {
    this.timeout(120_000);
    let suite: EngineSuite;
    let emulator: RekognitionEmulator;
    let host: ProviderHost;

    before(async function () {
        suite = await EngineSuite.start(this);
        emulator = suite.emulator;
        host = await ProviderHost.start({ ...process.env });
        await host.configure({ "aws:region": "us-east-1" });
    });
    after(async () => {
        await host?.stop();
        await suite?.close();
    });

    // One stack holding a session of each older text, so that one refresh, one up and one destroy (each running every
    // text side by side, as a state written across upgrades would) prove them all.
    it(`${OLDER_PROVIDER_TEXTS.join(", ")}: each refreshed by its own text, upgraded with no change to the session, destroyed`, async () => {
        const names = OLDER_PROVIDER_TEXTS.map((_, i) => `older${i}`);
        const stack = await suite.stack("sessions");
        try {
            await stack.setConfig("aws:region", "us-east-1");
            await stack.setConfig("sessions", JSON.stringify(Object.fromEntries(names.map((name) => [name, { settings }]))));
            await stack.ok(["up", "--yes", "--skip-preview"]);

            // The state each version wrote: its check and create, through the real host, in place of today's.
            const exported = JSON.parse((await stack.ok(["stack", "export"])).stdout);
            const written: Record<string, { id: string; text: string; file: string }> = {};
            for (const [i, file] of OLDER_PROVIDER_TEXTS.entries()) {
                const text = fs.readFileSync(path.join(fixtures, file), "utf8");
                const urn = stack.urn(names[i]);
                const checked = await host.check(urn, {}, { settings, __provider: text });
                const created = await host.create(urn, checked.inputs);
                const session = exported.deployment.resources.find((r: { urn: string }) => r.urn === urn);
                Object.assign(session, { id: created.id, inputs: checked.inputs, outputs: created.properties });
                written[names[i]] = { id: created.id, text, file };
                emulator.setStatus(created.id, "SUCCEEDED");
            }
            const deploymentFile = path.join(stack.dir, "older.json");
            fs.writeFileSync(deploymentFile, JSON.stringify(exported));
            await stack.ok(["stack", "import", "--file", deploymentFile]);

            await stack.ok(["refresh", "--yes"]);
            const refreshed = await stack.sessions();
            for (const [name, { id, text, file }] of Object.entries(written)) {
                assert.equal(refreshed[name].id, id, file);
                assert.equal(refreshed[name].outputs!.status, "SUCCEEDED", file);
                assert.equal(refreshed[name].outputs!.__provider, text, `${file}: refresh ran, and kept, the text that wrote the state`);
            }

            const upgrade = await stack.ok(["up", "--yes", "--skip-preview", "--expect-no-changes"]);
            assert.deepEqual(stepsByOp(upgrade), { same: [...names].sort() });
            const upgraded = await stack.sessions();
            for (const [name, { id, file }] of Object.entries(written)) assert.equal(upgraded[name].id, id, file);

            await stack.ok(["destroy", "--yes"]);
            assert.deepEqual((await stack.exportState()).resources, []);
            for (const { id, file } of Object.values(written))
                assert.ok(emulator.sessions.has(id), `${file}: destroy only forgets the session`);
        } finally {
            await stack.remove();
        }
    });
});
