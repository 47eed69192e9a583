/**
 * The package as a consumer gets it: built by tsc, packed by npm, installed from the tarball into another folder,
 * and required by a plain JavaScript program. This is where a provider text that depends on the installed files
 * (require("<package>/bin/…")) would show, which running from the source tree cannot reveal.
 */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { ProviderHost } from "./support/providerHost";
import { bundleOf } from "./support/providerText";

const run = promisify(execFile);
const projectDir = path.resolve(__dirname, "..");
const packageJson = JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8"));

describe("the package, built, packed and installed into a consumer's program", function () {
    this.timeout(120_000);
    let tmp: string;
    let packedFiles: string[];
    let consumer: {
        exports: string[];
        resolvedFrom: string;
        registeredOnImport: number;
        type: string;
        providerText: string;
        handlerCode: string;
    };
    let consumerTest: { sessionIds: Record<string, string>; backendPolicy: any; region: string; bucketName: string; ownCalls: string[] };
    let pkgDir: string;

    before(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "liveness-package-"));
        pkgDir = path.join(tmp, "pkg");
        await run(
            process.execPath,
            [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json", "--outDir", path.join(pkgDir, "bin")],
            { cwd: projectDir },
        );
        // The session API's handler, as npm run build bundled it (the tests run after the build).
        const handler = ["bin", "runtime", "sessionApi", "index.js"];
        fs.copyFileSync(path.join(projectDir, ...handler), path.join(pkgDir, ...handler));
        fs.cpSync(path.join(projectDir, "docs"), path.join(pkgDir, "docs"), { recursive: true });
        const pluginFiles = ["plugin/index.js", "plugin/package.json", "plugin/PulumiPlugin.yaml", "plugin/dist/main.js"];
        for (const file of ["package.json", "README.md", "LICENSE", ...pluginFiles]) {
            fs.mkdirSync(path.dirname(path.join(pkgDir, file)), { recursive: true });
            fs.copyFileSync(path.join(projectDir, file), path.join(pkgDir, file));
        }
        const { stdout } = await run("npm", ["pack", pkgDir, "--pack-destination", tmp, "--json", "--ignore-scripts"], { cwd: tmp });
        const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
        packedFiles = packed.files.map((f) => f.path).sort();

        const consumerDir = path.join(tmp, "consumer");
        const installed = path.join(consumerDir, "node_modules", packageJson.name);
        fs.mkdirSync(installed, { recursive: true });
        await run("tar", ["xzf", path.join(tmp, packed.filename), "-C", installed, "--strip-components=1"]);
        // The consumer's own dependencies: this project's installed ones, as a consumer's npm install would provide.
        for (const dep of fs.readdirSync(path.join(projectDir, "node_modules"))) {
            const target = path.join(consumerDir, "node_modules", dep);
            if (!fs.existsSync(target)) fs.symlinkSync(path.join(projectDir, "node_modules", dep), target);
        }
        // The program lives in the consumer's folder: from inside this project, Node would resolve the package's own
        // name to this source tree (self-reference through "exports").
        fs.copyFileSync(path.join(__dirname, "support/consumerProgram.js"), path.join(consumerDir, "index.js"));
        const program = await run(process.execPath, ["index.js"], { cwd: consumerDir });
        consumer = JSON.parse(program.stdout);
        fs.copyFileSync(path.join(__dirname, "support/consumerMocksProgram.js"), path.join(consumerDir, "unit-test.js"));
        consumerTest = JSON.parse((await run(process.execPath, ["unit-test.js"], { cwd: consumerDir })).stdout);
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("packs the built library, its types, the session API's built handler and the README, and nothing of the tests, bench or example stack", () => {
        assert.ok(packedFiles.includes("bin/lib.js") && packedFiles.includes("bin/lib.d.ts"));
        assert.ok(packedFiles.includes("bin/providers/faceLivenessSession.d.ts"));
        for (const file of packedFiles) {
            assert.match(
                file,
                /^(bin\/(lib|testing|providers\/|components\/|emulator\/|plugin\/|runtime\/sessionApi\/)|plugin\/(index\.js|package\.json|PulumiPlugin\.yaml|dist\/main\.js)$|README\.md$|docs\/[a-z-]+\.md$|docs\/images\/[a-z-]+\.png$|LICENSE$|package\.json$)/,
                `unexpected ${file}`,
            );
        }
        assert.ok(packedFiles.includes("LICENSE"));
        for (const file of ["plugin/PulumiPlugin.yaml", "plugin/index.js", "plugin/dist/main.js", "bin/runtime/sessionApi/index.js"])
            assert.ok(packedFiles.includes(file), file);
    });

    it("runs the provider plugin from the installed package's plugin/ folder, as pulumi package add would", async () => {
        const installed = path.join(tmp, "consumer", "node_modules", packageJson.name);
        const plugin = await ProviderHost.startPlugin(process.env, path.join(installed, "plugin", "index.js"));
        try {
            assert.equal(await plugin.getPluginInfo(), packageJson.version);
            assert.equal((await plugin.getSchema()).name, "liveness");
        } finally {
            await plugin.stop();
        }
    });

    it("ships source maps that carry their sources, since the .ts files are not shipped", () => {
        const map = JSON.parse(fs.readFileSync(path.join(pkgDir, "bin/providers/faceLivenessSession.js.map"), "utf8"));
        assert.equal(map.sourcesContent.length, map.sources.length);
        assert.match(map.sourcesContent[0], /export class FaceLivenessSession/);
    });

    it("gives a consumer's unit tests mocks for its own program: session ids, policies and its own mocks answered", () => {
        const sessionId = consumerTest.sessionIds.onboarding;
        assert.match(sessionId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.equal(consumerTest.region, "eu-west-1");
        assert.equal(consumerTest.bucketName, "kyc-images-mock");
        const write = consumerTest.backendPolicy.Statement.find((s: { Sid: string }) => s.Sid === "WriteSessionImages");
        assert.equal(write.Resource, "arn:aws:s3:::kyc-images-mock/sessions/*");
        assert.deepEqual(consumerTest.ownCalls, ["alerts"]);
    });

    it("is required through its entry without declaring any resource, and exports the documented names", () => {
        assert.equal(consumer.resolvedFrom, path.join(fs.realpathSync(tmp), "consumer/node_modules", packageJson.name, "bin/lib.js"));
        assert.equal(consumer.registeredOnImport, 0);
        assert.equal(
            consumer.handlerCode,
            path.join(fs.realpathSync(tmp), "consumer/node_modules", packageJson.name, "bin/runtime/sessionApi/index.js"),
            "a setup's API function ships the handler of the installed package",
        );
        for (const name of [
            "LivenessSetup",
            "FaceLivenessSession",
            "faceLivenessSessionProvider",
            "verdictReaderPolicy",
            "verdictEventDetailType",
        ]) {
            assert.ok(consumer.exports.includes(name), `exports ${name}`);
        }
        assert.equal(consumer.type, "pulumi-nodejs:dynamic/rekognition:FaceLivenessSession");
    });

    it("publishes types a TypeScript program compiles against, without the plugin's internal constructor parameter", async () => {
        const consumerDir = path.join(tmp, "consumer");
        const declarations = fs
            .readdirSync(path.join(pkgDir, "bin"), { recursive: true, encoding: "utf8" })
            .filter((file) => file.endsWith(".d.ts"))
            .map((file) => fs.readFileSync(path.join(pkgDir, "bin", file), "utf8"));
        for (const internal of ["SessionHost", "SetupHost", "pluginSessionHost"]) {
            assert.equal(declarations.filter((text) => text.includes(internal)).length, 0, `${internal} is published`);
        }
        fs.writeFileSync(
            path.join(consumerDir, "typed.ts"),
            [
                'import { FaceLivenessSession, LivenessSetup } from "pulumi-rekognition-liveness";',
                'const setup = new LivenessSetup("kyc", { sessions: { onboarding: { auditImagesLimit: 2 } } });',
                'new FaceLivenessSession("direct", { settings: { outputConfig: { s3Bucket: setup.bucketName } } }, { parent: setup });',
                "// @ts-expect-error: the fourth parameter is the plugin's, not published",
                'new FaceLivenessSession("fourth", {}, {}, { type: "x", internalInputs: () => ({}) });',
                "// @ts-expect-error: likewise",
                'new LivenessSetup("fourth", {}, {}, { type: "x", sessionHost: undefined });',
                "",
            ].join("\n"),
        );
        const options = ["--noEmit", "--strict", "--skipLibCheck", "--module", "commonjs", "--target", "es2022", "--types", "node"];
        await run(process.execPath, [require.resolve("typescript/bin/tsc"), ...options, "typed.ts"], { cwd: consumerDir }).catch(
            (error: { stdout: string }) => assert.fail(`tsc: ${error.stdout}`),
        );
    });

    /** The ```ts blocks of a docs page whose first line names a file (`// index.ts`), by that name. */
    function documentedFiles(page: string): Record<string, string> {
        const text = fs.readFileSync(path.join(projectDir, "docs", page), "utf8");
        return Object.fromEntries(
            [...text.matchAll(/```ts\n\/\/ ([\w.]+)\n([\s\S]*?)```/g)].map(([block, name]) => [name, block.slice(6, -3)]),
        );
    }

    /** The compiler options of Pulumi's aws-typescript template (its tsconfig.json, templates repository). */
    const templateOptions = {
        strict: true,
        outDir: "bin",
        target: "es2020",
        module: "commonjs",
        moduleResolution: "node",
        sourceMap: true,
        experimentalDecorators: true,
        pretty: true,
        noFallthroughCasesInSwitch: true,
        noImplicitReturns: true,
        forceConsistentCasingInFileNames: true,
    };

    it("runs the unit test of docs/liveness-setup.md with its own command as documented, and compiles both docs' tests as pasted with Pulumi's TypeScript template and node16 or bundler resolution, and they pass", async () => {
        const dir = path.join(tmp, "consumer", "documented");
        fs.mkdirSync(dir);
        const documented = { ...documentedFiles("liveness-setup.md"), ...documentedFiles("emulator.md") };
        const files = Object.keys(documented).sort();
        assert.deepEqual(files, ["index.test.ts", "index.ts", "liveness.test.ts"]);
        for (const [name, text] of Object.entries(documented)) fs.writeFileSync(path.join(dir, name), text);
        fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: templateOptions, files }));
        const tsc = (...args: string[]) =>
            run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json", ...args], { cwd: dir }).catch(
                (error: { stdout: string }) => assert.fail(`tsc ${args.join(" ")}: ${error.stdout}`),
            );
        // The template's own settings (emitting bin/), and the other resolutions, whose declarations of the dependencies
        // the first check reads in full.
        await Promise.all([
            tsc(),
            tsc("--noEmit", "--skipLibCheck", "--module", "node16", "--moduleResolution", "node16"),
            tsc("--noEmit", "--skipLibCheck", "--module", "esnext", "--moduleResolution", "bundler"),
        ]);
        // The command docs/liveness-setup.md gives, as written, with the dev dependencies it says to install (this
        // project's own copies, linked into the consumer instead of downloaded).
        const consumerModules = path.join(tmp, "consumer", "node_modules");
        for (const dependency of ["mocha", "ts-node", "@types/mocha"]) {
            const linked = path.join(consumerModules, dependency);
            if (!fs.existsSync(linked)) fs.symlinkSync(path.dirname(require.resolve(`${dependency}/package.json`)), linked);
        }
        fs.mkdirSync(path.join(consumerModules, ".bin"), { recursive: true });
        const mochaBin = path.join(consumerModules, ".bin", "mocha");
        if (!fs.existsSync(mochaBin)) fs.symlinkSync(require.resolve("mocha/bin/mocha.js"), mochaBin);
        const command = /then `(npx mocha -r ts-node\/register index\.test\.ts)`/.exec(
            fs.readFileSync(path.join(projectDir, "docs", "liveness-setup.md"), "utf8"),
        );
        assert.ok(command, "docs/liveness-setup.md gives the command");
        const asDocumented = await run("bash", ["-c", command[1]], { cwd: dir }).catch((error: { stdout: string; stderr: string }) =>
            assert.fail(`${command[1]}: ${error.stdout}${error.stderr}`),
        );
        assert.match(asDocumented.stdout, /1 passing/);

        const tests = ["bin/index.test.js", "bin/liveness.test.js"];
        const mocha = await run(process.execPath, [require.resolve("mocha/bin/mocha.js"), "--no-config", ...tests], { cwd: dir }).catch(
            (error: { stdout: string; stderr: string }) => assert.fail(`mocha: ${error.stdout}${error.stderr}`),
        );
        assert.match(mocha.stdout, /2 passing/);
        assert.doesNotMatch(mocha.stdout, /failing|pending/);
    });

    it("stores a self-contained provider text: it requires no file of the installed package", () => {
        const requiredBy = (text: string) => [...new Set([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))].sort();
        assert.deepEqual(requiredBy(consumer.providerText), ["node:zlib"]);
        assert.deepEqual(requiredBy(bundleOf(consumer.providerText)), ["@aws-sdk/client-rekognition", "node:crypto"]);
    });
});
