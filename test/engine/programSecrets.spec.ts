/**
 * Values a program marks secret itself — TypeScript's `pulumi.secret`, YAML's `fn::secret`, Python's
 * `pulumi.Output.secret` — under the real engine, where stack config's secrets (secrets.spec.ts) are masked by the CLI
 * and these are not. The engine prints a check failure that names a property with that input's value from its own
 * copy of the inputs, secret or not, and `<nil>` for a nested one: each failure must say its property and value in its
 * own words, once. Every line any command printed or logged, and every state file, is searched for the values.
 */
import { strict as assert } from "node:assert";
import { TestStack, diagnostics } from "./support/pulumiCli";
import { EngineSuite } from "./support/layer";
import { consumerStack, pluginDir, uninstallPythonSdk } from "./support/consumers";
import { faceLivenessSessionType, pluginSessionType } from "../../providers/faceLivenessSession";

/** The wire's mark of a secret value in state and in `stack export`. */
const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/** One language's program, and how it is given the values it marks secret (all unmarked ones plain). */
interface Case {
    language: string;
    /** The session's type, as a failure names it. */
    type: string;
    stack(suite: EngineSuite): Promise<TestStack>;
    /** Sets the config that makes the program mark `token` and `prefix` secret, with `auditImagesLimit` plain. */
    give(stack: TestStack, values: { token: string; prefix: string; auditImagesLimit: number }): Promise<void>;
}

const cases: Case[] = [
    {
        language: "TypeScript (pulumi.secret)",
        type: faceLivenessSessionType,
        stack: (suite) => suite.stack("sessions", {}, { "aws:region": "us-east-1" }),
        give: (stack, { token, prefix, auditImagesLimit }) =>
            stack.setConfig(
                "marked",
                base64(
                    JSON.stringify({
                        marked: {
                            args: {
                                clientRequestToken: token,
                                settings: { auditImagesLimit, outputConfig: { s3Bucket: "liveness-images", s3KeyPrefix: prefix } },
                            },
                            secret: ["clientRequestToken", "settings.outputConfig.s3KeyPrefix"],
                            // A plain value the provider checks, not the program (an Output is checked at preview).
                            outputs: ["settings.auditImagesLimit"],
                        },
                    }),
                ),
            ),
    },
    ...[
        { language: "YAML (fn::secret)", program: "yaml-secrets", kind: "yaml" as const },
        { language: "Python (pulumi.Output.secret)", program: "python-secrets", kind: "python" as const },
    ].map(({ language, program, kind }): Case => ({
        language,
        type: pluginSessionType,
        stack: (suite) => consumerStack(suite, kind, program, { source: pluginDir, config: { "liveness:region": "us-east-1" } }),
        give: async (stack, { token, prefix, auditImagesLimit }) => {
            await stack.setConfig("marked64", base64(token));
            await stack.setConfig("prefix64", base64(prefix));
            await stack.setConfig("auditImagesLimit", String(auditImagesLimit));
        },
    })),
];

