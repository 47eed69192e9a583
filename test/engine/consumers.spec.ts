/**
 * Programs in other languages using the `liveness` provider plugin.
 *
 * - YAML, Go and Python programs, the way a user's are: `pulumi package add github.com/<org>/<repo>/plugin@v<version>`
 *   of the release tag, served offline by a stand-in github.com (support/gitServer.ts) holding a bare repository of
 *   this working tree tagged v<version>, so the CLI clones the tag, installs the plugin the way it installs any plugin
 *   run from source (npm install in plugin/, whose own postinstall builds it) and runs it with the Node.js language
 *   host; then `up`, `refresh` and `destroy` of a FaceLivenessSession against the Rekognition emulator, with the real
 *   CLI and engine. Then a fresh copy of one project with nothing installed: `pulumi install` brings the plugin and
 *   the SDK back. The Go and Python language hosts are stand-ins (tools/engine/sdkhost: the module proxy refuses the
 *   real ones); YAML's is pulumi-yaml's own.
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
import {
    Language,
    consumerStack,
    gitSource,
    goImportBasePath,
    pluginDir,
    programsDir,
    projectPackages,
    pulumiVersion,
    recordedAs,
    releaseRepository,
    sdkTools,
    uninstallPythonSdk,
} from "./support/consumers";
import { GitServer } from "./support/gitServer";
import { EngineSuite, engineOrSkip, oldestCliOrSkip, oldestCliVersion } from "./support/layer";
import { TestStack } from "./support/pulumiCli";

const run = promisify(execFile);
const projectDir = path.resolve(__dirname, "../..");

/** Ups, refreshes and destroys the one session of a consumer program, checking each step against the emulator. */
async function upRefreshDestroy(suite: EngineSuite, stack: TestStack): Promise<void> {
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
}

/** The folder a Pulumi home holds the plugin installed from the git source in (the CLI names it for the URL). */
function installedPlugin(home: string): string {
    const { host, org, repo, tag } = releaseRepository;
    return path.join(home, "plugins", `resource-${host}_${org}_${repo}.git_plugin-${tag}`);
}

