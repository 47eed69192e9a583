/**
 * A session's whole life through @pulumi/pulumi's real dynamic-provider host, each scenario named for the user action
 * it mirrors. The engine's part (deciding which call comes next, keeping state) is played by these tests, from what
 * the engine is documented to do; the host's part (evaluating the stored provider text, Struct encoding, the
 * sentinel for unknowns, configure) is the real code.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { unknownValue } from "../../providers/faceLivenessApi";
import { Props, ProviderHost, sessionUrn } from "../support/providerHost";
import { providerTextFromProgram } from "../support/providerText";
import { UUID_PATTERN } from "../support/provider";
import { RekognitionEmulator, SESSION_LIFETIME_MS, startEmulator } from "../support/rekognitionEmulator";

/** Provider texts that states written by earlier versions hold; frozen, so that later code must keep reading them. */
const fixtures = path.join(__dirname, "../fixtures");
const OLDER_PROVIDER_TEXTS = fs
    .readdirSync(fixtures)
    .filter((file) => file.startsWith("provider-text-"))
    .map((file) => ({ file, text: fs.readFileSync(path.join(fixtures, file), "utf8") }));
const settings = { outputConfig: { s3Bucket: "kyc-images", s3KeyPrefix: "sessions/onboarding/" }, auditImagesLimit: 2 };

