/**
 * Helpers for the browser tests: a real twcmanager process (Dummy bus with two simulated chargers, like
 * the demo), Debian's chromium through playwright-core, screenshots, and a same-origin request guard.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before } from "node:test";
import { demoConfig } from "../../src/cli/demo.ts";
import { requireBinary } from "../skip-report.ts";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import {
  freePort,
  ROOT,
  spawnCli,
  tempDir,
  waitFor,
  writeConfig,
  type CliProcess,
} from "../integration/helpers.ts";

export { waitFor } from "../integration/helpers.ts";

/** Where Debian installs chromium. */
export const CHROMIUM = "/usr/bin/chromium";
/** Screenshots of every test (git-ignored). */
export const SHOTS = join(ROOT, "test-output", "screenshots");

/** Reason to skip the browser tests, or false when they can run (recorded for the `npm test` summary). */
export const skipReason: string | false = requireBinary(CHROMIUM, "chromium");

/** Viewports used for the screenshots. */
export const VIEWPORTS = {
  desktop: { width: 1280, height: 900 },
  phone: { width: 390, height: 844 },
} as const;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

/**
 * Builds dist/web when it is missing or older than src/web. Test files run in parallel, so the build is
 * guarded by a lock directory (mkdir is atomic); the others wait for it and re-check.
 */
