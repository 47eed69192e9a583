/**
 * Drives @pulumi/pulumi's own dynamic-provider host over gRPC, as the Pulumi engine does during preview, up, refresh
 * and destroy: the host is spawned from the installed package with the program directory as cwd, prints its port,
 * and evaluates the provider text carried in each request's `__provider`. Properties travel as protobuf Structs and
 * values unknown at preview as the engine's sentinel string, exactly as with the real CLI.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";

const projectDir = path.resolve(__dirname, "../..");
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [projectDir] }));
/** The generated code checks `instanceof` against its own copies of grpc-js and google-protobuf: use those. */
const fromPulumi = (id: string) => require(require.resolve(id, { paths: [pulumiDir] }));
const grpc = fromPulumi("@grpc/grpc-js");
const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb");
const providerRpc = require(path.join(pulumiDir, "proto/provider_grpc_pb.js"));
const providerProto = require(path.join(pulumiDir, "proto/provider_pb.js"));

export type Props = Record<string, any>;
export const SESSION_TYPE = "pulumi-nodejs:dynamic/rekognition:FaceLivenessSession";

export function sessionUrn(name: string): string {
    return `urn:pulumi:dev::rekognition-liveness::${SESSION_TYPE}::${name}`;
}

export interface DiffAnswer {
    changes: "DIFF_UNKNOWN" | "DIFF_NONE" | "DIFF_SOME";
    replaces: string[];
    deleteBeforeReplace: boolean;
}

export class ProviderHost {
    /** Every Struct the host answered with, as JSON: searched for leaked secrets. */
    readonly answers: string[] = [];
    private stderrText = "";

    private constructor(
        private readonly child: ChildProcess,
        private readonly client: any,
    ) {
        child.stderr!.on("data", (chunk: Buffer) => (this.stderrText += chunk.toString()));
    }

    /** Spawns the host with the given environment and connects to it. */
    static async start(env: NodeJS.ProcessEnv = process.env): Promise<ProviderHost> {
        return ProviderHost.spawn(path.join(pulumiDir, "cmd/dynamic-provider/index.js"), env);
    }

    /**
     * Spawns the `liveness` provider plugin as Pulumi runs it from source (its built entry: this repository's, or an
     * installed package's), and connects to it.
     */
    static async startPlugin(
        env: NodeJS.ProcessEnv = process.env,
        entry = path.join(projectDir, "plugin/index.js"),
    ): Promise<ProviderHost> {
        return ProviderHost.spawn(entry, env);
    }

    private static async spawn(entry: string, env: NodeJS.ProcessEnv): Promise<ProviderHost> {
        // The engine passes its own address; neither server uses it outside construct, so a placeholder will do.
        const child = spawn(process.execPath, [entry, "127.0.0.1:1"], { cwd: projectDir, env, stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        const port = await new Promise<string>((resolve, reject) => {
            let stdout = "";
            child.stdout!.on("data", (chunk: Buffer) => {
                stdout += chunk.toString();
                const line = stdout.split("\n")[0];
                if (stdout.includes("\n")) resolve(line.trim());
            });
            child.once("exit", (code) => reject(new Error(`the provider host exited (${code}) before printing its port:\n${stderr}`)));
        });
        const client = new providerRpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        return new ProviderHost(child, client);
    }

    get stderr(): string {
        return this.stderrText;
    }

    /** The host's process id, to read what it spends. */
    get pid(): number {
        return this.child.pid!;
    }

    async stop(): Promise<void> {
        this.client.close();
        if (this.child.exitCode === null) {
            const exited = new Promise((resolve) => this.child.once("exit", resolve));
            this.child.kill();
            await exited;
        }
    }

    /** The provider's schema, as `pulumi package get-schema` asks for it. */
    async getSchema(): Promise<any> {
        const res = await this.call("getSchema", new providerProto.GetSchemaRequest());
        return JSON.parse(res.getSchema());
    }

    /** The provider's version, as the engine asks for it. */
    async getPluginInfo(): Promise<string> {
        const { Empty } = fromPulumi("google-protobuf/google/protobuf/empty_pb");
        return (await this.call("getPluginInfo", new Empty())).getVersion();
    }

    /** Sends the stack's config, as the engine does before any resource call. */
    async configure(config: Record<string, string>): Promise<void> {
        const req = new providerProto.ConfigureRequest();
        req.setArgs(Struct.fromJavaScript(config));
        req.setAcceptsecrets(true);
        await this.call("configure", req);
    }

    async check(urn: string, olds: Props, news: Props): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
        const req = new providerProto.CheckRequest();
        req.setUrn(urn);
        req.setOlds(Struct.fromJavaScript(olds));
        req.setNews(Struct.fromJavaScript(news));
        const res = await this.call("check", req);
        return {
            inputs: this.record(res.getInputs().toJavaScript()),
            failures: res.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
        };
    }

    async diff(id: string, urn: string, olds: Props, news: Props): Promise<DiffAnswer> {
        const req = new providerProto.DiffRequest();
        req.setId(id);
        req.setUrn(urn);
        req.setOlds(Struct.fromJavaScript(olds));
        req.setNews(Struct.fromJavaScript(news));
        const res = await this.call("diff", req);
        const names = Object.fromEntries(Object.entries(providerProto.DiffResponse.DiffChanges).map(([k, v]) => [v, k]));
        return { changes: names[res.getChanges()], replaces: res.getReplacesList(), deleteBeforeReplace: res.getDeletebeforereplace() };
    }

    async create(urn: string, properties: Props): Promise<{ id: string; properties: Props }> {
        const req = new providerProto.CreateRequest();
        req.setUrn(urn);
        req.setProperties(Struct.fromJavaScript(properties));
        const res = await this.call("create", req);
        return { id: res.getId(), properties: this.record(res.getProperties().toJavaScript()) };
    }

    async read(id: string, urn: string, properties: Props, inputs: Props): Promise<{ id: string; properties: Props; inputs?: Props }> {
        const req = new providerProto.ReadRequest();
        req.setId(id);
        req.setUrn(urn);
        req.setProperties(Struct.fromJavaScript(properties));
        req.setInputs(Struct.fromJavaScript(inputs));
        const res = await this.call("read", req);
        return {
            id: res.getId(),
            properties: this.record(res.getProperties()?.toJavaScript() ?? {}),
            inputs: res.getInputs() ? this.record(res.getInputs().toJavaScript()) : undefined,
        };
    }

    async update(id: string, urn: string, olds: Props, news: Props): Promise<Props> {
        const req = new providerProto.UpdateRequest();
        req.setId(id);
        req.setUrn(urn);
        req.setOlds(Struct.fromJavaScript(olds));
        req.setNews(Struct.fromJavaScript(news));
        const res = await this.call("update", req);
        return this.record(res.getProperties().toJavaScript());
    }

    async delete(id: string, urn: string, properties: Props): Promise<void> {
        const req = new providerProto.DeleteRequest();
        req.setId(id);
        req.setUrn(urn);
        req.setProperties(Struct.fromJavaScript(properties));
        await this.call("delete", req);
    }

    private record(props: Props): Props {
        this.answers.push(JSON.stringify(props));
        return props;
    }

    private call(method: string, req: unknown): Promise<any> {
        return new Promise((resolve, reject) =>
            this.client[method](req, (err: Error | null, res: any) => {
                if (err) {
                    reject(new Error(`${method}: ${err.message}${this.stderrText ? `\nhost stderr:\n${this.stderrText}` : ""}`));
                } else {
                    resolve(res);
                }
            }),
        );
    }
}
