// Lint configuration: typescript-eslint's recommended rules with type information, plus Pulumi's
// rules that catch Output values interpolated into plain template strings.
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

export default tseslint.config(
  {
    ignores: ["node_modules/**", "policies/node_modules/**", "bin/**", "examples/**", "**/*.js", "**/*.mjs", "**/*.tmp.ts"],
  },
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: {
      parserOptions: {
        // One type-checked program for the whole repository (the root tsconfig includes the policy pack); the
        // project service would build a second one for policies/tsconfig.json and double the lint time.
        project: "./tsconfig.json",
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      eqeqeq: ["error", "always"],
    },
  },
);
