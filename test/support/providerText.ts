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
