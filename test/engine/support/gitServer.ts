/**
 * github.com for the CLI's own git route, offline: `pulumi package add github.com/<org>/<repo>/plugin@v<version>` and
 * `pulumi install` with the URL exactly as a user types it. Bare repositories are served over HTTPS by git's own
 * `git-http-backend` (the smart HTTP protocol the CLI's go-git client speaks), with a certificate for github.com that
 * the CLI trusts through SSL_CERT_FILE (the system's authorities plus this one). The CLI reaches it through a loopback
 * proxy (HTTPS_PROXY), which sends github.com:443 here and tunnels every other host to where it is, so the CLI and
 * what it starts (npm, pip, go) still reach the registries. The CLI cannot be pointed at a loopback URL instead: it
 * drops a git URL's scheme where it records the package, and the port's colon then fails its URL parsing (v3.248
 * package_add.go, plugin.IsLocalPluginPath).
 */
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const httpBackend = "/usr/lib/git-core/git-http-backend";
const systemAuthorities = "/etc/ssl/certs/ca-certificates.crt";
/** The host this server stands in for. */
const host = "github.com";

export class GitServer {
    private constructor(
        private readonly gitServer: https.Server,
        private readonly proxy: http.Server,
        private readonly tunnels: Set<net.Socket>,
        private readonly dir: string,
        /** The certificate file a client trusts (SSL_CERT_FILE): the system's authorities and this server's. */
        private readonly authorities: string,
    ) {}

