/**
 * `npm run test:aws`: the acceptance check in a real AWS account. Deploys the example stack as a throwaway stack on
 * a local state backend, creates its sessions, reads their status from the service, refreshes, and destroys
 * everything. Skipped unless AWS credentials and the Pulumi CLI are present. Never part of `npm test`.
 *
 * Leaves nothing behind but the KMS key pending deletion for its 7-day minimum window (KMS cannot delete sooner).
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GetFaceLivenessSessionResultsCommand, RekognitionClient } from "@aws-sdk/client-rekognition";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";

const projectDir = path.resolve(__dirname, "../..");
const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1";

async function credentialsPresent(): Promise<boolean> {
    const client = new RekognitionClient({ region });
    try {
        await client.config.credentials();
        return true;
    } catch {
        return false;
    } finally {
        client.destroy();
    }
}

function pulumiCliPresent(): boolean {
    try {
        execFileSync("pulumi", ["version"], { stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}

describe(`the example stack in a real AWS account (${region})`, function () {
    this.timeout(20 * 60 * 1000);
    let stack: Stack;
    let stateDir: string;

    before(async function () {
        if (!(await credentialsPresent())) {
            console.log("    skipped: no AWS credentials (AWS_PROFILE, ~/.aws, environment, SSO)");
            this.skip();
        }
        if (!pulumiCliPresent()) {
            console.log("    skipped: the Pulumi CLI is not installed (https://www.pulumi.com/docs/install/)");
            this.skip();
        }
        stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "liveness-aws-check-"));
        stack = await LocalWorkspace.createOrSelectStack(
            { stackName: `aws-check-${Date.now()}`, workDir: projectDir },
            { envVars: { PULUMI_BACKEND_URL: `file://${stateDir}`, PULUMI_CONFIG_PASSPHRASE: "" } },
        );
        await stack.setAllConfig({
            "aws:region": { value: region },
            // Throwaway: let destroy remove the bucket with any image in it, and the key as soon as KMS allows.
            "rekognition-liveness:forceDestroy": { value: "true" },
            "rekognition-liveness:keyDeletionWindowDays": { value: "7" },
            "rekognition-liveness:sessions": { value: JSON.stringify({ check: { auditImagesLimit: 1 } }) },
        });
    });

    after(async function () {
        if (!stack) return;
        await stack.destroy({ onOutput: (line) => process.stdout.write(line) });
        const remaining = (await stack.exportStack()).deployment.resources ?? [];
        await stack.workspace.removeStack(stack.name);
        fs.rmSync(stateDir, { recursive: true, force: true });
        assert.deepEqual(
            remaining.filter((r: { type: string }) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:")),
            [],
        );
    });

    it("creates the storage and a session the service knows, and refresh reads its status", async () => {
        const up = await stack.up({ onOutput: (line) => process.stdout.write(line) });
        const sessionIds = up.outputs.sessionIds.value as Record<string, string>;
        assert.match(sessionIds.check, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

        const client = new RekognitionClient({ region });
        try {
            const result = await client.send(new GetFaceLivenessSessionResultsCommand({ SessionId: sessionIds.check }));
            assert.equal(result.Status, "CREATED");
        } finally {
            client.destroy();
        }

        await stack.refresh({ onOutput: (line) => process.stdout.write(line) });
        const sessions = (await stack.exportStack()).deployment.resources.filter((r: { type: string }) =>
            r.type.endsWith(":FaceLivenessSession"),
        );
        assert.equal(sessions.length, 1);
        assert.ok(["CREATED", "EXPIRED"].includes(sessions[0].outputs.status), sessions[0].outputs.status);
    });
});
