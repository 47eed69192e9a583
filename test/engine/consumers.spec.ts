/**
 * Programs in other languages using the `liveness` provider plugin.
 *
 * - YAML, Go and Python programs, the way a user would: `pulumi package add` of this repository's `plugin/` folder
 *   (Pulumi runs it from source with the Node.js language host), then `up`, `refresh` and `destroy` of a
 *   FaceLivenessSession against the Rekognition emulator, with the real CLI and engine. The Go and Python language
 *   hosts are stand-ins (tools/engine/sdkhost: the module proxy refuses the real ones); YAML's is pulumi-yaml's own.
 * - The generated Python and Go SDKs declaring both resources under their own language's Pulumi mocks: the exact types
 *   and wire names registered, and the outputs read back (the component's AWS children cannot run here).
 */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { pluginSessionType } from "../../providers/faceLivenessSession";
import { Language, consumerStack, pluginDir, programsDir, pulumiVersion, sdkTools, uninstallPythonSdk } from "./support/consumers";
import { EngineSuite, engineOrSkip } from "./support/layer";

const run = promisify(execFile);

describe("the real Pulumi engine: programs in YAML, Go and Python using the liveness package", function () {
    this.timeout(300_000);
    let suite: EngineSuite;

    before(async function () {
        suite = await EngineSuite.start(this);
    });
    after(async () => {
        await suite?.close();
        // The Python test installed the generated SDK into the shared environment: take it out again.
        await uninstallPythonSdk();
    });

    for (const language of ["yaml", "go", "python"] as Language[]) {
        it(`${language}: adds the package with pulumi package add, then ups, refreshes and destroys a session`, async () => {
            const stack = await consumerStack(suite, language, language, { "liveness:region": "us-east-1" });
            const createdBefore = suite.emulator.calls("CreateFaceLivenessSession").length;
            const readsBefore = suite.emulator.calls("GetFaceLivenessSessionResults").length;

            await stack.ok(["up", "--yes", "--skip-preview"]);
            const outputs = JSON.parse((await stack.ok(["stack", "output", "--json"])).stdout);
            const created = suite.emulator.calls("CreateFaceLivenessSession").slice(createdBefore);
            assert.equal(created.length, 1);
            assert.equal(outputs.region, "us-east-1");
            assert.equal(created[0].region, "us-east-1");
            assert.deepEqual(created[0].body.Settings, { AuditImagesLimit: 1, ChallengePreferences: [{ Type: "FaceMovementChallenge" }] });
            assert.ok(suite.emulator.sessions.has(outputs.sessionId), `the emulator created ${outputs.sessionId}`);
            const session = (await stack.exportState()).resources.find((r) => r.type === pluginSessionType)!;
            assert.equal(session.id, outputs.sessionId);
            assert.equal(session.inputs?.__provider, undefined, "no provider text in the state of the plugin's sessions");

            await stack.ok(["refresh", "--yes", "--skip-preview"]);
            assert.equal(suite.emulator.calls("GetFaceLivenessSessionResults").length - readsBefore, 1);
            await stack.ok(["up", "--yes", "--skip-preview", "--expect-no-changes"]);
            await stack.ok(["destroy", "--yes", "--skip-preview"]);
            assert.deepEqual((await stack.exportState()).resources, []);
        });
    }
});

/** The schema as the CLI gets it from the plugin run from source, written to `file`. */
async function schemaFromPlugin(binDir: string, file: string): Promise<void> {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "liveness-home-"));
    try {
        const { stdout } = await run(path.join(binDir, "pulumi"), ["package", "get-schema", pluginDir], {
            cwd: home,
            env: {
                ...process.env,
                PATH: `${binDir}${path.delimiter}${process.env.PATH}`,
                PULUMI_HOME: home,
                PULUMI_SKIP_UPDATE_CHECK: "true",
            },
            maxBuffer: 16 * 1024 * 1024,
        });
        fs.writeFileSync(file, stdout);
    } finally {
        fs.rmSync(home, { recursive: true, force: true });
    }
}

/** What the SDK programs report: each registration and the outputs read back. */
interface SdkReport {
    registered: { type: string; name: string; inputs: Record<string, unknown> }[];
    sessionId: string;
    status: string;
    sessionIds: Record<string, string>;
}

