/**
 * "Test this source" (issue 11 §4): polls one configured energy source once, on a fresh instance built
 * from its validated config (so the live source's reading, session and counters are not touched), with
 * its normal timeouts, and answers the parsed figures, the module attributes and the raw answers
 * (captured by source-trace.ts) with secrets redacted and sizes bounded. Runs on the event loop like any
 * poll: it never blocks the bus or another source. Push sources (MQTT, DSMRreader) and the demo cannot
 * be polled on demand.
 */
import type { AppConfig } from "../config/app-config.ts";
import type { Clock } from "../shared/clock.ts";
import { HIDDEN, isSecretKey, redactText } from "../shared/redact.ts";
import type { SourceDescriptor } from "./catalogue.ts";
import { SOURCE_CATALOGUE } from "./source-list.ts";
import type { EnergyLogger, EnergySource, Reading } from "./source.ts";
import { errorMessage } from "./source.ts";
import { traced, type TraceEntry, type TraceLog } from "./source-trace.ts";
import type { ModuleDeps } from "./sources/module-source.ts";

/** Longest raw body shown per answer (characters, after redaction). */
export const MAX_SHOWN_BODY_CHARS = 8192;
/** Longest a whole test may take (ms) before it is abandoned (each request has its own, shorter timeout). */
export const MAX_TEST_MS = 60_000;

/** The answer of one test. */
export interface SourceTestResult {
  /** The source's name as in the state document (`sources.<Key>`). */
  name: string;
  /** True when the poll produced a reading. */
  ok: boolean;
  /** Why the poll failed (secrets redacted), else null. */
  error: string | null;
  generationW: number | null;
  consumptionW: number | null;
  consumptionA: number | null;
  /** The module attributes of this reading (`modules.<Module>.<attr>`); empty for URL and HASS. */
  attributes: Readonly<Record<string, string | number | boolean | null>>;
  /** The raw requests and answers, in order, secrets redacted, bodies cut at MAX_SHOWN_BODY_CHARS. */
  raw: TraceEntry[];
  /** Answers beyond the kept ones. */
  rawDropped: number;
  /** When the test ran (ISO 8601) and how long it took (ms). */
  testedAt: string;
  durationMs: number;
}

/** What a test request gets: a result, or why there is nothing to test. */
export type SourceTestOutcome =
  { kind: "result"; result: SourceTestResult } | { kind: "not-configured"; message: string } | { kind: "not-pollable"; message: string };

/** Tests configured sources by name (what the HTTP route needs). */
export interface SourceTester {
  /** Polls the source called `name` once (its state-document name, or a catalogue module's registered name). */
  test(name: string): Promise<SourceTestOutcome>;
}

/** A source that can be polled once on demand (every polled source: PollingSource). */
interface Pollable extends EnergySource {
  poll(): void;
  settled(): Promise<void>;
  attributes?(): Readonly<Record<string, string | number | boolean | null>>;
}

function isPollable(s: EnergySource): s is Pollable {
  const p = s as Partial<Pollable>;
  return typeof p.poll === "function" && typeof p.settled === "function";
}

/** Options of {@link createSourceTester}. */
export interface SourceTesterOptions {
  sources: AppConfig["sources"];
  clock: Clock;
  logger: EnergyLogger;
  catalogue?: readonly SourceDescriptor[];
  /** Extra dependencies for the test instances (tests: fetchImpl, baseUrl). */
  extraDeps?: Partial<Omit<ModuleDeps, "clock" | "logger">>;
  /** Overall cap per test (ms), default MAX_TEST_MS. */
  maxMs?: number;
}

/** A way to build one fresh instance of a configured source, with the secret values of its section. */
interface Recipe {
  name: string;
  secrets: string[];
  create(logger: EnergyLogger): Promise<EnergySource>;
}

/** The values of secret keys (by name, or marked `x-secret` in the schema) of a config section, deep. */
export function secretValues(section: unknown, secretKeys: ReadonlySet<string> = new Set(), out: string[] = [], depth = 0): string[] {
  if (depth > 16 || typeof section !== "object" || section === null) return out;
  for (const [k, v] of Object.entries(section)) {
    if ((isSecretKey(k) || secretKeys.has(k)) && (typeof v === "string" || typeof v === "number")) {
      const s = String(v).trim();
      if (s.length >= 3) out.push(s);
    } else secretValues(v, secretKeys, out, depth + 1);
  }
  return out;
}

function schemaSecrets(d: SourceDescriptor): Set<string> {
  const props = (d.schema as unknown as { properties?: Record<string, Record<string, unknown>> }).properties ?? {};
  return new Set(Object.entries(props).filter(([, p]) => p["x-secret"] === true).map(([k]) => k));
}

/** `text` with the literal secret values and the usual secret shapes (tokens, cookies, keys) hidden. */
export function redactWith(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    out = out.split(s).join(HIDDEN);
    const encoded = encodeURIComponent(s);
    if (encoded !== s) out = out.split(encoded).join(HIDDEN);
  }
  return redactText(out);
}

function redactEntry(e: TraceEntry, secrets: readonly string[]): TraceEntry {
  const body = redactWith(e.body, secrets);
  const cut = body.length > MAX_SHOWN_BODY_CHARS;
  return {
    request: redactWith(e.request, secrets),
    status: e.status,
    body: cut ? body.slice(0, MAX_SHOWN_BODY_CHARS) : body,
    truncated: e.truncated || cut,
    error: e.error === null ? null : redactWith(e.error, secrets),
  };
}

