/**
 * Shared shell of the catalogue's HTTP modules (energy-sources.md §7–§19): a PollingSource that also
 * keeps the module attributes of its last published reading, the module deps (fetch, timeout, base-URL
 * override for cloud hosts), and small parse helpers that turn a bad answer into a SourceFetchError.
 */
import type { AttributeSource } from "../catalogue.ts";
import { PollingSource, SourceFetchError, fetchWithTimeout } from "../polling-source.ts";
import type { FetchFn, PolledValues } from "../polling-source.ts";
import type { SourceDeps } from "../source.ts";

/** Module attributes (upstream names and types). */
export type Attributes = Readonly<Record<string, string | number | boolean | null>>;

/** What one successful poll of a module yields: the reading's values and the module attributes. */
export interface ModuleReading {
  values: PolledValues;
  attributes: Attributes;
}

/** Dependencies of a catalogue HTTP module. */
export interface ModuleDeps extends SourceDeps {
  fetchImpl?: FetchFn;
  /** Request timeout (ms); default: the module's upstream timeout (§1.6). */
  timeoutMs?: number;
  /** Internal: replaces the fixed cloud host (`scheme://host[:port]`), for tests (§1.9); not a user key. */
  baseUrl?: string;
}

/** A polled source whose attributes are those of its latest published reading. */
class AttributePollingSource extends PollingSource implements AttributeSource {
  private current: Attributes = {};

  constructor(
    name: string,
    deps: SourceDeps,
    pollIntervalS: number,
    poll: (s: AbortSignal) => Promise<ModuleReading>,
  ) {
    let pending: Attributes = {};
    super(name, deps, pollIntervalS, async (signal) => {
      const r = await poll(signal);
      pending = r.attributes;
      return r.values;
    });
    // publish() emits synchronously right after a successful, non-aborted poll: commit its attributes.
    this.on("reading", () => {
      this.current = pending;
    });
  }

  attributes(): Attributes {
    return this.current;
  }
}

/** Creates a (not started) module source from its poll function. */
export function createModuleSource(
  name: string,
  deps: SourceDeps,
  pollIntervalS: number,
  poll: (signal: AbortSignal) => Promise<ModuleReading>,
): AttributeSource & Pick<PollingSource, "poll" | "settled"> {
  return new AttributePollingSource(name, deps, pollIntervalS, poll);
}

/** One HTTP request with the module's timeout; a non-2xx status fails unless `acceptStatus` says otherwise. */
export async function request(
  what: string,
  url: string,
  init: RequestInit,
  deps: ModuleDeps,
  defaultTimeoutMs: number,
  signal: AbortSignal,
): Promise<string> {
  const { status, body } = await fetchWithTimeout(url, init, {
    clock: deps.clock,
    timeoutMs: deps.timeoutMs ?? defaultTimeoutMs,
    signal,
    ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
  });
  if (status < 200 || status > 299) throw new SourceFetchError(`${what}: HTTP ${status}`);
  return body;
}

/** Parses a JSON body, or fails the fetch. */
export function parseJsonBody(what: string, body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new SourceFetchError(`${what}: response is not JSON`);
  }
}

/** True for a plain object. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const NUMERIC = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** A finite number from a JSON number or numeric string (Python's `float()`), or null. */
export function toNumber(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "string" && NUMERIC.test(v)) {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** {@link toNumber}, failing the fetch with `what` when the value is missing or not numeric. */
export function requireNumber(what: string, v: unknown): number {
  const n = toNumber(v);
  if (n === null)
    throw new SourceFetchError(`${what}: missing or non-numeric value ${JSON.stringify(v ?? null)}`);
  return n;
}

/** `host:port` for a URL (an IPv6 literal bracketed); `port` undefined → `host` alone. */
export function hostPort(host: string, port?: number | string): string {
  const h = host.trim();
  const bracketed = h.includes(":") && !h.startsWith("[") && (port !== undefined || h.split(":").length > 2);
  const name = bracketed ? `[${h}]` : h;
  return port === undefined ? name : `${name}:${String(port).trim()}`;
}

/** A base URL without its trailing slashes. */
export function trimBase(url: string): string {
  return url.replace(/\/+$/, "");
}