describe("the real Pulumi engine: YAML, Go and Python programs adding the liveness package from its git tag", function () {
    this.timeout(300_000);
    let suite: EngineSuite;
    let github: GitServer;
    /** One Pulumi home for the three projects, as on a user's machine: the plugin is installed once. */
    let home: string;
    const config = { "liveness:region": "us-east-1" };

    before(async function () {
        ({ suite, github, home } = await startGitRoute(this, "liveness-home-"));
    });
    after(() => closeGitRoute(suite, github));

    it("the tag holds the sources only: no bin/, plugin/dist/ or node_modules/, and the plugin's lock", async () => {
        const files = await github.files(releaseRepository.org, releaseRepository.repo, releaseRepository.tag);
        assert.deepEqual(
            files.filter((file) => /^(bin|plugin\/dist|node_modules|plugin\/node_modules)\//.test(file)),
            [],
        );
        for (const file of [
            "plugin/package.json",
            "plugin/package-lock.json",
            "plugin/build.mjs",
            "plugin/index.js",
            "scripts/bundles.mjs",
        ]) {
            assert.ok(files.includes(file), `the tag holds ${file}`);
        }
    });

    /** Each language's project, as `package add` left it. */
    const projects: Partial<Record<Language, TestStack>> = {};
    for (const language of ["yaml", "go", "python"] as Language[]) {
        const fresh = language === "python" ? " (its virtualenv made by package add, from requirements.txt alone)" : "";
        it(`${language}: pulumi package add ${gitSource}${fresh}, then up, refresh and destroy a session`, async () => {
            const stack = await consumerStack(suite, language, language, {
                source: gitSource,
                config,
                env: github.env,
                home,
                virtualenv: "fresh",
            });
            projects[language] = stack;
            if (language === "python") await assertFreshVirtualenv(stack.programDir);
            await upRefreshDestroy(suite, stack);
        });
    }

    it("the plugin the CLI installed from the tag was built by its own npm install, from the locked modules", () => {
        const installed = installedPlugin(home);
        // What `npm run build` wrote in this checkout, built again in the clone by plugin/build.mjs: the same bytes.
        for (const file of ["plugin/dist/main.js", "bin/runtime/sessionApi/index.js", "providers/sessionProviderText.ts"]) {
            assert.ok(fs.existsSync(path.join(installed, file)), `the install built ${file}`);
            assert.ok(
                fs.readFileSync(path.join(installed, file)).equals(fs.readFileSync(path.join(projectDir, file))),
                `${file} as built here`,
            );
        }
        const installedPulumi = JSON.parse(
            fs.readFileSync(path.join(installed, "plugin/node_modules/@pulumi/pulumi/package.json"), "utf8"),
        );
        assert.equal(installedPulumi.version, pulumiVersion);
    });

    it("a fresh copy of the Go project (Pulumi.yaml, go.mod and its code) gets the plugin and SDK back with pulumi install, then ups", async () => {
        const added = projects.go ?? (await consumerStack(suite, "go", "go", { source: gitSource, config, env: github.env, home }));
        const fresh = fs.mkdtempSync(path.join(os.tmpdir(), "liveness-go-fresh-"));
        suite.removeWithStacks(fresh);
        for (const file of ["Pulumi.yaml", "go.mod", "go.sum", "main.go"])
            fs.copyFileSync(path.join(added.programDir, file), path.join(fresh, file));
        assert.match(projectPackages(fresh)!.liveness, recordedAs(gitSource));
        // A home of its own: nothing installed before, as on a teammate's machine or in CI.
        const stack = await suite.stack(fresh, github.env, config);
        assert.equal(fs.existsSync(path.join(stack.home, "plugins")), false);

        await stack.ok(["install"]);
        assert.ok(
            fs.existsSync(path.join(installedPlugin(stack.home), "plugin", "dist", "main.js")),
            "pulumi install installed and built the plugin",
        );
        const sdkModules = fs.readdirSync(path.join(fresh, "sdks")).filter((dir) => fs.existsSync(path.join(fresh, "sdks", dir, "go.mod")));
        assert.equal(sdkModules.length, 1, "pulumi install generated the Go SDK again");
        await upRefreshDestroy(suite, stack);
    });

    // Last: each project's program is replaced by one with a mistake in a LivenessSetup argument.
    const mistaken: Record<Language, [file: string, program: string]> = {
        yaml: [
            "Pulumi.yaml",
            "name: yaml-consumer\nruntime: yaml\nresources:\n  kyc:\n    type: liveness:LivenessSetup\n    properties:\n      retentionDays: 0\n",
        ],
        go: [
            "main.go",
            [
                "package main",
                "",
                'import (\n\t"github.com/pulumi/pulumi/sdk/v3/go/pulumi"\n\t"' + goImportBasePath + '"\n)',
                "",
                "func main() {",
                "\tpulumi.Run(func(ctx *pulumi.Context) error {",
                '\t\t_, err := liveness.NewLivenessSetup(ctx, "kyc", &liveness.LivenessSetupArgs{RetentionDays: pulumi.IntRef(0)})',
                "\t\treturn err",
                "\t})",
                "}",
                "",
            ].join("\n"),
        ],
        python: ["__main__.py", 'import pulumi_liveness as liveness\n\nliveness.LivenessSetup("kyc", retention_days=0)\n'],
    };
    const oneLine =
        "liveness:index:LivenessSetup resource 'kyc' has a problem: LivenessSetup kyc: retentionDays must be an integer from 1 to 36500, got 0";
    /**
     * What each language's SDK may add after the engine's message: its own report of the call the engine ended when it
     * stopped the failed deployment (the engine answers the program's registration "resource monitor shut down"),
     * unless the engine has stopped the program before the report reaches it. The
     * Python's traceback follows the engine's own check failures of a custom resource too (docs/other-languages.md).
     */
    const sdkReport: Record<Language, RegExp | undefined> = {
        yaml: undefined,
        go: /^an unhandled error occurred: program failed:\s*\nwaiting for RPCs: rpc error: code = Unknown desc = resource monitor shut down$/,
        python: /^Program failed with an unhandled exception:\nTraceback[\s\S]*resource monitor shut down$/,
    };
    for (const language of ["yaml", "go", "python"] as Language[]) {
        it(`${language}: a mistake in a LivenessSetup argument fails the preview with the plugin's one-line message`, async function () {
            const stack = projects[language];
            if (!stack) this.skip();
            const [file, program] = mistaken[language];
            fs.writeFileSync(path.join(stack.programDir, file), program);
            const preview = await stack.run(["preview"]);
            assert.notEqual(preview.code, 0);
            const errors = preview.events
                .map((e) => e.diagnosticEvent)
                .filter((d) => d?.severity === "error")
                .map((d) => d!.message.trim());
            assert.equal(errors[0], oneLine, errors.join("\n---\n"));
            const others = errors.slice(1);
            // Whether the SDK's report arrives is a race with the engine stopping the program: none, or that report.
            if (sdkReport[language] && others.length > 0) assert.match(others.join("\n"), sdkReport[language]);
            else assert.deepEqual(others, []);
            assert.doesNotMatch(preview.stdout + preview.stderr, /dist\/main\.js|\n\s+at .*\.(js|ts):\d+/, "no frame of the plugin's code");
        });
    }

    it("python: the Python example of docs/other-languages.md, on a machine without the AWS plugin, fails naming it; what follows is one of the documented endings", async function () {
        const stack = projects.python;
        if (!stack) this.skip();
        const docs = fs.readFileSync(path.join(projectDir, "docs", "other-languages.md"), "utf8");
        fs.writeFileSync(path.join(stack.programDir, "__main__.py"), /```python\n([\s\S]*?)```/.exec(docs)![1]);
        const preview = await stack.run(["preview"]);
        assert.notEqual(preview.code, 0);
        const errors = preview.events
            .map((e) => e.diagnosticEvent)
            .filter((d) => d?.severity === "error")
            .map((d) => d!.message.trim());
        // The engine's message, as the docs quote it (automatic plugin downloads are off in these tests; with them on,
        // the CLI tries first).
        assert.equal(errors[0], /the first error names the plugin and its\s+version, `([^`]+)`/.exec(docs)![1]);
        // Then, depending on how far the program got when the engine stopped it (a race the engine and the Python host
        // run, not this package: docs/other-languages.md): nothing, or the SDK's one line for the registration it
        // ended; and if the program was still running when the CLI closed its language host, which interrupts it,
        // Python's report of that interrupt.
        assert.ok(
            errors.length === 1 || (errors.length === 2 && errors[1] === "Resource monitor has terminated, shutting down"),
            errors.join("\n---\n"),
        );
        const output = preview.stdout + preview.stderr;
        for (const traceback of output.match(
            /Traceback \(most recent call last\):[\s\S]*?\n\s*(\w[\w.]*(Error|Exception|Interrupt)\b.*)/g,
        ) ?? []) {
            assert.match(traceback, /\n\s*KeyboardInterrupt\s*$/, `only an interrupt's traceback: ${traceback}`);
            assert.doesNotMatch(traceback, /__main__\.py|dist\/main\.js/, "no frame of the program's or the plugin's code");
        }
    });
});

