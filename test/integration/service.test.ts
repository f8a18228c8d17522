/**
 * The service (issue 13 §1): deploy/install.sh run into a scratch root directory (`--root`, nothing
 * outside it is touched; `--no-npm`: the checkout's build is copied, npm is not run) and its result
 * checked (files, modes, the unit, the sample config loaded by our config loader and accepted by
 * `check-config`); the installed unit checked by `systemd-analyze verify` and `security`; an update
 * keeping the config; the uninstall keeping config and settings, and `--purge` removing them.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, readFileSync, readlinkSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "../../src/cli/args.ts";
import { loadConfig } from "../../src/config/load.ts";
import { recordSkip, requireBinary } from "../skip-report.ts";
import { ROOT, spawnCli, tempDir } from "./helpers.ts";

const INSTALL = join(ROOT, "deploy", "install.sh");
const UNIT_SRC = join(ROOT, "deploy", "systemd", "twcmanager.service");
const SAMPLE = join(ROOT, "examples", "config.json");

function sh(args: string[]): { status: number | null; out: string } {
  const r = spawnSync("sh", [INSTALL, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, TMPDIR: process.env.TMPDIR ?? "/tmp" } });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function mode(path: string): number {
  return statSync(path).mode & 0o7777;
}

/** The values of `key=` lines of a unit file, in order. */
function unitValues(text: string, key: string): string[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1));
}