describe("a session's life through the real dynamic-provider host", function () {
    let emulator: RekognitionEmulator;
    let restoreEnv: () => void;
    let host: ProviderHost;
    let providerText: string;

    before(async () => {
        providerText = await providerTextFromProgram();
        ({ emulator, restoreEnv } = await startEmulator());
        host = await ProviderHost.start({ ...process.env });
        // Credentials in both the environment and stack config: neither may reach any answer.
        await host.configure({
            "aws:region": "us-east-1",
            "aws:accessKey": emulator.accessKeyId,
            "aws:secretKey": emulator.secretAccessKey,
        });
    });
    after(async () => {
        await host?.stop();
        await emulator.stop();
        restoreEnv();
    });
    afterEach(function () {
        if (this.currentTest?.state === "failed" && host.stderr) {
            console.error(`provider host stderr:\n${host.stderr}`);
        }
    });

    /** What a program registers: its inputs and the provider text. */
    const program = (inputs: Props, text = providerText): Props => ({ ...inputs, __provider: text });

    /** `pulumi up` of a new session: check, then create with the checked inputs; returns what state keeps. */
    async function up(name: string, inputs: Props) {
        const checked = await host.check(sessionUrn(name), {}, program(inputs));
        assert.deepEqual(checked.failures, []);
        const created = await host.create(sessionUrn(name), checked.inputs);
        return { id: created.id, inputs: checked.inputs, outputs: created.properties };
    }

    it("preview of a new stack: bucket and key unknown, check passes, nothing is called", async () => {
        const before = emulator.requests.length;
        const news = program({
            kmsKeyId: unknownValue,
            settings: { outputConfig: { s3Bucket: unknownValue, s3KeyPrefix: "sessions/a/" } },
            region: unknownValue,
        });
        const { inputs, failures } = await host.check(sessionUrn("preview"), {}, news);
        assert.deepEqual(failures, []);
        assert.equal(inputs.kmsKeyId, unknownValue);
        assert.equal(inputs.settings.outputConfig.s3Bucket, unknownValue);
        assert.equal(inputs.__provider, providerText);
        assert.equal(emulator.requests.length, before, "no AWS call at preview");
    });

    it("preview with a mistake: check fails naming the property, the value and what is allowed", async () => {
        const { failures } = await host.check(
            sessionUrn("mistake"),
            {},
            program({ settings: { auditImagesLimit: 7, challengePreferences: [{ type: "Blink" }] } }),
        );
        assert.deepEqual(failures, [
            { property: "settings.auditImagesLimit", reason: "settings.auditImagesLimit must be an integer from 0 to 4, got 7" },
            {
                property: "settings.challengePreferences[0].type",
                reason: 'settings.challengePreferences[0].type must be a challenge type: one of FaceMovementAndLightChallenge, FaceMovementChallenge, got "Blink"',
            },
        ]);
    });

    it("up: create returns the SessionId as id and complete outputs; a second up finds no change", async () => {
        const { id, inputs, outputs } = await up("up", { settings });
        assert.match(id, UUID_PATTERN);
        assert.deepEqual(outputs, {
            settings,
            region: "us-east-1",
            clientRequestToken: inputs.clientRequestToken,
            sessionId: id,
            status: "CREATED",
            __provider: providerText,
        });
        assert.deepEqual(emulator.sessions.get(id)!.request.Settings, {
            OutputConfig: { S3Bucket: "kyc-images", S3KeyPrefix: "sessions/onboarding/" },
            AuditImagesLimit: 2,
        });

        const second = await host.check(sessionUrn("up"), inputs, program({ settings }));
        assert.equal(second.inputs.clientRequestToken, inputs.clientRequestToken);
        assert.deepEqual(await host.diff(id, sessionUrn("up"), outputs, second.inputs), {
            changes: "DIFF_NONE",
            replaces: [],
            deleteBeforeReplace: false,
        });
    });

    it("change a setting: the session is replaced, the property named, with a new token", async () => {
        const { id, inputs, outputs } = await up("change", { settings });
        const changed = await host.check(sessionUrn("change"), inputs, program({ settings: { ...settings, auditImagesLimit: 3 } }));
        assert.notEqual(changed.inputs.clientRequestToken, inputs.clientRequestToken);
        assert.deepEqual(await host.diff(id, sessionUrn("change"), outputs, changed.inputs), {
            changes: "DIFF_SOME",
            replaces: ["settings", "clientRequestToken"],
            deleteBeforeReplace: false,
        });
        const replacement = await host.create(sessionUrn("change"), changed.inputs);
        assert.notEqual(replacement.id, id);
    });

    it("change only renewExpired: updated in place, every output kept", async () => {
        const { id, inputs, outputs } = await up("renew", { settings });
        const changed = await host.check(sessionUrn("renew"), inputs, program({ settings, renewExpired: true }));
        assert.equal(changed.inputs.clientRequestToken, inputs.clientRequestToken);
        assert.deepEqual(await host.diff(id, sessionUrn("renew"), outputs, changed.inputs), {
            changes: "DIFF_SOME",
            replaces: [],
            deleteBeforeReplace: false,
        });
        const updated = await host.update(id, sessionUrn("renew"), outputs, changed.inputs);
        assert.deepEqual(updated, { ...outputs, renewExpired: true });
    });

    it("refresh before and after expiry, without renewExpired: the id stays, the status follows the service", async () => {
        const { id, inputs, outputs } = await up("refresh", { settings });
        emulator.setStatus(id, "IN_PROGRESS");
        const fresh = await host.read(id, sessionUrn("refresh"), outputs, inputs);
        assert.deepEqual([fresh.id, fresh.properties], [id, { ...outputs, status: "IN_PROGRESS" }]);
        emulator.advance(SESSION_LIFETIME_MS);
        const expired = await host.read(id, sessionUrn("refresh"), fresh.properties, inputs);
        assert.deepEqual([expired.id, expired.properties], [id, { ...outputs, status: "EXPIRED" }]);
    });

    it("refresh after expiry with renewExpired: the session is dropped, and the next up creates a fresh one", async () => {
        const { id, inputs, outputs } = await up("renewing", { settings, renewExpired: true });
        assert.equal((await host.read(id, sessionUrn("renewing"), outputs, inputs)).id, id, "kept before expiry");
        emulator.advance(SESSION_LIFETIME_MS);
        assert.equal((await host.read(id, sessionUrn("renewing"), outputs, inputs)).id, "", "an empty id drops it from state");
        const next = await up("renewing", { settings, renewExpired: true });
        assert.notEqual(next.id, id);
        assert.notEqual(next.inputs.clientRequestToken, inputs.clientRequestToken);
    });

    it("destroy: delete succeeds without calling AWS", async () => {
        const { id, outputs } = await up("destroy", { settings });
        const before = emulator.requests.length;
        await host.delete(id, sessionUrn("destroy"), outputs);
        assert.equal(emulator.requests.length, before);
    });

    for (const older of OLDER_PROVIDER_TEXTS) {
        it(`a session deployed with an older provider text (${older.file}): refresh and destroy run that text; up with the current one changes nothing`, async () => {
            const urn = sessionUrn(`older-${older.file}`);
            const deployed = await host.check(urn, {}, program({ settings }, older.text));
            const { id, properties: stored } = await host.create(urn, deployed.inputs);
            emulator.setStatus(id, "SUCCEEDED");

            const read = await host.read(id, urn, stored, deployed.inputs);
            assert.deepEqual([read.id, read.properties], [id, { ...stored, status: "SUCCEEDED" }]);

            const upgraded = await host.check(urn, deployed.inputs, program({ settings }));
            assert.equal(upgraded.inputs.clientRequestToken, deployed.inputs.clientRequestToken);
            assert.deepEqual(await host.diff(id, urn, read.properties, upgraded.inputs), {
                changes: "DIFF_NONE",
                replaces: [],
                deleteBeforeReplace: false,
            });

            await host.delete(id, urn, read.properties);
        });
    }

    it("interrupted up: the same checked inputs sent to create twice yield one session", async () => {
        const checked = await host.check(sessionUrn("interrupted"), {}, program({ settings }));
        const first = await host.create(sessionUrn("interrupted"), checked.inputs);
        const again = await host.create(sessionUrn("interrupted"), checked.inputs);
        assert.equal(again.id, first.id);
        const tokens = emulator
            .calls("CreateFaceLivenessSession")
            .filter((c) => c.body.ClientRequestToken === checked.inputs.clientRequestToken);
        assert.equal(tokens.length, 2);
        assert.equal(
            [...emulator.sessions.values()].filter((s) => s.request.ClientRequestToken === checked.inputs.clientRequestToken).length,
            1,
        );
    });

    it("secrets: every input comes back under its own name (so the engine keeps it secret); no credential is ever returned", async () => {
        const { inputs, outputs } = await up("secret", { kmsKeyId: "alias/secret-key", settings });
        for (const name of Object.keys(inputs)) {
            assert.deepEqual(outputs[name], inputs[name], `output ${name} mirrors the input`);
        }
        const credentials = [emulator.accessKeyId, emulator.secretAccessKey];
        for (const answer of [...host.answers, providerText]) {
            for (const credential of credentials) {
                assert.equal(answer.includes(credential), false, `a host answer holds ${credential.slice(0, 4)}…`);
            }
        }
        assert.ok(host.answers.length > 10, "the answers of every scenario were searched");
    });
});