describe(`the oldest CLI the README claims, ${oldestCliVersion}: the same git-URL add, up, refresh and destroy`, function () {
    this.timeout(300_000);
    let suite: EngineSuite;
    let github: GitServer;
    let cli: string;
    /** A home of this CLI's own: it clones the tag and installs the plugin itself. */
    let home: string;
    const config = { "liveness:region": "us-east-1" };

    before(async function () {
        cli = oldestCliOrSkip(this);
        ({ suite, github, home } = await startGitRoute(this, "liveness-home-oldest-"));
    });
    after(() => closeGitRoute(suite, github));

    // The CLI's part (the git clone, the plugin's install, the schema, the engine) is the same for every language;
    // YAML takes the package without an SDK, Python through the SDK generation and link the CLI asks of the language
    // host. Go would add half a minute of compiling to the suite for no call the other two do not make.
    for (const language of ["yaml", "python"] as Language[]) {
        it(`${language}: pulumi package add ${gitSource}, then up, refresh and destroy a session`, async () => {
            const stack = await consumerStack(suite, language, language, { source: gitSource, config, env: github.env, home, cli });
            assert.match((await stack.ok(["version"])).stdout.trim(), new RegExp(`^v${oldestCliVersion.replace(/\./g, "\\.")}$`));
            await upRefreshDestroy(suite, stack);
        });
    }
});