/** Logs everything at debug, marked as a test, so a failed test is not mistaken for the live source failing. */
function quiet(logger: EnergyLogger): EnergyLogger {
  const down = (obj: object, msg: string): void => logger.debug({ ...obj, sourceTest: true }, `test: ${msg}`);
  return { debug: down, info: down, warn: down, error: down };
}

const PUSH_SOURCES: Readonly<Record<string, string>> = {
  MQTT: "sources.MQTT receives pushed MQTT messages and cannot be polled on demand; its last reading is shown with the energy sources",
  DSMRreader: "sources.DSMRreader receives pushed MQTT telegrams and cannot be polled on demand; its last reading is shown with the energy sources",
  Demo: "the demo's simulated sunny day has nothing to poll",
};

/** Creates the tester of the configured sources. */
export function createSourceTester(o: SourceTesterOptions): SourceTester {
  const catalogue = o.catalogue ?? SOURCE_CATALOGUE;
  const maxMs = o.maxMs ?? MAX_TEST_MS;
  const inFlight = new Map<string, Promise<SourceTestOutcome>>();
  const deps = (logger: EnergyLogger): ModuleDeps => ({ ...o.extraDeps, clock: o.clock, logger });

  const recipe = (name: string): Recipe | SourceTestOutcome => {
    if (name === "URL" && o.sources.url) {
      const cfg = o.sources.url;
      return {
        name,
        secrets: secretValues(cfg),
        create: async (logger) => (await import("./url-source.ts")).createUrlSource(cfg, deps(logger)),
      };
    }
    if (name === "HASS" && o.sources.hass) {
      const cfg = o.sources.hass;
      return {
        name,
        secrets: secretValues(cfg),
        create: async (logger) => (await import("./hass-source.ts")).createHassSource(cfg, deps(logger)),
      };
    }
    const push = PUSH_SOURCES[name];
    const pushOn = name === "MQTT" ? o.sources.mqtt : name === "DSMRreader" ? o.sources.dsmr : null;
    if (push !== undefined && pushOn !== null) return { kind: "not-pollable", message: push };
    const d = catalogue.find((c) => c.key === name || c.registeredName === name || (c.aliases ?? []).includes(name));
    const section = d ? o.sources.catalogue.find((c) => c.key === d.key) : undefined;
    if (!d || !section) {
      const what = d ? `sources.${d.key}` : `an energy source named "${name}"`;
      return {
        kind: "not-configured",
        message: `${what} is not configured (enable it, with its required keys, in the sources section of config.json)`,
      };
    }
    return {
      name: d.key,
      secrets: secretValues(section.config, schemaSecrets(d)),
      create: async (logger) => (await d.load())(section.config, deps(logger)),
    };
  };

  const run = async (r: Recipe): Promise<SourceTestOutcome> => {
    const started = o.clock.now();
    const log: TraceLog = { entries: [], dropped: 0 };
    let source: EnergySource | null = null;
    let reading: Reading | null = null;
    let error: string | null = null;
    let attributes: Readonly<Record<string, string | number | boolean | null>> = {};
    try {
      const s = await r.create(quiet(o.logger));
      source = s;
      if (!isPollable(s)) return { kind: "not-pollable", message: `${r.name} cannot be polled on demand` };
      const capped = await traced(log, () => withCap(o.clock, maxMs, pollOnce(s), () => s.stop()));
      reading = capped ? null : s.latest();
      error = capped ? `no complete answer within ${Math.round(maxMs / 1000)} s` : s.lastError();
      attributes = reading !== null && error === null && s.attributes ? s.attributes() : {};
    } catch (err) {
      error = errorMessage(err);
    } finally {
      await source?.stop().catch(() => undefined);
    }
    const ok = reading !== null && error === null;
    const result: SourceTestResult = {
      name: r.name,
      ok,
      error: ok ? null : redactWith(error ?? "no reading", r.secrets),
      generationW: ok ? (reading?.generationW ?? null) : null,
      consumptionW: ok ? (reading?.consumptionW ?? null) : null,
      consumptionA: ok ? (reading?.consumptionA ?? null) : null,
      attributes,
      raw: log.entries.map((e) => redactEntry(e, r.secrets)),
      rawDropped: log.dropped,
      testedAt: new Date(started).toISOString(),
      durationMs: Math.max(0, o.clock.now() - started),
    };
    o.logger.info({ source: r.name, ok, error: result.error }, `${r.name} energy source tested: ${ok ? "reading received" : "failed"}`);
    return { kind: "result", result };
  };

  return {
    test(name) {
      const r = recipe(name);
      if ("kind" in r) return Promise.resolve(r);
      // Two clicks at once share one poll (the device sees one client).
      const pending = inFlight.get(r.name);
      if (pending) return pending;
      const p = run(r).finally(() => inFlight.delete(r.name));
      inFlight.set(r.name, p);
      return p;
    },
  };
}

async function pollOnce(s: Pollable): Promise<void> {
  s.poll();
  await s.settled();
}

/** Waits for `work`, or stops it (`abandon`) once `ms` have passed on the clock; true when capped. */
async function withCap(clock: Clock, ms: number, work: Promise<void>, abandon: () => Promise<void>): Promise<boolean> {
  let timer: ReturnType<Clock["setTimeout"]> | null = null;
  const cap = new Promise<"cap">((resolve) => {
    timer = clock.setTimeout(() => resolve("cap"), ms);
  });
  try {
    if ((await Promise.race([work, cap])) !== "cap") return false;
    await abandon();
    return true;
  } finally {
    if (timer !== null) clock.clearTimeout(timer);
  }
}
