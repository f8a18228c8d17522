/**
 * The skip report (issue 13 §6): test/skip-report.ts records why a test file skips, and
 * scripts/run-tests.mjs ends with the files skipped and the one apt-get command that installs what they need.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { locateBinary, missingReason, recordSkip, requireBinaries, requireBinary, type SkipRecord } from "./skip-report.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const HELPER = pathToFileURL(join(ROOT, "test", "skip-report.ts")).href;

/** Runs `fn` with TWC_SKIP_REPORT pointing at a fresh file; returns the records written. */
function withReport(fn: () => void): SkipRecord[] {
  const dir = mkdtempSync(join(tmpdir(), "twc-skip-test-"));
  const saved = process.env.TWC_SKIP_REPORT;
  const file = join(dir, "skips.jsonl");
  process.env.TWC_SKIP_REPORT = file;
  try {
    fn();
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      // nothing recorded
    }
    return text
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as SkipRecord);
  } finally {
    if (saved === undefined) delete process.env.TWC_SKIP_REPORT;
    else process.env.TWC_SKIP_REPORT = saved;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The environment of a top-level `npm test` (node:test marks its own children with NODE_TEST_CONTEXT). */
function runnerEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  delete env.TWC_SKIP_REPORT;
  return env;
}

test("requireBinary: false for an installed program, the reason (recorded once) for a missing one", () => {
  const records = withReport(() => {
    assert.equal(requireBinary("sh", "dash"), false);
    assert.ok(locateBinary("sh")?.endsWith("/sh"));
    const reason = requireBinary("twc-no-such-program", "twc-fake-package");
    assert.equal(reason, missingReason("twc-no-such-program", "twc-fake-package"));
    assert.match(String(reason), /sudo apt-get install -y twc-fake-package/);
    requireBinary("twc-no-such-program", "twc-fake-package");
    assert.equal(requireBinary("/nonexistent/twc-prog", "twc-other"), missingReason("/nonexistent/twc-prog", "twc-other"));
    assert.equal(recordSkip("IPv6 loopback is not available here"), "IPv6 loopback is not available here");
    assert.equal(requireBinaries(["sh", "dash"], ["env", "coreutils"]), false);
    assert.equal(
      requireBinaries(["twc-missing-a", "pkg-a"], ["sh", "dash"], ["twc-missing-b", "pkg-b"]),
      `${missingReason("twc-missing-a", "pkg-a")}; ${missingReason("twc-missing-b", "pkg-b")}`,
    );
  });
  assert.deepEqual(
    records.map((r) => [r.binary, r.package, r.reason]),
    [
      ["twc-no-such-program", "twc-fake-package", missingReason("twc-no-such-program", "twc-fake-package")],
      ["/nonexistent/twc-prog", "twc-other", missingReason("/nonexistent/twc-prog", "twc-other")],
      [undefined, undefined, "IPv6 loopback is not available here"],
      ["twc-missing-a", "pkg-a", missingReason("twc-missing-a", "pkg-a")],
      ["twc-missing-b", "pkg-b", missingReason("twc-missing-b", "pkg-b")],
    ],
  );
  assert.ok(records.every((r) => r.file.endsWith("skip-report.test.ts")), JSON.stringify(records));
});

test("npm test's runner ends with the skipped files and one install command for the missing packages", { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "twc-skip-run-"));
  try {
    writeFileSync(
      join(dir, "a.test.ts"),
      `import { test } from "node:test";
import { requireBinary, recordSkip } from ${JSON.stringify(HELPER)};
test("needs a broker", { skip: requireBinary("twc-missing-broker", "mosquitto") }, () => {});
test("needs a pty", { skip: requireBinary("twc-missing-socat", "socat") }, () => {});
test("needs sh", { skip: requireBinary("sh", "dash") }, () => {});
test("ipv6", (t) => { t.skip(recordSkip("IPv6 loopback is not available here")); });
`,
    );
    writeFileSync(
      join(dir, "b.test.ts"),
      `import { test } from "node:test";
import { requireBinary } from ${JSON.stringify(HELPER)};
test("needs a broker too", { skip: requireBinary("twc-missing-broker", "mosquitto") }, () => {});
`,
    );
    const run = spawnSync(process.execPath, [join(ROOT, "scripts", "run-tests.mjs"), dir], {
      cwd: ROOT,
      encoding: "utf8",
      env: runnerEnv(),
    });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    const tail = run.stdout.trimEnd().split("\n").slice(-5);
    const a = relative(ROOT, join(dir, "a.test.ts"));
    const b = relative(ROOT, join(dir, "b.test.ts"));
    assert.deepEqual(tail, [
      "Skipped tests (the rest ran):",
      `  missing twc-missing-broker (Debian package mosquitto): ${a}, ${b}`,
      `  missing twc-missing-socat (Debian package socat): ${a}`,
      `  IPv6 loopback is not available here: ${a}`,
      "To run them: sudo apt-get install -y socat mosquitto",
    ]);
    writeFileSync(join(dir, "a.test.ts"), `import { test } from "node:test";\ntest("fine", () => {});\n`);
    writeFileSync(join(dir, "b.test.ts"), `import { test } from "node:test";\ntest("fine", () => {});\n`);
    const clean = spawnSync(process.execPath, [join(ROOT, "scripts", "run-tests.mjs"), dir], { cwd: ROOT, encoding: "utf8", env: runnerEnv() });
    assert.equal(clean.status, 0, clean.stdout + clean.stderr);
    assert.equal(clean.stdout.trimEnd().split("\n").at(-1), "No test file was skipped for a missing program.");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
