/** config.json `logging` for people (issue 13 §2): Console/FileLogger formats and rotation, Sentry's one warning. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Issue } from "./schema-walk.ts";
import { buildLogging } from "./validate-modules.ts";

function build(raw: unknown): { config: ReturnType<typeof buildLogging>; errors: string[]; warnings: string[] } {
  const issues: Issue[] = [];
  const config = buildLogging(raw, issues);
  return {
    config,
    errors: issues.filter((i) => i.severity === "error").map((i) => i.message),
    warnings: issues.filter((i) => i.severity === "warning").map((i) => i.message),
  };
}

test("logging.Sentry: upstream's sample (enabled, empty DSN) is silent; a DSN gets one warning without the DSN", () => {
  for (const Sentry of [{ enabled: true, DSN: "" }, { enabled: true, DSN: "  " }, { enabled: true }, { enabled: false, DSN: "https://k@o.ingest.sentry.io/1" }, { enabled: true, DSN: null }]) {
    assert.deepEqual(build({ Sentry }).warnings, [], JSON.stringify(Sentry));
  }
  const dsn = "https://SENTRYKEY@o1.ingest.sentry.io/42";
  const { warnings, errors } = build({ Sentry: { enabled: true, DSN: dsn } });
  assert.deepEqual(errors, []);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? "", /^logging\.Sentry is not supported by this version and is ignored: nothing is sent to Sentry/);
  assert.ok(!warnings[0]?.includes("SENTRYKEY"));
  assert.equal(build({ Sentry: { enabled: "yes", dsn } }).warnings.length, 1, "boolean-like enabled, lower-case key");
});

test("logging.Console.format and the FileLogger's format and rotation keys are carried only when given", () => {
  assert.deepEqual(build(undefined).config, { console: { enabled: true, simple: false }, file: null });
  assert.deepEqual(
    build({ Console: { format: "json" }, FileLogger: { enabled: true, path: "/var/log/twcmanager", format: "text", when: "midnight", backupCount: 7 } }).config,
    {
      console: { enabled: true, simple: false, format: "json" },
      file: { enabled: true, path: "/var/log/twcmanager", format: "text", when: "midnight", backupCount: 7 },
    },
  );
});

test("bad format, when or backupCount: errors naming the field", () => {
  const { errors } = build({ Console: { format: "pretty" }, FileLogger: { enabled: true, path: "/l", when: "W0", backupCount: 0 } });
  assert.equal(errors.length, 3, errors.join("\n"));
  assert.ok(errors.some((e) => e.startsWith("logging.Console.format:")), errors.join("\n"));
  assert.ok(errors.some((e) => e.startsWith("logging.FileLogger.when:")), errors.join("\n"));
  assert.ok(errors.some((e) => e.startsWith("logging.FileLogger.backupCount:")), errors.join("\n"));
});