describe("the real Pulumi engine: values the program marks secret", function () {
    this.timeout(300_000);
    let suite: EngineSuite;

    before(async function () {
        suite = await EngineSuite.start(this);
    });
    after(async () => {
        await suite?.close();
        await uninstallPythonSdk();
    });

    cases.forEach(({ language, type, stack: stackOf, give }, i) => {
        describe(language, () => {
            let stack: TestStack;
            // Unlike every other text the commands print, so that a search finds only these.
            const secrets = {
                badToken: `bad token zq-hush-${i}771!`,
                badPrefix: `bad prefix zq-hush-${i}772`,
                deniedToken: `denied-zq-hush-${i}773`,
                token: `valid-zq-hush-${i}774`,
                prefix: `valid/zq-hush-${i}775/`,
            };

            before(async () => {
                stack = await stackOf(suite);
            });
            after(() => {
                if (!stack) return;
                const shown = stack.everythingShown();
                for (const value of [secrets.badToken, secrets.badPrefix, secrets.deniedToken]) {
                    assert.equal(shown.includes(value), false, `${value} was shown or stored in clear`);
                }
                // @pulumi/pulumi (3.248 to 3.276) logs every RegisterResource response whole at debug level, secret outputs in
                // clear, and the engine writes debug messages to the event log (and prints them with --debug): true
                // of any resource of a TypeScript program, not of this package's alone. Outside those lines, nothing.
                const sdkDebug = (line: string) => line.includes('"severity":"debug"') && line.includes("RegisterResource RPC finished");
                const lines = shown.split("\n");
                for (const value of [secrets.token, secrets.prefix]) {
                    const where = lines.filter((line) => line.includes(value));
                    assert.deepEqual(
                        where.filter((line) => !sdkDebug(line)),
                        [],
                        `${value} was shown or stored in clear`,
                    );
                    assert.equal(where.length, type === faceLivenessSessionType ? 1 : 0, "the SDK's debug line, in TypeScript only");
                }
            });

            it("preview fails with each failure once, in its own words: the property, the value ([secret] where marked), what is allowed", async () => {
                await give(stack, { token: secrets.badToken, prefix: secrets.badPrefix, auditImagesLimit: 7 });
                const createsBefore = suite.emulator.calls("CreateFaceLivenessSession").length;
                const preview = await stack.run(["preview"]);
                assert.notEqual(preview.code, 0);
                const failures = diagnostics(preview).filter((line) => line.includes("has a problem"));
                assert.deepEqual(failures.sort(), [
                    `${type} resource 'marked' has a problem: clientRequestToken must be letters, digits, '-' and '_', matching ^[a-zA-Z0-9-_]+$, got [secret]`,
                    `${type} resource 'marked' has a problem: settings.auditImagesLimit must be an integer from 0 to 4, got 7`,
                    `${type} resource 'marked' has a problem: settings.outputConfig.s3KeyPrefix must be an S3 key prefix without white space, matching ^\\S*$, got [secret]`,
                ]);
                assert.equal(suite.emulator.calls("CreateFaceLivenessSession").length, createsBefore, "no session was asked for");
            });

            it("a create the service refuses, quoting the token, fails with [secret] in its place", async () => {
                await give(stack, { token: secrets.deniedToken, prefix: secrets.prefix, auditImagesLimit: 1 });
                suite.emulator.failNext(
                    "CreateFaceLivenessSession",
                    "AccessDeniedException",
                    1,
                    `Token ${secrets.deniedToken} is not allowed`,
                );
                const up = await stack.run(["up", "--yes", "--skip-preview"]);
                assert.notEqual(up.code, 0);
                assert.match(
                    diagnostics(up).join("\n"),
                    /CreateFaceLivenessSession in us-east-1 was denied \(AccessDeniedException: Token \[secret\] is not allowed\)\. The caller needs rekognition:CreateFaceLivenessSession; s3:PutObject on arn:aws:s3:::liveness-images\/\[secret\]\*\./,
                );
            });

            it("up, refresh and destroy succeed; the values reach the service, and state keeps them as secrets", async () => {
                await give(stack, { token: secrets.token, prefix: secrets.prefix, auditImagesLimit: 1 });
                await stack.ok(["up", "--yes", "--skip-preview"]);
                await stack.ok(["refresh", "--yes", "--skip-preview"]);
                const session = (await stack.exportState()).resources.find((r) => r.type === type)!;
                const request = suite.emulator.sessions.get(session.id!)!.request;
                assert.deepEqual([request.ClientRequestToken, request.Settings.OutputConfig.S3KeyPrefix], [secrets.token, secrets.prefix]);
                assert.ok(SECRET_SIGNATURE in session.inputs!.clientRequestToken, "input clientRequestToken is secret in state");
                assert.ok(SECRET_SIGNATURE in session.outputs!.clientRequestToken, "output clientRequestToken is secret in state");
                await stack.ok(["destroy", "--yes", "--skip-preview"]);
            });
        });
    });
});
