// ESLint flat config: typescript-eslint with type-checked rules (see design.md §1).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "dist-web/**", "coverage/**", "test-output/**", "data/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["**/*.test.ts", "test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-floating-promises": [
        "error",
        { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["describe", "it", "test", "suite"] }] },
      ],
    },
  },
  {
    files: ["src/protocol/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["node:*", "../*"], message: "protocol/ is pure: no node:* and nothing outside protocol/" }] }],
    },
  },
  {
    files: ["src/sim/**/*.ts"],
    ignores: ["src/sim/sim-server.ts", "src/sim/sim-client.ts", "**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["node:net", "../bus/*", "../engine/*"], message: "sim/ shares only the protocol codec" }] }],
    },
  },
  {
    files: ["src/http/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["../transport/*", "../../transport/*"], message: "http/ never touches the transport" }] }],
    },
  },
  {
    // The design's boundaries (design.md §3, issue 9 §6): the policy engine and the bus runtime's state
    // machines are pure; the HTTP layer reaches the core only through the commands facade (and types).
    files: ["src/policy/**/*.ts"],
    ignores: ["**/*.test.ts", "**/*.test-helper.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ regex: "^(node:|\\.\\./(?!shared/))", message: "policy/ is pure: no node:* and nothing outside policy/ but shared/" }] }],
    },
  },
  {
    files: [
      "src/bus/{link,registry,charging,offer,start-stop,tx-scheduler,effects,slave-state,frames-out,wire-guard,plausibility,implausible,bus-health,bus-counters,bus-input,turn-context}.ts",
    ],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ regex: "^(node:|\\.\\./(?!protocol/|shared/|state/types\\.ts$|config/settings-schema\\.ts$))", message: "the bus runtime's state machines are pure: no node:*, only protocol/, shared/, state/types.ts and the settings type (config/settings-schema.ts)" }] },
      ],
    },
  },
  {
    files: ["src/http/**/*.ts"],
    ignores: ["**/*.test.ts", "**/*.test-helper.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["../bus/*", "../../bus/*", "../engine/*", "../../engine/*", "../history/*", "../../history/*", "!../engine/commands.ts", "!../../engine/commands.ts", "!../history/history-db.ts", "!../../history/history-db.ts"],
              allowTypeImports: true,
              message: "http/ uses the core only through engine/commands.ts (and types); read state from the state stream",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs", "bin/*", "src/web/vite.config.ts"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ["**/*.js", "**/*.mjs", "bin/*"],
    languageOptions: {
      globals: { process: "readonly", console: "readonly", URL: "readonly", Buffer: "readonly", setTimeout: "readonly" },
    },
  },
);
