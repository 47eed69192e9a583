/**
 * The real Pulumi CLI and engine (built by `npm run engine`, or a `pulumi` on PATH) deploying FaceLivenessSessions
 * against the Rekognition emulator: the engine decides every call, keeps the state and prints what users see. Asserted
 * on machine-readable output only: the engine's event log, `--json` documents and `pulumi stack export`.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { RekognitionEmulator, SESSION_LIFETIME_MS } from "../../emulator/rekognitionEmulator";
import { UUID_PATTERN } from "../support/provider";
import { TestStack, diagnostics, plannedByOp, stepsByOp } from "./support/pulumiCli";
import { EngineSuite } from "./support/layer";

describe("the real Pulumi engine: a stack of sessions from preview to destroy", function () {
    this.timeout(120_000);
    let suite: EngineSuite;
    let emulator: RekognitionEmulator;
    let stack: TestStack;
    /** Session ids by name after the last command, from state. */
    const ids = async () => Object.fromEntries(Object.entries(await stack.sessions()).map(([name, r]) => [name, r.id!]));

    before(async function () {
        suite = await EngineSuite.start(this);
        emulator = suite.emulator;
        // Created with the region from the environment; the stack sets the same region as aws:region later.
        stack = await suite.stack(
            "sessions",
            { AWS_REGION: "us-east-1" },
            {
                sessions: JSON.stringify({ a: { settings: { auditImagesLimit: 1 } }, b: {} }),
                fed: JSON.stringify({ fed: { s3Bucket: "kyc-images" } }),
            },
        );
    });
    after(() => suite?.close());

    it("preview of a new stack: every session planned for creation, one fed by values unknown until up; no AWS call", async () => {
        const preview = await stack.ok(["preview"]);
        assert.deepEqual(plannedByOp(preview), { create: ["a", "b", "fed", "fed-bucket"] });
        const fed = preview.events.find((e) => e.resourcePreEvent?.metadata.urn === stack.urn("fed"))!;
        assert.equal(fed.resourcePreEvent!.metadata.new!.inputs.settings.outputConfig.s3Bucket, "04da6b54-80e4-46f7-96ec-b56ff0331ba9");
        assert.deepEqual(diagnostics(preview), []);
        assert.equal(emulator.requests.length, 0);
    });

    it("up creates each session once; state holds its SessionId, region and the token create made", async () => {
        const up = await stack.ok(["up", "--yes", "--skip-preview"]);
        assert.deepEqual(stepsByOp(up).create, ["a", "b", "fed", "fed-bucket"]);
        const sessions = await stack.sessions();
        assert.deepEqual(Object.keys(sessions).sort(), ["a", "b", "fed"]);
        assert.equal(emulator.sessions.size, 3);
        for (const [name, session] of Object.entries(sessions)) {
            assert.match(session.id!, UUID_PATTERN);
            const sent = emulator.sessions.get(session.id!)!.request;
            assert.equal(session.outputs!.sessionId, session.id);
            assert.equal(session.outputs!.region, "us-east-1", name);
            assert.equal(session.outputs!.clientRequestToken, sent.ClientRequestToken);
            assert.equal(session.inputs!.clientRequestToken, undefined, "check made no token");
        }
        assert.equal(emulator.sessions.get(sessions.fed.id!)!.request.Settings.OutputConfig.S3Bucket, "kyc-images");
    });

    it("a second up with --expect-no-changes passes", async () => {
        const before = emulator.requests.length;
        await stack.ok(["up", "--yes", "--skip-preview", "--expect-no-changes"]);
        assert.equal(emulator.requests.length, before);
    });

    it("the region's source changes (AWS_REGION, then the stack's aws:region), its value does not: no change", async () => {
        await stack.setConfig("aws:region", "us-east-1");
        await stack.ok(["preview", "--expect-no-changes"], { AWS_REGION: "" });
        await stack.ok(["up", "--yes", "--skip-preview", "--expect-no-changes"], { AWS_REGION: "" });
    });

    it("a changed setting replaces that session alone: a new SessionId, the old one gone from state", async () => {
        const old = await ids();
        await stack.setConfig("sessions", JSON.stringify({ a: { settings: { auditImagesLimit: 3 } }, b: {} }));
        const up = await stack.ok(["up", "--yes", "--skip-preview"]);
        assert.deepEqual(stepsByOp(up).replace, ["a"]);
        const now = await ids();
        assert.notEqual(now.a, old.a);
        assert.deepEqual([now.b, now.fed], [old.b, old.fed]);
        assert.equal(Object.values(now).includes(old.a), false);
        assert.equal(emulator.sessions.get(now.a)!.request.Settings.AuditImagesLimit, 3);
    });

    it("up --replace makes a new session with a new token", async () => {
        const old = await stack.sessions();
        const up = await stack.ok(["up", "--yes", "--skip-preview", "--replace", stack.urn("b")]);
        assert.deepEqual(stepsByOp(up).replace, ["b"]);
        const now = await stack.sessions();
        assert.notEqual(now.b.id, old.b.id);
        assert.notEqual(now.b.outputs!.clientRequestToken, old.b.outputs!.clientRequestToken);
        assert.equal(now.a.id, old.a.id);
    });

    it("up --target changes only the targeted session; the next up the rest", async () => {
        const old = await ids();
        await stack.setConfig(
            "sessions",
            JSON.stringify({ a: { settings: { auditImagesLimit: 2 } }, b: { settings: { auditImagesLimit: 2 } } }),
        );
        const targeted = await stack.ok(["up", "--yes", "--skip-preview", "--target", stack.urn("a")]);
        assert.deepEqual(stepsByOp(targeted).replace, ["a"]);
        assert.equal((await ids()).b, old.b);
        const rest = await stack.ok(["up", "--yes", "--skip-preview"]);
        assert.deepEqual(stepsByOp(rest).replace, ["b"]);
    });

    it("preview --save-plan, then up --plan: a new session and a replaced one follow the plan", async () => {
        const plan = path.join(stack.dir, "plan.json");
        const old = await ids();
        await stack.setConfig(
            "sessions",
            JSON.stringify({ a: { settings: { auditImagesLimit: 0 } }, b: { settings: { auditImagesLimit: 2 } }, c: {} }),
        );
        await stack.ok(["preview", "--save-plan", plan]);
        const up = await stack.ok(["up", "--yes", "--skip-preview", "--plan", plan]);
        assert.deepEqual(diagnostics(up), []);
        assert.deepEqual(stepsByOp(up).create, ["c"]);
        assert.deepEqual(stepsByOp(up).replace, ["a"]);
        const now = await ids();
        assert.notEqual(now.a, old.a);
        assert.equal(now.b, old.b);
    });

    it("refresh after expiry: without renewExpired the session stays, EXPIRED; with it, the session is dropped", async () => {
        await stack.setConfig(
            "sessions",
            JSON.stringify({
                a: { settings: { auditImagesLimit: 0 } },
                b: { settings: { auditImagesLimit: 2 }, renewExpired: true },
                c: {},
            }),
        );
        const update = await stack.ok(["up", "--yes", "--skip-preview"]);
        assert.deepEqual(stepsByOp(update).update, ["b"], "renewExpired alone is updated in place");
        const old = await ids();
        emulator.advance(SESSION_LIFETIME_MS);
        await stack.ok(["refresh", "--yes"]);
        const sessions = await stack.sessions();
        assert.equal(sessions.a.id, old.a);
        assert.equal(sessions.a.outputs!.status, "EXPIRED");
        assert.equal(sessions.b, undefined, "dropped from state");
        const up = await stack.ok(["up", "--yes", "--skip-preview"]);
        assert.deepEqual(stepsByOp(up).create, ["b"]);
        assert.notEqual((await ids()).b, old.b);
    });

    it("up --refresh renews an expired session in one command", async () => {
        const old = await ids();
        emulator.advance(SESSION_LIFETIME_MS);
        const up = await stack.ok(["up", "--yes", "--skip-preview", "--refresh"]);
        assert.deepEqual(stepsByOp(up).create, ["b"]);
        const now = await ids();
        assert.notEqual(now.b, old.b);
        assert.equal(now.a, old.a);
    });

    it("pulumi import of a session fails inside the dynamic-provider host (it has no provider text to run); state is kept", async () => {
        const before = await stack.exportState();
        const { a } = await ids();
        const imported = await stack.run(["import", "pulumi-nodejs:dynamic/rekognition:FaceLivenessSession", "imported", a, "--yes"]);
        assert.notEqual(imported.code, 0);
        // What the user sees comes from @pulumi/pulumi's host, before any code of this package runs (README: Importing).
        const failure = imported.events.find(
            (e) => e.diagnosticEvent?.severity === "error" && e.diagnosticEvent.urn === stack.urn("imported"),
        );
        assert.match(failure!.diagnosticEvent!.message, /Preview failed: code must be a string, not undefined/);
        assert.deepEqual((await stack.exportState()).resources, before.resources);
    });

    it("destroy forgets every session without an AWS call, ending with an empty stack", async () => {
        const before = emulator.requests.length;
        await stack.ok(["destroy", "--yes"]);
        assert.deepEqual((await stack.exportState()).resources, []);
        assert.equal(emulator.requests.length, before);
    });
});
