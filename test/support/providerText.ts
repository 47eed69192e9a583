import * as zlib from "node:zlib";
import { mockPulumi, settle } from "./mocks";

/**
 * The provider text exactly as a program stores it in state: a FaceLivenessSession is declared under Pulumi mocks
 * (process-global: call this in `before`) and its registered `__provider` input is returned.
 */
export async function providerTextFromProgram(): Promise<string> {
    const registered = await mockPulumi();
    const { FaceLivenessSession } = await import("../../providers/faceLivenessSession");
    new FaceLivenessSession("serialized", { settings: { auditImagesLimit: 1 } });
    await settle();
    return registered.find((r) => r.name === "serialized")!.inputs.__provider;
}

/** The JavaScript a provider text runs: its bundle, decompressed as the text itself does it. */
export function bundleOf(providerText: string): string {
    const base64 = /Buffer\.from\("([A-Za-z0-9+/=]+)","base64"\)/.exec(providerText);
    if (base64 === null) throw new Error(`not a bundled provider text: ${providerText.slice(0, 80)}`);
    return zlib.brotliDecompressSync(Buffer.from(base64[1], "base64")).toString();
}