export async function ensureWebBuilt(): Promise<void> {
  const index = join(ROOT, "dist", "web", "index.html");
  const lock = join(ROOT, "dist", ".web-build-lock");
  const fresh = (): boolean =>
    existsSync(index) && statSync(index).mtimeMs >= newestMtime(join(ROOT, "src", "web"));
  const end = Date.now() + 120_000;
  while (!fresh()) {
    mkdirSync(join(ROOT, "dist"), { recursive: true });
    let locked = false;
    try {
      mkdirSync(lock);
      locked = true;
    } catch {
      // Someone else builds (or a stale lock older than 2 minutes from a killed run).
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000)
        rmSync(lock, { recursive: true, force: true });
    }
    if (locked) {
      try {
        if (!fresh()) {
          const r = spawnSync(process.execPath, [join(ROOT, "scripts", "build-web.mjs")], {
            cwd: ROOT,
            encoding: "utf8",
          });
          if (r.status !== 0) throw new Error(`web build failed:\n${r.stdout}\n${r.stderr}`);
        }
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
      return;
    }
    if (Date.now() > end) throw new Error("timed out waiting for another web build");
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Credentials for an instance with authentication on. */
export interface AuthOptions {
  username: string;
  password: string;
  protectReads?: boolean;
}

/** A running twcmanager instance. */
export interface Instance {
  port: number;
  origin: string;
  dir: string;
  cli(): CliProcess;
  /** Stops the process (SIGTERM, which also saves settings). */
  stop(): Promise<void>;
  /** Stops and starts it again with the same config and settings folder. */
  restart(): Promise<void>;
  /** Stops it and removes its folder. */
  dispose(): Promise<void>;
}

/** The shape of demoConfig() this file changes. */
interface DemoShape {
  config: Record<string, unknown>;
  interface: { Dummy: { slaves: (Record<string, unknown> & { car?: Record<string, unknown> })[] } };
}

/**
 * The demo's config (`npm start`) on a free loopback port, with settings in `dir`, optional auth, and
 * the first car starting and ramping faster so tests see it draw within a second or two.
 */
export function browserConfig(dir: string, port: number, auth?: AuthOptions, mqttBrokerPort?: number): Record<string, unknown> {
  const demo = demoConfig(dir) as Record<string, unknown> & DemoShape;
  const [first, ...others] = demo.interface.Dummy.slaves;
  const slaves = first
    ? [{ ...first, car: { ...first.car, startDelayS: 1, rampAmpsPerS: 20 } }, ...others]
    : others;
  return {
    ...demo,
    config: { ...demo.config, settingsPath: join(dir, "settings") },
    interface: { ...demo.interface, Dummy: { ...demo.interface.Dummy, slaves } },
    control: {
      HTTP: {
        enabled: true,
        listenPort: port,
        listenAddress: "127.0.0.1",
        ...(auth
          ? {
              auth: {
                username: auth.username,
                password: auth.password,
                protectReads: auth.protectReads ?? false,
              },
            }
          : {}),
      },
      ...(mqttBrokerPort !== undefined ? { MQTT: { enabled: true, brokerIP: "127.0.0.1", brokerPort: mqttBrokerPort, topicPrefix: "TWC" } } : {}),
    },
    ...(mqttBrokerPort !== undefined
      ? { status: { MQTT: { enabled: true, brokerIP: "127.0.0.1", brokerPort: mqttBrokerPort, topicPrefix: "TWC", homeassistantDiscovery: true } } }
      : {}),
  };
}

/** Starts an instance and waits until both chargers are linked (with control.MQTT and status.MQTT on a broker port). */
export async function startInstance(auth?: AuthOptions, mqttBrokerPort?: number): Promise<Instance> {
  await ensureWebBuilt();
  const t = tempDir("twcm-browser-");
  const port = await freePort();
  const configPath = writeConfig(t.dir, browserConfig(t.dir, port, auth, mqttBrokerPort));
  const origin = `http://127.0.0.1:${port}`;
  const headers: Record<string, string> = auth
    ? { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}` }
    : {};
  let cli = spawnCli(["--config", configPath]);
  const ready = async (): Promise<void> => {
    await waitFor(
      async () => {
        if (cli.child.exitCode !== null) throw new Error(`twcmanager exited:\n${cli.output()}`);
        const r = await fetch(`${origin}/api/v2/state`, { headers });
        if (!r.ok) return null;
        const s = (await r.json()) as { chargers: { ampsOffered: number | null }[] };
        return s.chargers.length === 2 && s.chargers.every((c) => c.ampsOffered !== null);
      },
      30_000,
      "two linked chargers",
    );
  };
  try {
    await ready();
  } catch (err) {
    await cli.kill("SIGKILL");
    t.cleanup();
    throw err;
  }
  const stop = async (): Promise<void> => {
    await cli.kill("SIGTERM");
  };
  return {
    port,
    origin,
    dir: t.dir,
    cli: () => cli,
    stop,
    restart: async () => {
      await stop();
      cli = spawnCli(["--config", configPath]);
      await ready();
    },
    dispose: async () => {
      await stop();
      t.cleanup();
    },
  };
}

/** An instance and a browser shared by the tests of one suite (set in `before`, stopped in `after`). */
export interface SuiteFixture {
  inst: Instance;
  browser: Browser;
}

/** Registers before/after hooks on the enclosing describe that start an instance (with `auth`) and chromium. */
export function useInstanceAndBrowser(auth?: AuthOptions): SuiteFixture {
  const f: Partial<SuiteFixture> = {};
  before(async () => {
    f.inst = await startInstance(auth);
    f.browser = await launchBrowser();
  });
  after(async () => {
    await f.browser?.close();
    await f.inst?.dispose();
  });
  return f as SuiteFixture;
}

/** Launches headless chromium (a fresh temporary profile per launch). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/** A page whose requests are all recorded; `foreign()` lists those that left the origin. */
export interface GuardedPage {
  page: Page;
  context: BrowserContext;
  foreign(): string[];
  /** Console errors and page errors seen so far. */
  errors(): string[];
}

/** Opens a page in a new context with the given viewport and records requests and errors. */
export async function openPage(
  browser: Browser,
  origin: string,
  viewport: keyof typeof VIEWPORTS,
  colorScheme: "light" | "dark" = "light",
): Promise<GuardedPage> {
  const context = await browser.newContext({
    viewport: VIEWPORTS[viewport],
    colorScheme,
    isMobile: viewport === "phone",
    hasTouch: viewport === "phone",
  });
  const page = await context.newPage();
  const foreign: string[] = [];
  const errors: string[] = [];
  page.on("request", (req) => {
    const u = new URL(req.url());
    if (u.protocol === "blob:" || u.protocol === "data:") return;
    if (u.origin !== origin) foreign.push(req.url());
  });
  page.on("console", (msg) => {
    // Failed loads are checked through responses by the tests that care (e.g. 401 before login).
    if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource")) errors.push(msg.text());
  });
  page.on("pageerror", (err) => errors.push(err.message));
  return { page, context, foreign: () => foreign.slice(), errors: () => errors.slice() };
}

/** Runs `fn` on a fresh guarded page, then asserts nothing left the origin and no script error occurred. */
export async function withGuardedPage(
  browser: Browser,
  origin: string,
  viewport: keyof typeof VIEWPORTS,
  fn: (g: GuardedPage) => Promise<void>,
): Promise<void> {
  const g = await openPage(browser, origin, viewport);
  try {
    await fn(g);
    assert.deepEqual(g.foreign(), [], "no request leaves the origin");
    assert.deepEqual(g.errors(), [], "no script errors or CSP violations");
  } finally {
    await g.context.close();
  }
}

/**
 * Evaluates a JavaScript expression in the page. Expressions are strings so that this Node-side code
 * needs no DOM type definitions (the project's tsconfig has none).
 */
export function inPage<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate<T>(expression);
}

/** Polls until the element's text (whitespace collapsed) matches `re`; returns that text. */
export async function waitForText(
  page: Page,
  selector: string,
  re: RegExp,
  timeoutMs = 15_000,
): Promise<string> {
  return waitFor(
    async () => {
      // Whitespace as a reader sees it: runs of spaces and line breaks collapse to one space.
      const t = ((await page.locator(selector).first().textContent({ timeout: 1000 })) ?? "")
        .replace(/\s+/g, " ")
        .trim();
      return re.test(t) ? t : null;
    },
    timeoutMs,
    `${selector} to match ${re}`,
  );
}

/** Amps shown in an element such as "15.62 A" (NaN when none). */
export async function ampsIn(page: Page, selector: string): Promise<number> {
  const t = (await page.locator(selector).first().textContent()) ?? "";
  const m = /(-?[\d.,]+)\s*A/.exec(t);
  return m ? Number(m[1]!.replace(/,/g, "")) : NaN;
}

/**
 * Saves a screenshot of the whole page as test-output/screenshots/<name>.png. The viewport is grown to
 * the page height first (a "fullPage" capture would repeat the sticky header in the middle).
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  const vp = page.viewportSize();
  const height = await inPage<number>(page, "document.documentElement.scrollHeight");
  if (vp && height > vp.height)
    await page.setViewportSize({ width: vp.width, height: Math.min(height, 8000) });
  await page.screenshot({ path });
  if (vp && height > vp.height) await page.setViewportSize(vp);
  return path;
}

/** POST JSON to an instance (optionally with Basic credentials). */
export async function post(
  inst: Instance,
  path: string,
  body?: unknown,
  auth?: AuthOptions,
): Promise<Response> {
  return fetch(`${inst.origin}${path}`, {
    method: "POST",
    headers: auth
      ? { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}` }
      : {},
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

/** GET /api/v2/state. */
export async function state(
  inst: Instance,
): Promise<Record<string, unknown> & { chargers: Record<string, unknown>[] }> {
  const r = await fetch(`${inst.origin}/api/v2/state`);
  return (await r.json()) as Record<string, unknown> & { chargers: Record<string, unknown>[] };
}
