/**
 * The whole check in a real browser, offline: Debian's Chromium (driven by playwright-core) with a fake camera playing
 * a video made here, the web example as built (examples/web: Amplify's FaceLivenessDetectorCore), the session API's
 * built handler behind the local front, the emulator's control plane and stream, and moto (scripts/web.ts). Nothing
 * leaves loopback. Where Chromium is not installed the layer prints one SKIPPED line; in CI it is required.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { verdictEventDetailType } from "../../runtime/sessionApi/config";
import type { Browser, Page } from "playwright-core";
import { LOCAL_IDENTITY, LocalCheck, startLocalCheck } from "../../scripts/web";
import { writeApproachingFace, writeStillFace } from "../support/fakeCamera";

const projectDir = path.resolve(__dirname, "../..");
const chromiumPath = "/usr/bin/chromium";
const webDir = path.join(projectDir, "examples", "web");
/** Where the screenshots go: LIVENESS_SCREENSHOTS=docs/images refreshes the docs' pictures; else the test's own folder. */
let screenshots: string;

describe("a liveness check in a real browser, offline: the FaceLivenessDetector, the emulator's stream, the session API", function () {
    this.timeout(180_000);
    let local: LocalCheck;
    let tmp: string;
    let faceVideo: string;
    let stillFaceVideo: string;
    let queueUrl: string;
    const savedLogLevel = process.env.POWERTOOLS_LOG_LEVEL;

    before(async function () {
        const missing = [
            !fs.existsSync(chromiumPath) && `Debian's Chromium (${chromiumPath}: apt-get install chromium)`,
            !fs.existsSync(path.join(webDir, "dist", "index.html")) &&
                "the built web example (npm ci --prefix examples/web && npm --prefix examples/web run build)",
        ].filter(Boolean);
        if (missing.length > 0) {
            if (process.env.CI === "true") throw new Error(`the browser layer needs ${missing.join(" and ")}`);
            console.log(`\n  SKIPPED the browser layer: it needs ${missing.join(" and ")}\n`);
            this.skip();
        }
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "liveness-browser-"));
        faceVideo = path.join(tmp, "face.y4m");
        stillFaceVideo = path.join(tmp, "still-face.y4m");
        writeApproachingFace(faceVideo, path.join(webDir, "node_modules", "@vladmandic", "human"));
        writeStillFace(stillFaceVideo, path.join(webDir, "node_modules", "@vladmandic", "human"));
        screenshots = process.env.LIVENESS_SCREENSHOTS ? path.resolve(projectDir, process.env.LIVENESS_SCREENSHOTS) : tmp;
        fs.mkdirSync(screenshots, { recursive: true });
        // The handler's own log lines (Powertools', read at its load) are not what this layer asserts.
        process.env.POWERTOOLS_LOG_LEVEL = "WARN";
        local = await startLocalCheck({ maxFailures: 2 });
        // Every verdict event on moto's default bus lands in a queue the tests read.
        const sqs = new SQSClient({});
        ({ QueueUrl: queueUrl } = (await sqs.send(new CreateQueueCommand({ QueueName: "browser-verdicts" }))) as { QueueUrl: string });
        const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }));
        const events = new EventBridgeClient({});
        await events.send(
            new PutRuleCommand({ Name: "browser-verdicts", EventPattern: JSON.stringify({ "detail-type": [verdictEventDetailType] }) }),
        );
        await events.send(new PutTargetsCommand({ Rule: "browser-verdicts", Targets: [{ Id: "queue", Arn: Attributes!.QueueArn }] }));
    });
    after(async () => {
        if (savedLogLevel === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
        else process.env.POWERTOOLS_LOG_LEVEL = savedLogLevel;
        await local?.stop();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    /** A browser whose camera plays `video`, trusting only the emulator's stream certificate. */
    async function browserWith(video: string): Promise<Browser> {
        const { chromium } = await import("playwright-core");
        return chromium.launch({
            executablePath: chromiumPath,
            args: [
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                `--use-file-for-fake-video-capture=${video}`,
                `--ignore-certificate-errors-spki-list=${local.emulator.streamTrust().spkiHash}`,
            ],
        });
    }

    /** Opens the page, starts a check and the component's video check; answers the page and every address it asked. */
    async function check(browser: Browser, screenshot?: string): Promise<{ page: Page; addresses: string[] }> {
        const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
        const addresses: string[] = [];
        page.on("request", (request) => addresses.push(request.url()));
        page.on("websocket", (socket) => addresses.push(socket.url()));
        await page.goto(local.url);
        await page.getByRole("button", { name: "Start check" }).click();
        const start = page.getByRole("button", { name: /start video check/i });
        await start.waitFor({ state: "visible", timeout: 60_000 });
        if (screenshot) await page.screenshot({ path: path.join(screenshots, screenshot) });
        await start.click();
        return { page, addresses };
    }
    /** The sessions whose check the emulator has seen begin since `before`. */
    const streamedSince = (before: Set<string>) => [...local.emulator.sessions.values()].filter((s) => s.check && !before.has(s.sessionId));
    const sessionIds = () => new Set(local.emulator.sessions.keys());

    const verdictOf = (page: Page) => page.getByTestId("verdict").textContent({ timeout: 90_000 });

    it("a check that passes: the page shows Pass, the verdict is recorded, and the emulator received the video and the challenge's events", async () => {
        const browser = await browserWith(faceVideo);
        try {
            const before = sessionIds();
            const { page, addresses } = await check(browser, "start-screen.png");
            assert.equal(await verdictOf(page), "Pass");
            await page.screenshot({ path: path.join(screenshots, "verdict-pass.png") });
            const [session] = streamedSince(before);
            assert.equal(session.check!.ended, true, "the check streamed to its end");
            assert.ok(session.check!.videoEvents > 1, `${session.check!.videoEvents} video events`);
            assert.ok(session.check!.clientEvents.length >= 2, "the challenge's start and end");
            const record = await DynamoDBDocumentClient.from(new DynamoDBClient({})).send(
                new GetCommand({ TableName: local.tableName, Key: { pk: `OWNER#${LOCAL_IDENTITY}`, sk: `SESSION#${session.sessionId}` } }),
            );
            assert.deepEqual([record.Item?.status, record.Item?.live], ["SUCCEEDED", true]);
            const { Messages } = await new SQSClient({}).send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
            assert.deepEqual(
                (Messages ?? []).map((m) => JSON.parse(m.Body!).detail).map((d) => [d.sessionId, d.live]),
                [[session.sessionId, true]],
                "its event was published",
            );
            for (const address of addresses) assert.match(address, /^(https?|wss):\/\/127\.0\.0\.1:\d+\//, `${address} left loopback`);
            // The local front refuses what API Gateway's IAM auth refuses: an unsigned call, and one signed with another secret.
            const sessions = local.emulator.sessions.size;
            const unsigned = await fetch(`${local.url}api/sessions`, { method: "POST", body: "{}" });
            assert.deepEqual([unsigned.status, await unsigned.json()], [403, { message: "Forbidden" }]);
            const forged = await fetch(`${local.url}api/sessions`, {
                method: "POST",
                body: "{}",
                headers: {
                    "x-amz-date": "20261205T120000Z",
                    authorization:
                        "AWS4-HMAC-SHA256 Credential=AKIDEMULATOR/20261205/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=" +
                        "0".repeat(64),
                },
            });
            assert.equal(forged.status, 403);
            assert.equal(local.emulator.sessions.size, sessions, "no session for a refused call");
        } finally {
            await browser.close();
        }
    });

    it("a check the emulator fails: the page shows Fail", async () => {
        local.emulator.planChecks({ status: "FAILED" });
        const browser = await browserWith(faceVideo);
        try {
            const before = sessionIds();
            const { page } = await check(browser);
            assert.equal(await verdictOf(page), "Fail");
            await page.screenshot({ path: path.join(screenshots, "verdict-fail.png") });
            const [session] = streamedSince(before);
            assert.deepEqual([session.check!.ended, session.status], [true, "FAILED"]);
        } finally {
            local.emulator.planChecks(undefined);
            await browser.close();
        }
    });

    // With no face at all the component never times out: it asks for a face ("Move face in front of camera") until the
    // user leaves. Its own timeout is for a face that does not come to fit the oval.
    it("a face that never fits the oval: the component's own timeout ends the check (close 4001), and the session is not live", async () => {
        const browser = await browserWith(stillFaceVideo);
        try {
            const before = sessionIds();
            const { page } = await check(browser);
            assert.equal(await verdictOf(page), "Fail");
            assert.match((await page.locator("p").textContent()) ?? "", /timeout/);
            const [session] = streamedSince(before);
            assert.deepEqual([session.check!.ended, session.check!.closeCode, session.status], [false, 4001, "FAILED"]);
        } finally {
            await browser.close();
        }
    });

    it("after maxFailures (2 here) not-live checks the owner is refused, and the page says so before any session", async () => {
        const browser = await browserWith(faceVideo);
        try {
            const before = sessionIds();
            const page = await browser.newPage();
            await page.goto(local.url);
            await page.getByRole("button", { name: "Start check" }).click();
            assert.equal(await page.getByTestId("refused").textContent({ timeout: 30_000 }), "Not now");
            assert.match(
                (await page.locator("p").textContent()) ?? "",
                /^too many liveness checks; try again later\. Try again in \d+ s\.$/,
            );
            assert.deepEqual(
                [...sessionIds()].filter((id) => !before.has(id)),
                [],
                "no session was created",
            );
        } finally {
            await browser.close();
        }
    });
});
