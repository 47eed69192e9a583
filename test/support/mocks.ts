import * as pulumi from "@pulumi/pulumi";

export type NewResourceHook = (args: pulumi.runtime.MockResourceArgs) => Promise<{ id: string; state: Record<string, any> } | undefined>;

/**
 * Replaces the Pulumi engine with mocks (process-global: call it in `before`, then import the code under test) and
 * returns the list every registered resource is appended to. `call` throws on every token the test did not expect.
 */
export async function mockPulumi(
    options: {
        preview?: boolean;
        project?: string;
        newResource?: NewResourceHook;
        calls?: Record<string, (inputs: any, provider?: string) => any>;
    } = {},
) {
    const registered: pulumi.runtime.MockResourceArgs[] = [];
    // Every mocked program starts from a stack without config, whatever a test that ran before in this process set.
    pulumi.runtime.setAllConfig({});
    await pulumi.runtime.setMocks(
        {
            newResource: async (args) => {
                registered.push(args);
                return (await options.newResource?.(args)) ?? { id: `${args.name}-id`, state: args.inputs };
            },
            call: (args) => {
                const answer = options.calls?.[args.token];
                if (!answer) throw new Error(`unexpected call ${args.token}`);
                return answer(args.inputs, args.provider);
            },
        },
        options.project ?? "liveness",
        "test",
        options.preview ?? false,
    );
    return registered;
}

/** The value of an output, once known. */
export function unwrap<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((value) => resolve(value)));
}

/**
 * Waits until every registration the program started has been answered, including children registered after their
 * dependencies resolve. Uses the SDK's own drain of its RPC queue (internal to @pulumi/pulumi, but what
 * `pulumi.runtime.disconnect` itself awaits), so tests never guess with timers.
 */
export async function settle(): Promise<void> {
    await (pulumi.runtime as unknown as { waitForRPCs: () => Promise<void> }).waitForRPCs();
}
