/**
 * The `liveness` provider plugin: `FaceLivenessSession` as a custom resource and `LivenessSetup` as a component, for
 * programs in every Pulumi language. It runs the same provider core as the dynamic provider TypeScript programs use
 * (providers/sessionProvider.ts) and the same component code (components/livenessSetup.ts); what is here only adapts
 * them to the plugin protocol: the provider's own config, secrets as the engine sends them, and construct.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as provider from "@pulumi/pulumi/provider";
import { LivenessSetup } from "../components/livenessSetup";
import type { LivenessSetupArgs } from "../components/livenessSetup";
import { secretInputsKey } from "../providers/faceLivenessApi";
import { pluginSessionHost } from "../providers/faceLivenessSession";
import { configureFrom, faceLivenessSessionProvider as core } from "../providers/sessionProvider";
import type { ConfigKeys, FaceLivenessSessionInputs, FaceLivenessSessionOutputs } from "../providers/sessionProvider";
import type { PackageRelease } from "./release";
import { packageName, packageSchema, sessionToken, setupOutputDocs, setupToken } from "./schema";

/** The provider's config keys (`liveness:<key>` in a stack), as the engine's Configure request names them. */
export const pluginConfigKeys: ConfigKeys = {
    region: "region",
    profile: "profile",
    accessKey: "accessKey",
    secretKey: "secretKey",
    token: "token",
    requestsPerSecond: "requestsPerSecond",
    regionInStack: `${packageName}:region`,
};

type Props = Record<string, unknown>;

/** A value as the engine sends it to a provider that accepts secrets: `{ <sig>: <secret sig>, value }` marks a secret. */
function isWrappedSecret(value: unknown): value is { value: unknown } {
    return (
        typeof value === "object" && value !== null && (value as Props)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig
    );
}

/** The plain value, and the paths (as the core names them: `a.b`, `a[0]`) of the secrets in it. */
export function unwrapSecrets(value: unknown, path = "", secretPaths: string[] = []): { plain: any; secretPaths: string[] } {
    if (isWrappedSecret(value)) {
        secretPaths.push(path);
        return { plain: unwrapSecrets(value.value, path, []).plain, secretPaths };
    }
    if (Array.isArray(value)) {
        return { plain: value.map((item, i) => unwrapSecrets(item, `${path}[${i}]`, secretPaths).plain), secretPaths };
    }
    if (typeof value === "object" && value !== null) {
        const plain: Props = {};
        for (const [key, item] of Object.entries(value)) {
            plain[key] = unwrapSecrets(item, path === "" ? key : `${path}.${key}`, secretPaths).plain;
        }
        return { plain, secretPaths };
    }
    return { plain: value, secretPaths };
}

/** `props` with the values at `secretPaths` marked secret again, so that the engine keeps them encrypted in state. */
export function wrapSecrets(props: Props, secretPaths: readonly string[]): Props {
    const wrap = (value: unknown, path: string): unknown => {
        if (secretPaths.includes(path)) {
            return { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value };
        }
        if (Array.isArray(value)) return value.map((item, i) => wrap(item, `${path}[${i}]`));
        if (typeof value === "object" && value !== null) {
            return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, wrap(item, path === "" ? key : `${path}.${key}`)]));
        }
        return value;
    };
    return wrap(props, "") as Props;
}

/** What the core receives: plain values, with the secret paths listed as the dynamic provider's program lists them. */
function forCore(props: Props): { values: Props; secretPaths: string[] } {
    const { plain, secretPaths } = unwrapSecrets(props);
    return { values: secretPaths.length > 0 ? { ...plain, [secretInputsKey]: secretPaths } : plain, secretPaths };
}

/** What the engine receives: without the list of secret paths, with the secrets marked again. */
function fromCore(props: object, secretPaths: readonly string[]): Props {
    const { [secretInputsKey]: _, ...rest } = props as Props;
    return wrapSecrets(rest, secretPaths);
}

function requireSession(urn: string): void {
    const type = urn.split("::")[2]?.split("$").pop();
    if (type !== sessionToken) throw new Error(`the liveness provider has no resource type ${type} (${urn})`);
}

/** An input of construct as LivenessSetup takes it: known values plain (secrets stay secret), unknown ones as Outputs. */
async function argumentOf(input: unknown): Promise<unknown> {
    if (!pulumi.Output.isInstance(input)) return input;
    const output = input as pulumi.Output<unknown>;
    // Output's own promises: apply would never run for an unknown value.
    const internals = output as unknown as { isKnown: Promise<boolean>; isSecret: Promise<boolean>; promise(): Promise<unknown> };
    if (!(await internals.isKnown)) return output;
    const value = await internals.promise();
    return (await internals.isSecret) ? pulumi.secret(value) : value;
}

/** The provider plugin of the package's `release`. */
export function livenessProvider(release: PackageRelease): provider.Provider & { configure(args: Props): Promise<void> } {
    return {
        version: release.version,
        getSchema: async () => packageSchema(release),

        /** The provider's config, from the engine's Configure request (see main.ts for why it is read there). */
        async configure(args: Props) {
            const { plain } = unwrapSecrets(args);
            await configureFrom(
                (key) => (plain[key] === undefined || plain[key] === null ? undefined : String(plain[key])),
                pluginConfigKeys,
            );
        },

        async check(urn, olds, news) {
            requireSession(urn);
            const { values, secretPaths } = forCore(news);
            const result = await core.check!(unwrapSecrets(olds).plain, values);
            return { inputs: fromCore(result.inputs, secretPaths), failures: result.failures };
        },

        async diff(id, urn, olds, news) {
            requireSession(urn);
            return core.diff!(id, unwrapSecrets(olds).plain, unwrapSecrets(news).plain);
        },

        async create(urn, inputs) {
            requireSession(urn);
            const { values, secretPaths } = forCore(inputs);
            const { id, outs } = await core.create(values as FaceLivenessSessionInputs);
            return { id, outs: fromCore(outs, secretPaths) };
        },

        async read(id, urn, props) {
            requireSession(urn);
            const { values, secretPaths } = forCore(props ?? {});
            const result = await core.read!(id, values as unknown as FaceLivenessSessionOutputs);
            // No id: the session expired and renewExpired drops it.
            return result.id === undefined ? {} : { id: result.id, props: fromCore(result.props!, secretPaths) };
        },

        async update(id, urn, olds, news) {
            requireSession(urn);
            const { values: oldValues } = forCore(olds);
            const { values: newValues, secretPaths } = forCore(news);
            const { outs } = await core.update!(id, oldValues as unknown as FaceLivenessSessionOutputs, newValues);
            return { outs: fromCore(outs!, secretPaths) };
        },

        async delete(_id, urn) {
            requireSession(urn);
            // There is no delete API: the session expires by itself (see the core's delete).
        },

        async construct(name, type, inputs, options) {
            if (type !== setupToken) throw new Error(`the liveness provider has no component type ${type}`);
            const args: Record<string, unknown> = {};
            for (const [key, input] of Object.entries(inputs)) args[key] = await argumentOf(input);
            const setup = new LivenessSetup(name, args as LivenessSetupArgs, options, { type: setupToken, sessionHost: pluginSessionHost });
            // The outputs it has: identityPoolId and deviceConfig only with deviceIdentity.
            const state = Object.fromEntries(
                Object.keys(setupOutputDocs)
                    .map((key) => [key, (setup as unknown as Props)[key]])
                    .filter(([, value]) => value !== undefined),
            );
            return { urn: setup.urn, state: state as pulumi.Inputs };
        },
    };
}
