/**
 * The plugin's schema against the TypeScript API it serves: the same inputs and outputs, each typed and documented,
 * with the API's constraints stated. Pulumi's own binder checks the rest of its form when the engine tests and the
 * SDK generation load it.
 */
import { strict as assert } from "node:assert";
import { livenessSetupArgumentNames } from "../../components/livenessSetup";
import { sessionInputs } from "../../providers/faceLivenessApi";
import { packageSchema, sessionToken, setupOutputDocs, setupToken } from "../../plugin/schema";

const release = {
    version: "1.2.3",
    repository: "https://github.com/example-org/example-repo",
    homepage: "https://example.com/liveness",
    license: "MIT",
};
const schema = JSON.parse(packageSchema(release));

/** Every property of every resource, object type and the provider, with where it is. */
function everyProperty(): [string, any][] {
    const found: [string, any][] = [];
    for (const [token, resource] of Object.entries<any>(schema.resources)) {
        for (const [key, spec] of Object.entries(resource.inputProperties)) found.push([`${token} input ${key}`, spec]);
        for (const [key, spec] of Object.entries(resource.properties)) found.push([`${token} output ${key}`, spec]);
    }
    for (const [token, type] of Object.entries<any>(schema.types)) {
        for (const [key, spec] of Object.entries(type.properties ?? {})) found.push([`${token}.${key}`, spec]);
    }
    for (const [key, spec] of Object.entries(schema.provider.inputProperties)) found.push([`provider ${key}`, spec]);
    return found;
}

describe("the plugin's schema", () => {
    it("is the package liveness of the release given: its version, where it is published, and its license", () => {
        assert.equal(schema.name, "liveness");
        assert.equal(schema.version, "1.2.3");
        assert.equal(schema.publisher, "example-org");
        assert.equal(schema.repository, "https://github.com/example-org/example-repo");
        assert.equal(schema.homepage, "https://example.com/liveness");
        assert.equal(schema.license, "MIT");
    });

    it("names the plugin's git source as the SDKs' plugin download URL, and each language's package after Pulumi's conventions", () => {
        // The form `pulumi package add` of a git URL injects, so SDKs generated ahead of time carry the same.
        assert.equal(schema.pluginDownloadURL, "git://github.com/example-org/example-repo/plugin");
        assert.deepEqual(schema.language, {
            python: { packageName: "pulumi_liveness", respectSchemaVersion: true, pyproject: { enabled: true } },
            // Under the repository's own module path, so the SDK can live in the repository as a Go module.
            go: { importBasePath: "github.com/example-org/example-repo/sdk/go/liveness", respectSchemaVersion: true },
            csharp: { rootNamespace: "RekognitionLiveness", packageReferences: { Pulumi: "3.*" }, respectSchemaVersion: true },
            java: { basePackage: "io.github.rekognitionliveness", buildFiles: "gradle" },
        });
    });

    it("types and documents every property", () => {
        for (const [where, spec] of everyProperty()) {
            assert.ok(spec.type !== undefined || spec.$ref !== undefined || spec.oneOf?.length === 2, `${where} has no type`);
            assert.ok(typeof spec.description === "string" && spec.description.length > 10, `${where} has no description`);
        }
    });

    it("gives a session the TypeScript inputs, and their outputs with sessionId and status", () => {
        const session = schema.resources[sessionToken];
        assert.deepEqual(Object.keys(session.inputProperties), Object.keys(sessionInputs().members));
        assert.deepEqual(Object.keys(session.properties), [...Object.keys(sessionInputs().members), "sessionId", "status"]);
        assert.deepEqual(session.required, ["sessionId", "status", "region", "clientRequestToken"]);
    });

    it("states the API's constraints and required members, from the description that validates them", () => {
        const session = schema.resources[sessionToken];
        assert.match(session.inputProperties.kmsKeyId.description, /1 to 2048 characters matching `\^\[A-Za-z0-9\]/);
        const outputConfig = schema.types["liveness:index:OutputConfig"];
        assert.deepEqual(outputConfig.required, ["s3Bucket"]);
        assert.match(
            schema.types["liveness:index:FaceLivenessSessionSettings"].properties.auditImagesLimit.description,
            /An integer from 0 to 4\.$/,
        );
        assert.deepEqual(
            schema.types["liveness:index:ChallengeType"].enum.map((e: { value: string }) => e.value),
            ["FaceMovementAndLightChallenge", "FaceMovementChallenge"],
        );
    });

    it("gives LivenessSetup every argument of the TypeScript class and the outputs it registers", () => {
        const setup = schema.resources[setupToken];
        assert.equal(setup.isComponent, true);
        assert.deepEqual(Object.keys(setup.inputProperties), [...livenessSetupArgumentNames]);
        assert.deepEqual(Object.keys(setup.properties), Object.keys(setupOutputDocs));
        assert.deepEqual(
            setup.required,
            Object.keys(setupOutputDocs).filter(
                (key) => !["identityPoolId", "deviceConfig", "apiUrl", "checksTableName", "verdictReaderPolicyJson"].includes(key),
            ),
            "the device outputs exist only with deviceIdentity, the API's only with api",
        );
        // Read synchronously by the component (which sessions and children to create): plain in every SDK.
        for (const plain of [
            "sessions",
            "sessionDefaults",
            "retentionDays",
            "keyDeletionWindowDays",
            "forceDestroy",
            "backendReadsImages",
        ]) {
            assert.equal(setup.inputProperties[plain].plain, true, `${plain} is plain`);
        }
    });

    it("configures the provider with its own keys, credentials marked secret", () => {
        assert.deepEqual(Object.keys(schema.config.variables), [
            "region",
            "profile",
            "accessKey",
            "secretKey",
            "token",
            "requestsPerSecond",
        ]);
        for (const key of ["accessKey", "secretKey", "token"]) assert.equal(schema.config.variables[key].secret, true, key);
    });
});
