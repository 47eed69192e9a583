/**
 * What the page needs, from `config.json` beside it: the session API's URL and region (the stack's `apiUrl` and
 * `deviceConfig`), where the detector's face model and WASM files are served, and where the device's credentials
 * come from. Against AWS they come from the setup's Cognito identity pool through Amplify (a signed-in user's: guests
 * may only stream); the local development server hands out the emulator's instead (`credentialsUrl`).
 */
import { Amplify } from "aws-amplify";
import { fetchAuthSession } from "aws-amplify/auth";

export interface Credentials {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
}

export interface PageConfig {
    /** The stack's `apiUrl`, ending in `/`. */
    apiUrl: string;
    /** The stack's `deviceConfig.region`. */
    region: string;
    /** The stack's `deviceConfig.identityPoolId`, and the user pool its users sign in with (AWS only). */
    identityPoolId?: string;
    userPoolId?: string;
    userPoolClientId?: string;
    /** The detector's face model and the folder of its WASM files, served by your site (not Rekognition's CDN). */
    faceModelUrl?: string;
    binaryPath?: string;
    /** Local development only: the stream's endpoint, and where the development server gives the device credentials. */
    streamEndpoint?: string;
    credentialsUrl?: string;
}

export async function loadConfig(): Promise<PageConfig> {
    const config = (await (await fetch("config.json")).json()) as PageConfig;
    if (config.identityPoolId) {
        Amplify.configure({
            Auth: {
                Cognito: {
                    identityPoolId: config.identityPoolId,
                    userPoolId: config.userPoolId ?? "",
                    userPoolClientId: config.userPoolClientId ?? "",
                    allowGuestAccess: false,
                },
            },
        });
    }
    return config;
}

/** The device's credentials: the signed-in user's, from the identity pool; or the development server's. */
export async function deviceCredentials(config: PageConfig): Promise<Credentials> {
    if (config.credentialsUrl) return (await (await fetch(config.credentialsUrl)).json()) as Credentials;
    const { credentials } = await fetchAuthSession();
    if (!credentials) throw new Error("no credentials: sign in first (guests may only stream)");
    return credentials;
}
