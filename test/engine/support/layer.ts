/**
 * Whether the engine layer runs: always when an engine is at hand; when none is, CI fails the run and a developer's
 * `npm test` prints one line saying it skipped the layer and why.
 */
import { findEngine } from "./pulumiCli";

let announced = false;

/** The folder holding `pulumi`, or skips the calling suite (failing instead where the layer is required). */
export function engineOrSkip(context: Mocha.Context): string {
    const engine = findEngine();
    if ("binDir" in engine) return engine.binDir;
    const required = process.env.CI === "true" || process.env.LIVENESS_ENGINE_REQUIRED === "1";
    if (required) {
        throw new Error(`the engine layer is required here (CI or LIVENESS_ENGINE_REQUIRED=1), but ${engine.missing}`);
    }
    if (!announced) {
        announced = true;
        console.log(`\n  SKIPPED the real-engine layer (test/engine/): ${engine.missing}\n`);
    }
    context.skip();
}
