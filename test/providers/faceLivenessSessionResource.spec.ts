/**
 * The resource class in a program, under Pulumi mocks: the type token, what it registers, and errors raised at
 * construction. Mocks do not run the provider; serializedProvider.spec.ts runs what they capture.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { faceLivenessSessionProviderText } from "../../providers/sessionProviderText";
import { mockPulumi, settle, unwrap } from "../support/mocks";

/** A promise the SDK watches for leaks, with what it recorded when making it (internal to @pulumi/pulumi). */
type LeakCandidate = Promise<unknown> & { _debugCtx?: string; _debugStackTrace?: string };
// The SDK's per-program state, where it keeps those promises: internal, so not in its type declarations.
const { getStore } = require("@pulumi/pulumi/runtime/state") as { getStore(): { leakCandidates: Set<LeakCandidate> } };

describe("FaceLivenessSession in a program (mocks)", () => {
    let registered: pulumi.runtime.MockResourceArgs[];
    let FaceLivenessSession: typeof import("../../providers/faceLivenessSession").FaceLivenessSession;

    before(async () => {
        registered = await mockPulumi({
            newResource: async (args) => ({
                id: "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
                state: { ...args.inputs, sessionId: "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9", status: "CREATED" },
            }),
        });
        ({ FaceLivenessSession } = await import("../../providers/faceLivenessSession"));
    });
    beforeEach(() => registered.splice(0));

    it("registers as pulumi-nodejs:dynamic/rekognition:FaceLivenessSession with its inputs and the provider text", async () => {
        const session = new FaceLivenessSession("onboarding", {
            kmsKeyId: "alias/kyc",
            settings: { outputConfig: { s3Bucket: pulumi.output("kyc-images"), s3KeyPrefix: "onboarding/" }, auditImagesLimit: 2 },
            renewExpired: true,
        });
        assert.equal(await unwrap(session.sessionId), "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9");
        assert.equal(await unwrap(session.status), "CREATED");
        assert.equal(registered.length, 1);
        const [args] = registered;
        assert.equal(args.type, "pulumi-nodejs:dynamic/rekognition:FaceLivenessSession");
        assert.equal(args.name, "onboarding");
        const { __provider, ...inputs } = args.inputs;
        assert.deepEqual(inputs, {
            kmsKeyId: "alias/kyc",
            settings: { outputConfig: { s3Bucket: "kyc-images", s3KeyPrefix: "onboarding/" }, auditImagesLimit: 2 },
            renewExpired: true,
        });
        assert.equal(__provider, faceLivenessSessionProviderText);
    });

    it("lists the paths of the inputs marked secret, however deep, so the provider never shows their values", async () => {
        new FaceLivenessSession("secretive", {
            kmsKeyId: pulumi.secret("alias/kyc"),
            clientRequestToken: "plain-token",
            settings: { outputConfig: { s3Bucket: pulumi.secret("kyc-images"), s3KeyPrefix: pulumi.output("onboarding/") } },
        });
        new FaceLivenessSession("nothing-secret", { kmsKeyId: pulumi.output("alias/kyc") });
        await settle();
        const byName = (name: string) => registered.find((r) => r.name === name)!;
        const [secretive, plain] = [byName("secretive"), byName("nothing-secret")];
        assert.deepEqual(secretive.inputs.__secretInputs, ["kmsKeyId", "settings.outputConfig.s3Bucket"]);
        assert.equal("__secretInputs" in plain.inputs, false, "nothing is stored when no input is secret");
    });

    it("lists which of the stack config keys the provider reads are set, so that an old CLI that drops them is caught", async () => {
        const saved = process.env.PULUMI_CONFIG;
        // The stack's config as the language host hands it to the program.
        pulumi.runtime.setAllConfig({ "aws:region": "eu-west-1", "liveness:requestsPerSecond": "3" });
        try {
            new FaceLivenessSession("configured", {});
            await settle();
            const configured = registered.find((r) => r.name === "configured")!;
            assert.deepEqual(configured.inputs.__stackConfig, ["aws:region", "liveness:requestsPerSecond"]);
        } finally {
            if (saved === undefined) delete process.env.PULUMI_CONFIG;
            else process.env.PULUMI_CONFIG = saved;
        }
    });

    it("fails at construction on a plain bad value, naming the property, the value and what is allowed", () => {
        assert.throws(
            () => new FaceLivenessSession("bad", { settings: { auditImagesLimit: 9, challengePreferences: [{ type: "Blink" as any }] } }),
            (error: Error) => {
                assert.ok(pulumi.ResourceError.isInstance(error));
                assert.equal(
                    error.message,
                    "FaceLivenessSession bad: settings.auditImagesLimit must be an integer from 0 to 4, got 9; " +
                        'settings.challengePreferences[0].type must be a challenge type: one of FaceMovementAndLightChallenge, FaceMovementChallenge, got "Blink"',
                );
                return true;
            },
        );
        assert.equal(registered.length, 0);
    });

    describe("the stack traces @pulumi/pulumi records for each promise behind an Output, read only to report leaks", () => {
        /** The promises the SDK recorded for one resource's Outputs, with what it recorded for each. */
        function recordedFor(name: string, declare: () => unknown): { context: string; trace: string }[] {
            const { leakCandidates } = getStore();
            const before = new Set(leakCandidates);
            declare();
            return [...leakCandidates]
                .filter((p) => !before.has(p) && String(p._debugCtx).includes(`resource:${name}[`))
                .map((p) => ({ context: String(p._debugCtx), trace: String(p._debugStackTrace) }));
        }

        /** The properties whose Outputs the promises are for, four promises each (value, known, secret, dependencies). */
        function outputsRecorded(recorded: { context: string }[]): Set<string> {
            const counts = new Map<string, number>();
            for (const { context } of recorded) {
                const property = /^transfer\w+\([^,]+, (\w+),/.exec(context)?.[1];
                if (property !== undefined) counts.set(property, (counts.get(property) ?? 0) + 1);
            }
            assert.deepEqual(new Set(counts.values()), new Set([4]));
            return new Set(counts.keys());
        }
        /** Every output, and the provider text (the other internal inputs are registered only when set). */
        const expectedOutputs = new Set([
            "sessionId",
            "status",
            "region",
            "clientRequestToken",
            "kmsKeyId",
            "settings",
            "renewExpired",
            "__provider",
        ]);
        // A stack with no config (nothing else is registered), and leak debugging as each test sets it.
        const leakDebugging = process.env.PULUMI_DEBUG_PROMISE_LEAKS;
        beforeEach(() => {
            pulumi.runtime.setAllConfig({});
            delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
        });
        after(() => {
            if (leakDebugging === undefined) delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
            else process.env.PULUMI_DEBUG_PROMISE_LEAKS = leakDebugging;
        });

        it("are not made for a session's Outputs (unless asked for), and the program's limit is kept", () => {
            const limit = Error.stackTraceLimit;
            const recorded = recordedFor("untraced", () => new FaceLivenessSession("untraced", { settings: { auditImagesLimit: 1 } }));
            assert.deepEqual(outputsRecorded(recorded), expectedOutputs);
            assert.deepEqual(new Set(recorded.map((p) => p.trace)), new Set(["Error"]), "a trace with no frames");
            assert.equal(Error.stackTraceLimit, limit);
        });

        it("are made as the SDK makes them when PULUMI_DEBUG_PROMISE_LEAKS asks for them", () => {
            process.env.PULUMI_DEBUG_PROMISE_LEAKS = "true";
            const recorded = recordedFor("traced", () => new FaceLivenessSession("traced", {}));
            assert.deepEqual(outputsRecorded(recorded), expectedOutputs);
            for (const { trace } of recorded) assert.match(trace, /faceLivenessSessionResource\.spec\.ts/, "a trace into the program");
        });

        it("an error the SDK raises while registering still carries a trace into the program, and the limit is kept", () => {
            const limit = Error.stackTraceLimit;
            // The SDK refuses an empty name synchronously, inside the registration.
            assert.throws(
                () => new FaceLivenessSession("", {}),
                (error: Error) => {
                    assert.match(error.message, /Missing resource name argument/);
                    assert.match(
                        String(error.stack),
                        /^Error: Missing resource name argument.*\n(.*\n)*\s+at .*faceLivenessSessionResource\.spec\.ts/,
                    );
                    return true;
                },
            );
            assert.equal(Error.stackTraceLimit, limit);
        });
    });

    it("leaves values from other resources to the provider's check", () => {
        assert.doesNotThrow(
            () =>
                new FaceLivenessSession("later", {
                    kmsKeyId: pulumi.output("alias/kyc"),
                    settings: pulumi.output({ auditImagesLimit: 1 }),
                }),
        );
    });
});
