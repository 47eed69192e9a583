/**
 * The provider as state stores it: the text the program serializes into `__provider`, evaluated alone in a fresh
 * Node process (no ts-node, none of the project's modules) and creating a session against the emulator. This catches
 * what direct calls cannot: a captured value that does not serialize, a require() that only resolves from the
 * source tree, or a text that grows with what it captures.
 */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { bundleOf, providerTextFromProgram } from "../support/providerText";
import { RekognitionEmulator, startEmulator } from "../../emulator/rekognitionEmulator";
import { faceLivenessSessionProviderText } from "../../providers/sessionProviderText";
import { UUID_PATTERN, configureStack } from "../support/provider";

const projectDir = path.resolve(__dirname, "../..");

/**
 * The most the text may take: it is stored twice per session in state, which the engine writes again after every
 * step. 8 KiB is the floor the state-size issue set (the text serialized at run time took 33.7 KB).
 */
const PROVIDER_TEXT_BUDGET_BYTES = 8 * 1024;

/** Runs calls on the provider text in a fresh process, with the environment given. */
async function runAlone(
    text: string,
    config: Record<string, string>,
    calls: { method: string; args: unknown[] }[],
    env: NodeJS.ProcessEnv,
) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provider-text-"));
    fs.writeFileSync(path.join(dir, "provider.js"), text);
    fs.writeFileSync(path.join(dir, "calls.json"), JSON.stringify({ config, calls }));
    const { stdout } = await promisify(execFile)(
        process.execPath,
        [path.join(__dirname, "../support/runProviderText.js"), path.join(dir, "provider.js"), path.join(dir, "calls.json")],
        {
            cwd: projectDir,
            env,
        },
    );
    fs.rmSync(dir, { recursive: true });
    return JSON.parse(stdout) as { results: { result?: any; error?: string }[]; loadedProjectFiles: string[]; awsSdkLoaded: boolean };
}

describe("the serialized provider, run alone in a fresh process", () => {
    let providerText: string;
    let emulator: RekognitionEmulator;
    let restoreEnv: () => void;

    before(async () => {
        providerText = await providerTextFromProgram();
        ({ emulator, restoreEnv } = await startEmulator());
    });
    after(async () => {
        await emulator.stop();
        restoreEnv();
    });

    it("is the text every session shares, small and self-contained", async function () {
        const bytes = Buffer.byteLength(providerText);
        this.test!.title += ` (${bytes} bytes)`;
        assert.ok(bytes <= PROVIDER_TEXT_BUDGET_BYTES, `${bytes} bytes, over the ${PROVIDER_TEXT_BUDGET_BYTES}-byte budget`);
        assert.equal(providerText, faceLivenessSessionProviderText, "the text npm run build made");
        const requiredBy = (text: string) => [...new Set([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))].sort();
        assert.deepEqual(requiredBy(providerText), ["node:zlib"]);
        assert.deepEqual(requiredBy(bundleOf(providerText)), ["@aws-sdk/client-rekognition", "node:crypto"]);
    });

    it("names the package and version that wrote it on its first line, for readers of a state file", () => {
        const { name, version } = JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8"));
        assert.equal(
            providerText.split("\n")[0],
            `// ${name} ${version}: the FaceLivenessSession provider, its minified bundle brotli-compressed in base64`,
        );
    });

    it("holds no credentials when a program declares sessions with credentials in the environment and in stack config", async () => {
        await configureStack({ "aws:region": "us-east-1", "aws:accessKey": "AKIDFROMCONFIG", "aws:secretKey": "secret-from-config" });
        try {
            const text = await providerTextFromProgram();
            for (const secret of [emulator.accessKeyId, emulator.secretAccessKey, "AKIDFROMCONFIG", "secret-from-config"]) {
                assert.equal(text.includes(secret), false, `the text holds ${secret.slice(0, 4)}…`);
                assert.equal(bundleOf(text).includes(secret), false, `the bundle holds ${secret.slice(0, 4)}…`);
            }
            assert.equal(text, providerText, "the same text as without credentials");
        } finally {
            await configureStack({});
        }
    });

    it("checks, creates and reads a session against the emulator without the project's modules", async () => {
        const { results, loadedProjectFiles } = await runAlone(
            providerText,
            { "aws:region": "us-west-2" },
            [
                { method: "check", args: [{}, { settings: { auditImagesLimit: 1 }, __provider: "text" }] },
                { method: "check", args: [{}, { settings: { auditImagesLimit: 5 } }] },
            ],
            { ...process.env },
        );
        assert.deepEqual(loadedProjectFiles, []);
        const checked = results[0].result;
        assert.deepEqual(checked.failures, []);
        assert.deepEqual(checked.inputs, { settings: { auditImagesLimit: 1 }, region: "us-west-2", __provider: "text" });
        assert.deepEqual(results[1].result.failures, [
            { property: "", reason: "settings.auditImagesLimit must be an integer from 0 to 4, got 5" },
        ]);

        const { __provider: _, ...inputs } = checked.inputs;
        const second = await runAlone(providerText, { "aws:region": "us-west-2" }, [{ method: "create", args: [inputs] }], {
            ...process.env,
        });
        const created = second.results[0].result;
        assert.match(created.id, UUID_PATTERN);
        const token = created.outs.clientRequestToken;
        assert.match(token, UUID_PATTERN, "create makes the token");
        assert.deepEqual(created.outs, {
            ...inputs,
            region: "us-west-2",
            clientRequestToken: token,
            sessionId: created.id,
            status: "CREATED",
        });
        assert.deepEqual(
            emulator.calls("CreateFaceLivenessSession").map((c) => [c.region, c.body]),
            [["us-west-2", { Settings: { AuditImagesLimit: 1 }, ClientRequestToken: token }]],
        );

        const third = await runAlone(
            providerText,
            {},
            [
                { method: "read", args: [created.id, created.outs] },
                { method: "delete", args: [created.id, created.outs] },
            ],
            { ...process.env },
        );
        assert.deepEqual(third.results, [{ result: { id: created.id, props: created.outs } }, { result: null }]);
    });

    it("does not load the AWS SDK for check and diff (preview)", async () => {
        const { results, awsSdkLoaded } = await runAlone(
            providerText,
            { "aws:region": "us-east-1" },
            [
                { method: "check", args: [{}, {}] },
                { method: "diff", args: ["id", { region: "us-east-1" }, { region: "us-east-1" }] },
            ],
            { ...process.env },
        );
        assert.deepEqual(results[1].result, { changes: false, replaces: [], deleteBeforeReplace: false });
        assert.equal(awsSdkLoaded, false);
    });
});
