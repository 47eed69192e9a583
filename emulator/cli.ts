#!/usr/bin/env node
/**
 * `liveness-emulator`: serves the Rekognition Face Liveness emulator on loopback until interrupted, printing the
 * variables that point an AWS SDK or a `pulumi` command at it (the control plane and the stream, whose certificate it
 * writes to a temporary file for NODE_EXTRA_CA_CERTS), and how to decide what a session's check comes to.
 *
 *   liveness-emulator [--port N] [--region R] [--env-out PATH]
 *
 * `--env-out` also writes the variables, one `export NAME=value` per line, for a script to `source` (not `--env-file`:
 * Node.js takes that one as its own, wherever it appears).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RekognitionEmulator } from "./rekognitionEmulator";

const usage = "usage: liveness-emulator [--port N] [--region R] [--env-out PATH]";

/** The command line's options, or a message naming what is wrong with it. */
export function parseArguments(args: string[]): { port: number; region: string; envOut?: string } | { error: string } {
    const options: { port: number; region: string; envOut?: string } = { port: 0, region: "us-east-1" };
    for (let i = 0; i < args.length; i += 2) {
        const [flag, value] = [args[i], args[i + 1]];
        if (flag === "--help" || flag === "-h") return { error: usage };
        if (value === undefined) return { error: `${flag} needs a value\n${usage}` };
        if (flag === "--port") {
            const port = Number(value);
            if (!Number.isInteger(port) || port < 0 || port > 65535) {
                return { error: `--port must be a whole number from 0 (any free port) to 65535, not ${JSON.stringify(value)}` };
            }
            options.port = port;
        } else if (flag === "--region") options.region = value;
        else if (flag === "--env-out") options.envOut = value;
        else return { error: `unknown option ${flag}\n${usage}` };
    }
    return options;
}

async function main(): Promise<void> {
    const options = parseArguments(process.argv.slice(2));
    if ("error" in options) {
        console.error(options.error);
        process.exit(2);
    }
    const emulator = await new RekognitionEmulator({ port: options.port, region: options.region }).start();
    // The stream's certificate, made at start: Node.js trusts it through NODE_EXTRA_CA_CERTS, read when a process starts.
    const trust = emulator.streamTrust();
    const certificateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "liveness-emulator-")), "stream-certificate.pem");
    fs.writeFileSync(certificateFile, trust.certificate);
    const variables = { ...emulator.env(), NODE_EXTRA_CA_CERTS: certificateFile };
    const exports = Object.entries(variables).map(([name, value]) => `export ${name}=${value}`);
    if (options.envOut) fs.writeFileSync(options.envOut, exports.join("\n") + "\n");
    console.log(
        [
            `Rekognition Face Liveness emulator on ${emulator.endpoint} (CreateFaceLivenessSession, GetFaceLivenessSessionResults)`,
            `and ${trust.endpoint} (StartFaceLivenessSession, the stream a FaceLivenessDetector sends its check over)`,
            "",
            "Point the AWS SDK, and the sessions of a `pulumi up`, at it (no AWS account is used):",
            ...exports.map((line) => `  ${line}`),
            "",
            "The stream's certificate is the emulator's own, made when it started: Node.js trusts it through NODE_EXTRA_CA_CERTS",
            `above; start Chromium with --ignore-certificate-errors-spki-list=${trust.spkiHash}`,
            "",
            "A streamed check comes to SUCCEEDED (the emulator decides nothing from the video) unless decided otherwise ahead;",
            "a check the device abandons comes to FAILED. Statuses: CREATED, IN_PROGRESS, SUCCEEDED, FAILED.",
            `  curl -s ${emulator.endpoint}/emulator/sessions`,
            `  curl -s -X PUT ${emulator.endpoint}/emulator/sessions/<sessionId>/check -d '{"status":"FAILED"}'      # its check, when streamed`,
            `  curl -s -X PUT ${emulator.endpoint}/emulator/checks -d '{"status":"SUCCEEDED","confidence":60}'       # the next checks`,
            `  curl -s -X DELETE ${emulator.endpoint}/emulator/checks                                                # SUCCEEDED again`,
            `  curl -s -X PUT ${emulator.endpoint}/emulator/sessions/<sessionId>/outcome -d '{"status":"SUCCEEDED"}'  # now, without a stream`,
            "",
            "Ctrl-C stops it; it keeps nothing.",
        ].join("\n"),
    );
    const stop = () =>
        void emulator.stop().then(() => {
            fs.rmSync(path.dirname(certificateFile), { recursive: true, force: true });
            process.exit(0);
        });
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
}

if (require.main === module) void main();
