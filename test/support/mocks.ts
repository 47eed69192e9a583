import * as pulumi from "@pulumi/pulumi";

export type NewResourceHook = (args: pulumi.runtime.MockResourceArgs) => Promise<{ id: string; state: Record<string, any> } | undefined>;

/**
 * Replaces the Pulumi engine with mocks (process-global: call it in `before`, then import the code under test) and
 * returns the list every registered resource is appended to. `call` throws on every token the test did not expect.
 */
export async function mockPulumi(options: { preview?: boolean; newResource?: NewResourceHook; calls?: Record<string, (inputs: any) => any> } = {}) {
    const registered: pulumi.runtime.MockResourceArgs[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource: async (args) => {
                registered.push(args);
                return (await options.newResource?.(args)) ?? { id: `${args.name}-id`, state: args.inputs };
            },
            call: (args) => {
                const answer = options.calls?.[args.token];
                if (!answer) throw new Error(`unexpected call ${args.token}`);
                return answer(args.inputs);
            },
        },
        "liveness",
        "test",
        options.preview ?? false,
    );
    return registered;
}

/** The value of an output, once known. */
export function unwrap<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((value) => resolve(value)));
}
