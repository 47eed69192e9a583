/**
 * `npm run test:aws`: the acceptance check in a real AWS account. Deploys the example stack as a throwaway stack on
 * a local state backend, with the device identity (guests allowed, users signed in by the test as a developer provider) and the session API; creates its sessions, reads
 * their status from the service, refreshes; signs `POST /sessions` and `GET /sessions/{id}` with a signed-in device's
 * credentials as an app does, waits for that session to expire and reads the verdict the API recorded; then destroys
 * everything. Skipped unless AWS credentials and the Pulumi CLI are present. Never part of `npm test`.
 *
 * Leaves nothing behind but the KMS key pending deletion for its 7-day minimum window (KMS cannot delete sooner).
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    CognitoIdentityClient,
    GetCredentialsForIdentityCommand,
    GetIdCommand,
    GetOpenIdTokenForDeveloperIdentityCommand,
} from "@aws-sdk/client-cognito-identity";
import { DynamoDBClient, QueryCommand } from "@aws-sdk/client-dynamodb";
import { GetFaceLivenessSessionResultsCommand, RekognitionClient } from "@aws-sdk/client-rekognition";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { sessionTable } from "../../runtime/sessionApi/config";

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

type AwsCredentialIdentity = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/** The developer provider the example stack's identity pool is configured with here: this test signs users in. */
const developerProvider = "login.liveness.aws-check";

/**
 * A device's identity and credentials from the identity pool, as Amplify gets them: a guest's (one unsigned GetId), or
 * a signed-in user's (`user`), authenticated by this test as a backend authenticates developer identities.
 */
async function device(identityPoolId: string, user?: string): Promise<{ identityId: string; credentials: AwsCredentialIdentity }> {
    const cognito = new CognitoIdentityClient({ region });
    try {
        let IdentityId: string | undefined;
        let Logins: Record<string, string> | undefined;
        if (user === undefined) {
            ({ IdentityId } = await cognito.send(new GetIdCommand({ IdentityPoolId: identityPoolId })));
        } else {
            const token = await cognito.send(
                new GetOpenIdTokenForDeveloperIdentityCommand({ IdentityPoolId: identityPoolId, Logins: { [developerProvider]: user } }),
            );
            IdentityId = token.IdentityId;
            Logins = { "cognito-identity.amazonaws.com": token.Token! };
        }
        const { Credentials } = await cognito.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins }));
        return {
            identityId: IdentityId!,
            credentials: {
                accessKeyId: Credentials!.AccessKeyId!,
                secretAccessKey: Credentials!.SecretKey!,
                sessionToken: Credentials!.SessionToken,
            },
        };
    } finally {
        cognito.destroy();
    }
}

/** Calls the session API as the app does: SigV4 for `execute-api` with the device's credentials, or unsigned. */
async function callApi(
    url: URL,
    method: "GET" | "POST",
    credentials?: AwsCredentialIdentity,
): Promise<{ status: number; body: Record<string, unknown> }> {
    let headers: Record<string, string> = { host: url.host };
    if (credentials) {
        const signer = new SignatureV4({ service: "execute-api", region, credentials, sha256: Hash.bind(null, "sha256") });
        const signed = await signer.sign({
            method,
            protocol: url.protocol,
            hostname: url.hostname,
            path: url.pathname,
            headers,
            query: {},
        });
        headers = signed.headers;
    }
    const { host: _host, ...sent } = headers; // fetch sets Host itself
    const answer = await fetch(url, { method, headers: sent });
    const text = await answer.text();
    return { status: answer.status, body: text === "" ? {} : JSON.parse(text) };
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
            "rekognition-liveness:deviceIdentity": {
                value: JSON.stringify({ allowGuests: true, developerProviderName: developerProvider }),
            },
            "rekognition-liveness:api": { value: JSON.stringify({}) },
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

    let outputs: Record<string, unknown>;

    it("creates the storage and a session the service knows, and refresh reads its status", async () => {
        const up = await stack.up({ onOutput: (line) => process.stdout.write(line) });
        outputs = Object.fromEntries(Object.entries(up.outputs).map(([k, v]) => [k, v.value]));
        const sessionIds = outputs.sessionIds as Record<string, string>;
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

    it("answers a signed-in device's signed requests for its own session only, refuses guests, and records the verdict once it expires", async () => {
        assert.ok(outputs, "the stack is up");
        const sessions = new URL("sessions", String(outputs.apiUrl));
        const identityPoolId = String((outputs.deviceConfig as { identityPoolId: string }).identityPoolId);
        const signedIn = await device(identityPoolId, "user-1");

        assert.equal((await callApi(sessions, "POST")).status, 403, "an unsigned request is refused by the route's IAM auth");
        const guest = await device(identityPoolId);
        assert.equal((await callApi(sessions, "POST", guest.credentials)).status, 403, "the guests' role may not call the API");

        const created = await callApi(sessions, "POST", signedIn.credentials);
        assert.equal(created.status, 201, JSON.stringify(created.body));
        assert.deepEqual(Object.keys(created.body).sort(), ["region", "sessionId"]);
        assert.equal(created.body.region, region);
        const sessionId = String(created.body.sessionId);
        const session = new URL(`sessions/${sessionId}`, String(outputs.apiUrl));

        assert.deepEqual(await callApi(session, "GET", signedIn.credentials), {
            status: 200,
            body: { sessionId, status: "CREATED", live: null },
        });
        const otherDevice = await device(identityPoolId, "user-2");
        assert.deepEqual(await callApi(session, "GET", otherDevice.credentials), { status: 404, body: { error: "no such session" } });

        // Nobody streams a face here: the session expires 3 minutes after it was made, and that is a verdict, not live.
        const deadline = Date.now() + 6 * 60 * 1000;
        let read = await callApi(session, "GET", signedIn.credentials);
        while (read.body.status !== "EXPIRED" && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 15_000));
            read = await callApi(session, "GET", signedIn.credentials);
        }
        assert.deepEqual(read, { status: 200, body: { sessionId, status: "EXPIRED", live: false } });

        const dynamodb = new DynamoDBClient({ region });
        try {
            const latest = await dynamodb.send(
                new QueryCommand({
                    TableName: String(outputs.checksTableName),
                    IndexName: sessionTable.verdictIndex.name,
                    KeyConditionExpression: "#owner = :owner",
                    ExpressionAttributeNames: { "#owner": sessionTable.verdictIndex.partitionKey },
                    ExpressionAttributeValues: { ":owner": { S: signedIn.identityId } },
                    ScanIndexForward: false,
                    Limit: 1,
                }),
            );
            assert.equal(latest.Items?.length, 1);
            assert.equal(latest.Items![0].sk.S, `SESSION#${sessionId}`);
            assert.equal(latest.Items![0].status.S, "EXPIRED");
            assert.equal(latest.Items![0].live.BOOL, false);
        } finally {
            dynamodb.destroy();
        }
    });
});