/**
 * What both git-route suites start with: the engine suite, the stand-in github.com serving this tree as the release
 * tag, and a Pulumi home for the suite's projects (folder name `homePrefix`…), removed with its stacks.
 */
async function startGitRoute(context: Mocha.Context, homePrefix: string): Promise<{ suite: EngineSuite; github: GitServer; home: string }> {
    const suite = await EngineSuite.start(context);
    const github = await GitServer.start();
    await github.publish(projectDir, releaseRepository.org, releaseRepository.repo, releaseRepository.tag);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), homePrefix));
    suite.removeWithStacks(home);
    return { suite, github, home };
}

/** Closes what startGitRoute started, and takes the SDK a Python test installed out of the shared environment. */
async function closeGitRoute(suite: EngineSuite | undefined, github: GitServer | undefined): Promise<void> {
    await suite?.close();
    await github?.close();
    await uninstallPythonSdk();
}

/**
 * What `package add` left in a Python project that had only Pulumi.yaml, requirements.txt (`pulumi`) and its code, as
 * the real Python host leaves it: the SDK's folder in requirements.txt, and a virtualenv it created holding the SDK
 * with every dependency the SDK declares, and the pip, setuptools and wheel it updated.
 */
async function assertFreshVirtualenv(programDir: string): Promise<void> {
    const [sdk] = fs.readdirSync(path.join(programDir, "sdks"));
    assert.equal(fs.readFileSync(path.join(programDir, "requirements.txt"), "utf8"), `pulumi>=3.0.0,<4.0.0\nsdks/${sdk}\n`);
    const venv = path.join(programDir, "venv");
    assert.ok(!fs.lstatSync(venv).isSymbolicLink() && fs.existsSync(path.join(venv, "pyvenv.cfg")), "package add made the virtualenv");
    const { stdout } = await run(path.join(venv, "bin", "python"), ["-m", "pip", "list", "--format", "json"]);
    const normal = (name: string) => name.toLowerCase().replace(/[-.]/g, "_");
    const installed = new Set((JSON.parse(stdout) as { name: string }[]).map((p) => normal(p.name)));
    const pyproject = fs.readFileSync(path.join(programDir, "sdks", sdk, "pyproject.toml"), "utf8");
    const declared = [.../dependencies\s*=\s*\[([^\]]*)\]/.exec(pyproject)![1].matchAll(/"([A-Za-z0-9_.-]+)[^"]*"/g)]
        .filter(([requirement]) => !requirement.includes("python_version <"))
        .map(([, name]) => normal(name));
    assert.ok(declared.includes("pulumi"), `the SDK declares its dependencies: ${declared.join(", ")}`);
    for (const name of ["pulumi_liveness", ...declared, "pip", "setuptools", "wheel"]) {
        assert.ok(installed.has(name), `the virtualenv holds ${name}: ${[...installed].join(", ")}`);
    }
}

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
        // Offline: the SDK's dependencies (pulumi, semver, packaging) are in the environment npm run engine made.
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
            `module ${goImportBasePath}\n\ngo 1.25.11\n\nrequire github.com/pulumi/pulumi/sdk/v3 v${pulumiVersion}\n`,
        );
        const consumer = path.join(work, "go-consumer");
        fs.mkdirSync(consumer);
        fs.copyFileSync(path.join(programsDir, "go-sdk", "main_test.go"), path.join(consumer, "main_test.go"));
        fs.writeFileSync(
            path.join(consumer, "go.mod"),
            "module consumer\n\ngo 1.25.11\n\n" +
                `require (\n\tgithub.com/pulumi/pulumi/sdk/v3 v${pulumiVersion}\n\t${goImportBasePath} v0.0.0\n)\n\n` +
                `replace ${goImportBasePath} => ${sdkModule}\n`,
        );
        const goEnv = { ...process.env, GOFLAGS: "-mod=mod" };
        await run("go", ["mod", "tidy"], { cwd: sdkModule, env: goEnv });
        await run("go", ["mod", "tidy"], { cwd: consumer, env: goEnv });
        const report = path.join(work, "go-report.json");
        await run("go", ["test", "./..."], { cwd: consumer, env: { ...goEnv, REGISTERED_JSON: report } });
        assertRegistrations(JSON.parse(fs.readFileSync(report, "utf8")) as SdkReport);
    });
});
