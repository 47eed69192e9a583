/* global AbortController, Buffer, setTimeout */
"use strict";
// A device's side of StartFaceLivenessSession with the real AWS SDK: @aws-sdk/client-rekognitionstreaming over its
// WebSocket handler (as Amplify's FaceLivenessDetector uses it), run by Node.js 22+ (its global WebSocket) in a process
// of its own, so that it trusts the emulator's certificate through NODE_EXTRA_CA_CERTS and finds the stream through
// AWS_ENDPOINT_URL_REKOGNITIONSTREAMING, as code under test does.
//
//   node streamClient.js SESSION_ID MODE [CHALLENGE_VERSIONS]
//
// MODE: "complete" sends the events a check sends (video, the challenge's start, more video, its end, the empty last
// video event); "abandon" stops after the first video events and closes, as a device that times out or is cancelled.
// Prints one JSON line: the server's events (type and body) and the error the SDK raised, if any.
const { RekognitionStreamingClient, StartFaceLivenessSessionCommand } = require("@aws-sdk/client-rekognitionstreaming");
const { WebSocketFetchHandler } = require("@aws-sdk/middleware-websocket");

const [sessionId, mode, challengeVersions = "FaceMovementAndLightChallenge_2.0.0,FaceMovementChallenge_1.0.0"] = process.argv.slice(2);

async function main() {
    const client = new RekognitionStreamingClient({ requestHandler: new WebSocketFetchHandler({ connectionTimeout: 4000 }) });
    const received = [];
    let sessionInformation;
    const informed = new Promise((resolve) => (sessionInformation = resolve));
    const abort = new AbortController();
    const chunk = (text) => ({ VideoEvent: { VideoChunk: Buffer.from(text), TimestampMillis: Date.now() } });
    async function* events() {
        yield chunk("webm-header-and-first-frames");
        const challenge = await informed;
        const type = challenge && Object.keys(challenge)[0];
        const box = { Width: 0.3, Height: 0.45, Left: 0.35, Top: 0.25 };
        const start = Date.now();
        yield {
            ClientSessionInformationEvent: {
                Challenge: {
                    [type]: {
                        ChallengeId: "c-1",
                        VideoStartTimestamp: start,
                        InitialFace: { BoundingBox: box, InitialFaceDetectedTimestamp: start },
                    },
                },
            },
        };
        yield chunk("more-frames-1");
        if (mode === "abandon") {
            abort.abort();
            return;
        }
        yield chunk("more-frames-2");
        yield {
            ClientSessionInformationEvent: {
                Challenge: {
                    [type]: {
                        ChallengeId: "c-1",
                        VideoEndTimestamp: Date.now(),
                        TargetFace: {
                            BoundingBox: box,
                            FaceDetectedInTargetPositionStartTimestamp: start,
                            FaceDetectedInTargetPositionEndTimestamp: Date.now(),
                        },
                    },
                },
            },
        };
        yield { VideoEvent: { VideoChunk: new Uint8Array(0), TimestampMillis: Date.now() } };
        // The stream stays open until the server has said it is done.
        await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    let error;
    try {
        const response = await client.send(
            new StartFaceLivenessSessionCommand({
                SessionId: sessionId,
                VideoWidth: "640",
                VideoHeight: "480",
                ChallengeVersions: challengeVersions,
                LivenessRequestStream: events(),
            }),
            { abortSignal: abort.signal },
        );
        for await (const event of response.LivenessResponseStream) {
            const [type] = Object.keys(event);
            received.push({ type, body: event[type] });
            if (type === "ServerSessionInformationEvent") sessionInformation(event[type].SessionInformation.Challenge);
            if (type === "DisconnectionEvent") break;
        }
    } catch (e) {
        error = { name: e.name, message: e.message };
    }
    sessionInformation(undefined);
    client.destroy();
    process.stdout.write(JSON.stringify({ received, error }) + "\n");
}

main().then(
    () => process.exit(0),
    (e) => {
        process.stderr.write(String(e && e.stack) + "\n");
        process.exit(1);
    },
);
