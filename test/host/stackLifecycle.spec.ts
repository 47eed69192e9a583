/**
 * A session's whole life through @pulumi/pulumi's real dynamic-provider host, each scenario named for the user action
 * it mirrors. The engine's part (deciding which call comes next, keeping state) is played by these tests as the
 * engine's source does it (pulumi/pulumi pkg/resource/deploy/step_generator.go at v3.248.0): a new resource is checked
 * with no olds; an update checks against the old inputs and diffs against the stored outputs; a replacement checks
 * again with no olds before create; `up --replace` checks with no olds from the start; after an interrupted `up` the
 * create was never recorded, so the next `up` checks with no olds. test/engine/ runs the real engine too. The host's
 * part (evaluating the stored provider text, Struct encoding, the sentinel for unknowns, configure) is the real code.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { unknownValue } from "../../providers/faceLivenessApi";
import { Props, ProviderHost, sessionUrn } from "../support/providerHost";
import { providerTextFromProgram } from "../support/providerText";
import { UUID_PATTERN } from "../support/provider";
import { RekognitionEmulator, SESSION_LIFETIME_MS, startEmulator } from "../../emulator/rekognitionEmulator";

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

    /** `pulumi up` of a new session: check with no olds, then create with the checked inputs; returns what state keeps. */
    async function up(name: string, inputs: Props) {
        const checked = await host.check(sessionUrn(name), {}, program(inputs));
        assert.deepEqual(checked.failures, []);
        const created = await host.create(sessionUrn(name), checked.inputs);
        return { id: created.id, inputs: checked.inputs, outputs: created.properties };
    }

    /** The engine's replacement: check again with no olds, then create (create-before-delete), then delete the old. */
    async function replace(name: string, old: { id: string; outputs: Props }, news: Props) {
        const rechecked = await host.check(sessionUrn(name), {}, program(news));
        assert.deepEqual(rechecked.failures, []);
        const created = await host.create(sessionUrn(name), rechecked.inputs);
        await host.delete(old.id, sessionUrn(name), old.outputs);
        return { id: created.id, inputs: rechecked.inputs, outputs: created.properties };
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
            { property: "", reason: "settings.auditImagesLimit must be an integer from 0 to 4, got 7" },
            {
                property: "",
                reason: 'settings.challengePreferences[0].type must be a challenge type: one of FaceMovementAndLightChallenge, FaceMovementChallenge, got "Blink"',
            },
        ]);
    });

    it("up: create returns the SessionId as id and complete outputs, with the token it made; a second up finds no change", async () => {
        const { id, inputs, outputs } = await up("up", { settings });
        assert.match(id, UUID_PATTERN);
        const token = emulator.sessions.get(id)!.request.ClientRequestToken;
        assert.match(token, UUID_PATTERN);
        assert.deepEqual(inputs, { settings, region: "us-east-1", __provider: providerText }, "check makes no token");
        assert.deepEqual(outputs, {
            settings,
            region: "us-east-1",
            clientRequestToken: token,
            sessionId: id,
            status: "CREATED",
            __provider: providerText,
        });
        assert.deepEqual(emulator.sessions.get(id)!.request.Settings, {
            OutputConfig: { S3Bucket: "kyc-images", S3KeyPrefix: "sessions/onboarding/" },
            AuditImagesLimit: 2,
        });

        const second = await host.check(sessionUrn("up"), inputs, program({ settings }));
        assert.deepEqual(await host.diff(id, sessionUrn("up"), outputs, second.inputs), {
            changes: "DIFF_NONE",
            replaces: [],
            deleteBeforeReplace: false,
        });
    });

    it("preview --save-plan, then up --plan: check answers the same for the same olds and news", async () => {
        const fresh = program({ settings });
        const planned = await host.check(sessionUrn("plan"), {}, fresh);
        assert.deepEqual(await host.check(sessionUrn("plan"), {}, fresh), planned, "a new session");
        const { inputs } = await up("plan", { settings });
        const changed = program({ settings: { ...settings, auditImagesLimit: 3 } });
        const replacing = await host.check(sessionUrn("plan"), inputs, changed);
        assert.deepEqual(await host.check(sessionUrn("plan"), inputs, changed), replacing, "a replaced session");
    });

    it("change a setting: diff names the property; the replacement is checked anew and gets a new token", async () => {
        const old = await up("change", { settings });
        const changed = { settings: { ...settings, auditImagesLimit: 3 } };
        const checked = await host.check(sessionUrn("change"), old.inputs, program(changed));
        assert.deepEqual(await host.diff(old.id, sessionUrn("change"), old.outputs, checked.inputs), {
            changes: "DIFF_SOME",
            replaces: ["settings"],
            deleteBeforeReplace: false,
        });
        const replacement = await replace("change", old, changed);
        assert.notEqual(replacement.id, old.id);
        assert.notEqual(replacement.outputs.clientRequestToken, old.outputs.clientRequestToken);
        assert.equal(emulator.sessions.get(replacement.id)!.request.Settings.AuditImagesLimit, 3);
    });

    it("the region's source changes, its value does not: no change", async () => {
        // Created with the region the SDK takes from the environment, then the stack sets the same aws:region.
        const regionless = await ProviderHost.start({ ...process.env, AWS_REGION: "us-east-1" });
        try {
            await regionless.configure({ "aws:accessKey": emulator.accessKeyId, "aws:secretKey": emulator.secretAccessKey });
            const checked = await regionless.check(sessionUrn("source"), {}, program({ settings }));
            const created = await regionless.create(sessionUrn("source"), checked.inputs);
            const rechecked = await host.check(sessionUrn("source"), checked.inputs, program({ settings }));
            assert.deepEqual(rechecked.failures, []);
            assert.deepEqual(await host.diff(created.id, sessionUrn("source"), created.properties, rechecked.inputs), {
                changes: "DIFF_NONE",
                replaces: [],
                deleteBeforeReplace: false,
            });
        } finally {
            await regionless.stop();
        }
    });

    it("up --replace: checked with no olds from the start, then created anew: a new session with a new token", async () => {
        const old = await up("forced", { settings });
        const checked = await host.check(sessionUrn("forced"), {}, program({ settings }));
        assert.equal((await host.diff(old.id, sessionUrn("forced"), old.outputs, checked.inputs)).changes, "DIFF_NONE");
        const created = await host.create(sessionUrn("forced"), checked.inputs);
        await host.delete(old.id, sessionUrn("forced"), old.outputs);
        assert.notEqual(created.id, old.id);
        assert.notEqual(created.properties.clientRequestToken, old.outputs.clientRequestToken);
    });

    it("change only renewExpired: updated in place, every output kept", async () => {
        const { id, inputs, outputs } = await up("renew", { settings });
        const changed = await host.check(sessionUrn("renew"), inputs, program({ settings, renewExpired: true }));
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
        assert.notEqual(next.outputs.clientRequestToken, outputs.clientRequestToken);
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
            assert.deepEqual(upgraded.failures, []);
            assert.deepEqual(await host.diff(id, urn, read.properties, upgraded.inputs), {
                changes: "DIFF_NONE",
                replaces: [],
                deleteBeforeReplace: false,
            });

            await host.delete(id, urn, read.properties);
        });
    }

    it("interrupted up: the create that was never recorded is checked afresh with no olds; the next up makes one session", async () => {
        const checked = await host.check(sessionUrn("interrupted"), {}, program({ settings }));
        const unrecorded = await host.create(sessionUrn("interrupted"), checked.inputs); // the engine died before saving it
        const next = await up("interrupted", { settings });
        assert.notEqual(next.id, unrecorded.id, "state holds the new session; the unrecorded one expires unused");
        assert.ok(emulator.sessions.has(next.id));
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
