#!/usr/bin/env node
/**
 * `liveness-emulator`: serves the Rekognition Face Liveness emulator on loopback until interrupted, printing the
 * variables that point an AWS SDK or a `pulumi` command at it, and how to set what a session's check came to.
 *
 *   liveness-emulator [--port N] [--region R] [--env-out PATH]
 *
 * `--env-out` also writes the variables, one `export NAME=value` per line, for a script to `source` (not `--env-file`:
 * Node.js takes that one as its own, wherever it appears).
 */
import * as fs from "node:fs";
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
    const exports = Object.entries(emulator.env()).map(([name, value]) => `export ${name}=${value}`);
    if (options.envOut) fs.writeFileSync(options.envOut, exports.join("\n") + "\n");
    console.log(
        [
            `Rekognition Face Liveness emulator on ${emulator.endpoint} (CreateFaceLivenessSession, GetFaceLivenessSessionResults)`,
            "",
            "Point the AWS SDK, and the sessions of a `pulumi up`, at it (no AWS account is used):",
            ...exports.map((line) => `  ${line}`),
            "",
            "Sessions stay CREATED until you set what a device's check came to (CREATED, IN_PROGRESS, SUCCEEDED, FAILED):",
            `  curl -s ${emulator.endpoint}/emulator/sessions`,
            `  curl -s -X PUT ${emulator.endpoint}/emulator/sessions/<sessionId>/outcome -d '{"status":"SUCCEEDED","confidence":98}'`,
            "",
            "Ctrl-C stops it; it keeps nothing.",
        ].join("\n"),
    );
    const stop = () => void emulator.stop().then(() => process.exit(0));
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
}

if (require.main === module) void main();