describe("deploy/install.sh into a scratch root", { timeout: 120_000 }, () => {
  const t = tempDir("twcm-root-");
  const root = t.dir;
  const p = (rel: string): string => join(root, rel);
  let firstOut = "";
  after(() => t.cleanup());

  it("installs the app, the config, the settings and log directories and the unit; machine-changing commands are listed, not run", () => {
    assert.ok(existsSync(SAMPLE), `${SAMPLE} (the sample config the script installs) is missing`);
    const r = sh(["--root", root, "--no-npm"]);
    firstOut = r.out;
    assert.equal(r.status, 0, r.out);
    for (const line of [
      "skipped (--root): useradd --system --user-group --home-dir /var/lib/twcmanager --no-create-home --shell /usr/sbin/nologin --comment 'TWCManager for TypeScript' twcmanager",
      "skipped (--root): usermod --append --groups dialout twcmanager",
      "skipped (--root): systemctl daemon-reload",
      "skipped (--root): systemctl enable twcmanager.service",
      `skipped (--root): chown twcmanager:twcmanager ${p("var/lib/twcmanager")} ${p("var/log/twcmanager")}`,
    ]) {
      assert.ok(r.out.split("\n").includes(line), `missing line: ${line}\n${r.out}`);
    }
    assert.doesNotMatch(r.out, /skipped \(--root\): systemctl (start|restart)/);

    const bin = p("opt/twcmanager/bin/twcmanager");
    assert.equal(mode(bin) & 0o111, 0o111, "bin/twcmanager is executable");
    assert.equal(mode(bin) & 0o022, 0, "the app is not writable by group or others");
    assert.ok(existsSync(p("opt/twcmanager/package.json")));
    assert.ok(existsSync(p("opt/twcmanager/docs/install-pi.md")));
    assert.equal(readFileSync(p("opt/twcmanager/examples/config.json"), "utf8"), readFileSync(SAMPLE, "utf8"));
    if (existsSync(join(ROOT, "dist", ".build-stamp"))) assert.ok(existsSync(p("opt/twcmanager/dist/.build-stamp")));
    assert.ok(!existsSync(p("opt/twcmanager/src")), "the sources are not installed (bin runs dist/)");
    assert.ok(lstatSync(p("usr/local/bin/twcmanager")).isSymbolicLink());
    assert.equal(readlinkSync(p("usr/local/bin/twcmanager")), "/opt/twcmanager/bin/twcmanager");

    assert.equal(mode(p("etc/twcmanager")), 0o750);
    assert.equal(mode(p("etc/twcmanager/config.json")), 0o640);
    assert.equal(readFileSync(p("etc/twcmanager/config.json"), "utf8"), readFileSync(SAMPLE, "utf8"));
    assert.equal(mode(p("var/lib/twcmanager")), 0o750);
    assert.equal(mode(p("var/log/twcmanager")), 0o750);
    assert.equal(mode(p("etc/systemd/system/twcmanager.service")), 0o644);
    assert.equal(readFileSync(p("etc/systemd/system/twcmanager.service"), "utf8"), readFileSync(UNIT_SRC, "utf8"));
  });

  it("the unit: non-root in dialout, hardened, writable only where the sample config keeps its settings", async () => {
    const unit = readFileSync(p("etc/systemd/system/twcmanager.service"), "utf8");
    const one = (key: string): string | undefined => unitValues(unit, key).at(-1);
    assert.equal(one("User"), "twcmanager");
    assert.equal(one("SupplementaryGroups"), "dialout");
    assert.equal(one("Restart"), "on-failure");
    assert.equal(one("NoNewPrivileges"), "yes");
    assert.equal(one("ProtectSystem"), "strict");
    assert.equal(one("ProtectHome"), "yes");
    assert.equal(one("PrivateTmp"), "yes");
    assert.equal(one("ExecReload"), "/bin/kill -HUP $MAINPID");
    assert.equal(one("StandardOutput"), "journal");
    assert.deepEqual(unitValues(unit, "ReadWritePaths"), ["/var/lib/twcmanager /var/log/twcmanager"]);
    assert.equal(one("StateDirectory"), "twcmanager");
    assert.deepEqual(unitValues(unit, "DeviceAllow"), ["char-ttyUSB rw", "char-ttyACM rw", "char-ttyAMA rw", "char-ttyS rw"]);
    assert.ok(!unit.includes("\nPrivateDevices=yes"), "PrivateDevices would hide the serial adapter");

    const exec = one("ExecStart")!.split(" ");
    assert.equal(exec[0], "/opt/twcmanager/bin/twcmanager");
    assert.deepEqual(parseArgs(exec.slice(1)), { kind: "run", configPath: "/etc/twcmanager/config.json", demo: false });

    // The sample config is read by our loader and keeps its settings where the unit may write.
    const loaded = await loadConfig(p("etc/twcmanager/config.json"));
    assert.equal(loaded.config.core.settingsPath, "/var/lib/twcmanager");
  });

  it("check-config accepts the installed sample config", { timeout: 60_000 }, async () => {
    const cli = spawnCli(["check-config", "--config", p("etc/twcmanager/config.json")]);
    assert.equal(await cli.exited, 0, cli.output());
    assert.match(cli.output(), /config\.json: OK/);
  });

  it("systemd-analyze verify finds nothing to complain about", { skip: requireBinary("systemd-analyze", "systemd") }, (tc) => {
    // verify needs ExecStart to exist: the copy points at the scratch root's app.
    const copy = join(root, "twcmanager.service");
    writeFileSync(copy, readFileSync(UNIT_SRC, "utf8").replaceAll("/opt/twcmanager/", `${p("opt/twcmanager")}/`));
    const v = spawnSync("systemd-analyze", ["verify", copy], { cwd: root, encoding: "utf8" });
    const out = `${v.stdout}${v.stderr}`;
    assert.equal(v.status, 0, out);
    // verify exits 0 on "ignoring" warnings (a bad DeviceAllow, an unknown system call group): none allowed.
    const about = out.split("\n").filter((l) => l.includes("twcmanager"));
    assert.deepEqual(about, [], out);

    const s = spawnSync("systemd-analyze", ["security", "--offline=true", "--threshold=30", copy], { cwd: root, encoding: "utf8" });
    const sOut = `${s.stdout}${s.stderr}`;
    if (/unrecognized option|Unknown option/i.test(sOut)) {
      tc.skip(recordSkip("systemd-analyze security --offline needs systemd 252 or newer"));
      return;
    }
    assert.equal(s.status, 0, `exposure above 3.0:\n${sOut}`);
    assert.match(sOut, /Overall exposure level for twcmanager\.service: [0-2]\.\d/);
  });

  it("an update keeps an edited config; the uninstall keeps config and settings; --purge removes them", () => {
    assert.notEqual(firstOut, "", "the install ran");
    writeFileSync(p("etc/twcmanager/config.json"), "{ # edited\n}\n");
    const again = sh(["--root", root, "--no-npm"]);
    assert.equal(again.status, 0, again.out);
    assert.match(again.out, /kept the existing \/etc\/twcmanager\/config\.json/);
    assert.equal(readFileSync(p("etc/twcmanager/config.json"), "utf8"), "{ # edited\n}\n");
    assert.ok(!existsSync(p("opt/twcmanager.old")) && !existsSync(p("opt/twcmanager.new")));

    writeFileSync(p("var/lib/twcmanager/settings.json"), "{}\n");
    const un = sh(["--root", root, "--uninstall"]);
    assert.equal(un.status, 0, un.out);
    assert.ok(un.out.split("\n").includes("skipped (--root): systemctl disable --now twcmanager.service"), un.out);
    assert.ok(!existsSync(p("etc/systemd/system/twcmanager.service")));
    assert.ok(!existsSync(p("opt/twcmanager")));
    assert.ok(!existsSync(p("usr/local/bin/twcmanager")));
    assert.ok(existsSync(p("etc/twcmanager/config.json")));
    assert.ok(existsSync(p("var/lib/twcmanager/settings.json")));

    assert.equal(sh(["--root", root, "--purge"]).status, 1, "--purge alone is refused");
    const purge = sh(["--root", root, "--uninstall", "--purge"]);
    assert.equal(purge.status, 0, purge.out);
    assert.ok(purge.out.split("\n").includes("skipped (--root): userdel twcmanager"), purge.out);
    for (const d of ["etc/twcmanager", "var/lib/twcmanager", "var/log/twcmanager"]) assert.ok(!existsSync(p(d)), d);
  });

  it("the container recipe builds with the install script's steps, runs as non-root, gets the device and volumes", () => {
    // No container engine runs the tests: this checks the recipe stays in step with install.sh.
    const docker = readFileSync(join(ROOT, "deploy", "Dockerfile"), "utf8");
    const install = readFileSync(INSTALL, "utf8");
    for (const step of ["npm ci --no-audit --no-fund", "npm prune --omit=dev --no-audit --no-fund"]) {
      assert.ok(install.includes(step), `install.sh: ${step}`);
      assert.ok(docker.includes(step), `Dockerfile: ${step}`);
    }
    assert.match(docker, /^FROM node:20-bookworm-slim AS build$/m);
    assert.match(docker, /^COPY --from=build \/src\/ \.\/$/m);
    assert.match(docker, /^USER twcmanager$/m);
    assert.match(docker, /^CMD \["--config", "\/etc\/twcmanager\/config\.json"\]$/m);
    const compose = readFileSync(join(ROOT, "deploy", "docker-compose.yml"), "utf8");
    assert.match(compose, /dockerfile: deploy\/Dockerfile/);
    assert.match(compose, /devices:\n\s+# .*\n\s+- \/dev\/ttyUSB0:\/dev\/ttyUSB0/);
    assert.match(compose, /- \.\/config:\/etc\/twcmanager:ro/);
    assert.match(compose, /- settings:\/var\/lib\/twcmanager/);
  });

  it("refuses a root directory that does not exist, and unknown arguments", () => {
    assert.equal(sh(["--root", join(root, "nope", "deeper")]).status, 1);
    assert.equal(sh(["--bogus"]).status, 1);
  });
});