    /** Starts a server with no repositories; fails, saying why, where git's HTTP backend or openssl is missing. */
    static async start(): Promise<GitServer> {
        if (!fs.existsSync(httpBackend))
            throw new Error(`the git route's tests need git's HTTP backend at ${httpBackend} (Debian's git package)`);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "liveness-git-"));
        const key = path.join(dir, "key.pem");
        const cert = path.join(dir, "cert.pem");
        await run("openssl", [
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            `/CN=${host}`,
            "-addext",
            `subjectAltName=DNS:${host}`,
            "-keyout",
            key,
            "-out",
            cert,
        ]);
        const authorities = path.join(dir, "authorities.pem");
        const system = fs.existsSync(systemAuthorities) ? fs.readFileSync(systemAuthorities, "utf8") : "";
        fs.writeFileSync(authorities, system + "\n" + fs.readFileSync(cert, "utf8"));
        const repositories = path.join(dir, "repositories");
        fs.mkdirSync(repositories);
        const gitServer = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (request, response) =>
            serveGit(repositories, request, response),
        );
        await listen(gitServer);
        const proxy = http.createServer((_request, response) => response.writeHead(405).end("this proxy only tunnels (CONNECT)\n"));
        // A tunnel's sockets leave the HTTP server's hands, so close() ends them itself.
        const tunnels = new Set<net.Socket>();
        proxy.on("connect", (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
            const [name, port] = (request.url ?? "").split(":");
            const target =
                name === host && port === "443" ? { host: "127.0.0.1", port: port_(gitServer) } : { host: name, port: Number(port) };
            const upstream = net.connect(target, () => {
                client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
                upstream.write(head);
                upstream.pipe(client);
                client.pipe(upstream);
            });
            for (const socket of [client, upstream]) {
                tunnels.add(socket);
                socket.once("close", () => tunnels.delete(socket));
            }
            const drop = () => {
                client.destroy();
                upstream.destroy();
            };
            upstream.on("error", () => (client.writable ? client.end("HTTP/1.1 502 Bad Gateway\r\n\r\n") : drop()));
            client.on("error", drop);
        });
        await listen(proxy);
        return new GitServer(gitServer, proxy, tunnels, dir, authorities);
    }

    /**
     * What a CLI needs in its environment to reach this server as github.com: the proxy, the authorities, and loopback
     * left unproxied (the engine, its plugins and the emulators speak to each other there, gRPC clients included).
     */
    get env(): NodeJS.ProcessEnv {
        const proxy = `http://127.0.0.1:${port_(this.proxy)}`;
        const direct = "127.0.0.1,localhost,::1";
        return { HTTPS_PROXY: proxy, https_proxy: proxy, NO_PROXY: direct, no_proxy: direct, SSL_CERT_FILE: this.authorities };
    }

    /**
     * Publishes the working tree of `projectDir` as one commit of a new bare repository github.com/<org>/<repo>, on
     * the branch main and tagged `tag` (annotated, as releases are): what `git add -A` and a commit would hold, the work
     * tree's .gitignore applied.
     */
    async publish(projectDir: string, org: string, repo: string, tag: string): Promise<void> {
        // The CLI clones github.com/<org>/<repo>.git (it adds the suffix: gitutil.ParseGitRepoURL).
        const bare = path.join(this.dir, "repositories", org, `${repo}.git`);
        fs.mkdirSync(path.dirname(bare), { recursive: true });
        await run("git", ["init", "--quiet", "--bare", "--initial-branch=main", bare]);
        const env = {
            ...process.env,
            GIT_DIR: bare,
            GIT_WORK_TREE: projectDir,
            GIT_INDEX_FILE: path.join(this.dir, `${org}-${repo}.index`),
            GIT_AUTHOR_NAME: "liveness tests",
            GIT_AUTHOR_EMAIL: "tests@liveness.invalid",
            GIT_COMMITTER_NAME: "liveness tests",
            GIT_COMMITTER_EMAIL: "tests@liveness.invalid",
        };
        const git = async (...args: string[]) =>
            (await run("git", args, { env, cwd: projectDir, maxBuffer: 64 * 1024 * 1024 })).stdout.trim();
        await git("add", "--all");
        const commit = await git("commit-tree", await git("write-tree"), "-m", `the working tree of ${projectDir}`);
        await git("update-ref", "refs/heads/main", commit);
        await git("tag", "--annotate", "--message", tag, tag, commit);
    }

    /** The files of `<org>/<repo>` at `ref`, as paths in the repository. */
    async files(org: string, repo: string, ref: string): Promise<string[]> {
        const bare = path.join(this.dir, "repositories", org, `${repo}.git`);
        const { stdout } = await run("git", ["--git-dir", bare, "ls-tree", "-r", "--name-only", ref], { maxBuffer: 64 * 1024 * 1024 });
        return stdout.split("\n").filter((line) => line !== "");
    }

    async close(): Promise<void> {
        for (const socket of this.tunnels) socket.destroy();
        for (const server of [this.proxy, this.gitServer]) {
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        }
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

function listen(server: net.Server): Promise<void> {
    return new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
}

function port_(server: net.Server): number {
    return (server.address() as net.AddressInfo).port;
}

/** One request, answered by git-http-backend as a CGI program (RFC 3875): its headers, then its body. */
function serveGit(repositories: string, request: http.IncomingMessage, response: http.ServerResponse): void {
    const url = new URL(request.url ?? "/", "https://127.0.0.1");
    const backend = spawn(httpBackend, [], {
        env: {
            PATH: process.env.PATH,
            GIT_PROJECT_ROOT: repositories,
            GIT_HTTP_EXPORT_ALL: "1",
            REQUEST_METHOD: request.method,
            PATH_INFO: decodeURIComponent(url.pathname),
            QUERY_STRING: url.search.slice(1),
            CONTENT_TYPE: request.headers["content-type"] ?? "",
            ...(request.headers["content-length"] ? { CONTENT_LENGTH: request.headers["content-length"] } : {}),
            ...(request.headers["content-encoding"] ? { HTTP_CONTENT_ENCODING: request.headers["content-encoding"] } : {}),
            ...(request.headers["git-protocol"] ? { GIT_PROTOCOL: String(request.headers["git-protocol"]) } : {}),
            REMOTE_ADDR: "127.0.0.1",
        },
        stdio: ["pipe", "pipe", "pipe"],
    });
    request.pipe(backend.stdin);
    let head = Buffer.alloc(0);
    let headersSent = false;
    backend.stdout.on("data", (chunk: Buffer) => {
        if (headersSent) return void response.write(chunk);
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf("\r\n\r\n");
        if (end === -1) return;
        let status = 200;
        for (const line of head.subarray(0, end).toString("latin1").split("\r\n")) {
            const colon = line.indexOf(":");
            const name = line.slice(0, colon).trim();
            const value = line.slice(colon + 1).trim();
            if (name.toLowerCase() === "status") status = parseInt(value, 10);
            else response.setHeader(name, value);
        }
        response.writeHead(status);
        headersSent = true;
        response.write(head.subarray(end + 4));
    });
    let stderr = "";
    backend.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    backend.on("close", (code) => {
        if (!headersSent) {
            response.writeHead(500, { "content-type": "text/plain" });
            response.write(`git-http-backend exited ${code}: ${stderr}`);
        }
        response.end();
    });
}