/** The registrations both SDK programs must make: the same declarations, in each language's own idiom. */
function assertRegistrations(report: SdkReport): void {
    const byName = Object.fromEntries(report.registered.map((r) => [r.name, r]));
    assert.deepEqual(Object.keys(byName).sort(), ["kyc", "onboarding"]);
    assert.equal(byName.onboarding.type, pluginSessionType);
    assert.deepEqual(byName.onboarding.inputs, {
        kmsKeyId: "alias/kyc",
        settings: {
            outputConfig: { s3Bucket: "kyc-images", s3KeyPrefix: "onboarding/" },
            auditImagesLimit: 2,
            challengePreferences: [{ type: "FaceMovementChallenge", versions: { minimum: "1.0.0" } }],
        },
        renewExpired: true,
    });
    assert.equal(byName.kyc.type, "liveness:index:LivenessSetup");
    assert.deepEqual(byName.kyc.inputs, {
        sessions: { onboarding: { auditImagesLimit: 2 } },
        sessionDefaults: { renewExpired: true },
        retentionDays: 14,
        backendRoleNames: ["kyc-backend"],
        tags: { team: "identity" },
    });
    assert.equal(report.sessionId, "onboarding-id");
    assert.equal(report.status, "CREATED");
    assert.deepEqual(report.sessionIds, { onboarding: "kyc-onboarding-id" });
}

describe("the generated Python and Go SDKs of the liveness package", function () {
    this.timeout(300_000);
    let binDir: string;
    let tools: { gensdk: string; python: string };
    let work: string;
    let schemaFile: string;

    before(async function () {
        binDir = engineOrSkip(this);
        tools = sdkTools();
        work = fs.mkdtempSync(path.join(os.tmpdir(), "liveness-sdks-"));
        schemaFile = path.join(work, "schema.json");
        await schemaFromPlugin(binDir, schemaFile);
    });
    after(() => {
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it("Python: pulumi_liveness installs, imports, and registers both resources under the Python SDK's mocks", async () => {
        const sdk = path.join(work, "python");
        await run(tools.gensdk, ["python", schemaFile, sdk]);
        const site = path.join(work, "python-site");
        // Offline: the SDK's dependencies (pulumi, parver, semver) are in the environment npm run engine made.
        await run(tools.python, ["-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--target", site, sdk]);
        const { stdout } = await run(tools.python, [path.join(programsDir, "python-sdk", "main.py")], {
            env: { ...process.env, PYTHONPATH: site },
        });
        assertRegistrations(JSON.parse(stdout.trim().split("\n").pop()!) as SdkReport);
    });

    it("Go: the SDK compiles with the Go SDK of this version, and registers both resources under its mocks", async () => {
        const sdk = path.join(work, "go");
        await run(tools.gensdk, ["go", schemaFile, sdk]);
        const sdkModule = path.join(sdk, "liveness");
        fs.writeFileSync(
            path.join(sdkModule, "go.mod"),
            `module pulumi-liveness/sdk/go/liveness\n\ngo 1.25.11\n\nrequire github.com/pulumi/pulumi/sdk/v3 v${pulumiVersion}\n`,
        );
        const consumer = path.join(work, "go-consumer");
        fs.mkdirSync(consumer);
        fs.copyFileSync(path.join(programsDir, "go-sdk", "main_test.go"), path.join(consumer, "main_test.go"));
        fs.writeFileSync(
            path.join(consumer, "go.mod"),
            "module consumer\n\ngo 1.25.11\n\n" +
                `require (\n\tgithub.com/pulumi/pulumi/sdk/v3 v${pulumiVersion}\n\tpulumi-liveness/sdk/go/liveness v0.0.0\n)\n\n` +
                `replace pulumi-liveness/sdk/go/liveness => ${sdkModule}\n`,
        );
        const goEnv = { ...process.env, GOFLAGS: "-mod=mod" };
        await run("go", ["mod", "tidy"], { cwd: sdkModule, env: goEnv });
        await run("go", ["mod", "tidy"], { cwd: consumer, env: goEnv });
        const report = path.join(work, "go-report.json");
        await run("go", ["test", "./..."], { cwd: consumer, env: { ...goEnv, REGISTERED_JSON: report } });
        assertRegistrations(JSON.parse(fs.readFileSync(report, "utf8")) as SdkReport);
    });
});
