// Lint: typescript-eslint's type-aware recommended rules, plus Pulumi's rules against Outputs in template literals
// (`${output}` silently becomes a warning string instead of the value).
import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
    {
        ignores: [
            "bin/",
            "plugin/dist/",
            "providers/sessionProviderText.ts",
            "node_modules/",
            ".tools/",
            ".engine/",
            "scratch/",
            "test/fixtures/",
            ".pulumi-state/",
            "policy/node_modules/",
            "policy/bin/",
            "examples/web/dist/",
        ],
    },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            "@typescript-eslint/no-floating-promises": "error",
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-unused-vars": [
                "error",
                { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
            ],
        },
    },
    {
        // Plain Node scripts (test helpers run as child processes, the bench's preload): CommonJS.
        files: ["**/*.js"],
        languageOptions: {
            sourceType: "commonjs",
            globals: { require: "readonly", process: "readonly", module: "writable", __dirname: "readonly" },
        },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        // Build scripts: ES modules run by Node.
        files: ["scripts/**/*.mjs", "examples/web/*.mjs"],
        languageOptions: { sourceType: "module", globals: { Buffer: "readonly", console: "readonly", process: "readonly" } },
    },
    {
        // The provider requires the AWS SDK inside its methods, so that preview never loads it (see sessionProvider.ts).
        files: ["providers/**/*.ts", "plugin/**/*.ts", "test/**/*.ts", "bench/**/*.ts"],
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
);
