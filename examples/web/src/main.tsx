/**
 * A liveness check from the device's side: ask the session API for a session, stream the check with Amplify's
 * FaceLivenessDetectorCore, ask the API for the verdict, show pass or fail. The verdict the page shows is only what
 * the API answered its owner; the app's backend reads the recorded verdict itself (`checksTableName`).
 */
import "@aws-amplify/ui-react/styles.css";
import { ThemeProvider } from "@aws-amplify/ui-react";
import { FaceLivenessDetectorCore } from "@aws-amplify/ui-react-liveness";
import React, { useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { callApi } from "./api";
import { type PageConfig, deviceCredentials, loadConfig } from "./config";

type Step =
    | { name: "ready" }
    | { name: "refused"; message: string }
    | { name: "checking"; sessionId: string; region: string }
    | { name: "verifying"; sessionId: string; problem?: string }
    | { name: "verdict"; live: boolean; status: string; problem?: string };

const pause = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

function App({ config }: { config: PageConfig }) {
    const [step, setStep] = useState<Step>({ name: "ready" });
    const call = async (method: "GET" | "POST", path: string) =>
        callApi(config.apiUrl, config.region, await deviceCredentials(config), method, path);

    async function start() {
        const created = await call("POST", "sessions");
        if (created.status !== 201) {
            const wait = created.retryAfterSeconds ? ` Try again in ${created.retryAfterSeconds} s.` : "";
            return setStep({ name: "refused", message: `${String(created.body.error ?? `error ${created.status}`)}.${wait}` });
        }
        setStep({ name: "checking", sessionId: String(created.body.sessionId), region: String(created.body.region) });
    }

    useEffect(() => {
        if (step.name !== "verifying") return;
        let stopped = false;
        void (async () => {
            // Ask until the session is finished, at the pace the API asks for.
            for (let attempt = 0; attempt < 30 && !stopped; attempt++) {
                const read = await call("GET", `sessions/${step.sessionId}`);
                if (read.status === 200 && read.body.live !== null) {
                    return setStep({
                        name: "verdict",
                        live: read.body.live === true,
                        status: String(read.body.status),
                        problem: step.problem,
                    });
                }
                await pause(read.retryAfterSeconds ?? 1);
            }
        })();
        return () => void (stopped = true);
    }, [step]);

    switch (step.name) {
        case "ready":
            return (
                <section>
                    <h1>Face Liveness check</h1>
                    <button onClick={() => void start()}>Start check</button>
                </section>
            );
        case "refused":
            return (
                <section>
                    <h1 data-testid="refused">Not now</h1>
                    <p>{step.message}</p>
                </section>
            );
        case "checking":
            return (
                <FaceLivenessDetectorCore
                    sessionId={step.sessionId}
                    region={step.region}
                    onAnalysisComplete={async () => setStep({ name: "verifying", sessionId: step.sessionId })}
                    onError={(error) => setStep({ name: "verifying", sessionId: step.sessionId, problem: error.state })}
                    config={{
                        credentialProvider: () => deviceCredentials(config),
                        faceModelUrl: config.faceModelUrl,
                        binaryPath: config.binaryPath,
                        // Local development only: the emulator's stream. Marked internal in Amplify's types; this
                        // example pins the component's version.
                        ...(config.streamEndpoint ? { endpointOverride: config.streamEndpoint } : {}),
                    }}
                />
            );
        case "verifying":
            return <p>Verifying…</p>;
        case "verdict":
            return (
                <section>
                    <h1 data-testid="verdict">{step.live ? "Pass" : "Fail"}</h1>
                    <p>
                        The check {step.live ? "passed" : "did not pass"} ({step.status.toLowerCase()}
                        {step.problem ? `, ${step.problem.toLowerCase().replace(/_/g, " ")}` : ""}).
                    </p>
                </section>
            );
    }
}

void loadConfig().then((config) =>
    createRoot(document.getElementById("root")!).render(
        <ThemeProvider>
            <App config={config} />
        </ThemeProvider>,
    ),
);
