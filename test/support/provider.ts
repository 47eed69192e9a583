import type * as pulumi from "@pulumi/pulumi";
import { faceLivenessSessionProvider } from "../../providers/faceLivenessSession";

/** The provider with every optional method present, as the tests call them. */
export const provider = faceLivenessSessionProvider as Required<pulumi.dynamic.ResourceProvider>;

/** Calls `configure` as the host does, with the given stack config (namespaced keys, secrets decrypted). */
export async function configureStack(config: Record<string, string>): Promise<void> {
    const get = (key: string) => config[key];
    await provider.configure({
        config: {
            get,
            require: (key: string) => {
                const value = get(key);
                if (value === undefined) throw new Error(`Missing required configuration key: ${key}`);
                return value;
            },
        },
    });
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Resolves with what `promise` rejects with, failing the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
    try {
        await promise;
    } catch (error) {
        return error as Error;
    }
    throw new Error("expected a rejection, but the call succeeded");
}
