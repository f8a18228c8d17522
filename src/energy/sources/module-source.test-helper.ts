/**
 * Test helpers of the catalogue HTTP modules: one poll to completion, reading a request body, and the
 * timeout check (a fake that never answers, the injected clock advanced past the timeout).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TObject } from "typebox";
import type { FakeClock } from "../../shared/clock.ts";
import type { Reading } from "../source.ts";
import type { Handler, Loopback } from "../loopback.test-helper.ts";
import { waitFor } from "../loopback.test-helper.ts";

/** The poll surface of a module source. */
export interface Pollable {
  poll(): void;
  settled(): Promise<void>;
  latest(): Reading | null;
  lastError(): string | null;
}

/** Runs one poll to completion and returns the latest reading. */
export async function pollNow(s: Pollable): Promise<Reading | null> {
  s.poll();
  await s.settled();
  return s.latest();
}

/** Reads a request body as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Asserts that a poll against a fake that never answers fails with a timeout after `timeoutMs` on the
 * injected clock, keeping the previous reading. The fake's handler must leave the request hanging.
 */
export async function assertTimesOut(
  s: Pollable,
  server: Loopback,
  clock: FakeClock,
  timeoutMs: number,
): Promise<void> {
  const before = s.latest();
  const seen = server.requests.length;
  s.poll();
  await waitFor(() => server.requests.length > seen, 5000, "the request");
  clock.advance(timeoutMs - 1);
  clock.advance(1);
  await s.settled();
  assert.match(s.lastError() ?? "", new RegExp(`timeout after ${timeoutMs} ms`));
  assert.deepEqual(s.latest(), before);
}

/** A test-made self-signed certificate (openssl, EC P-256, 1 day) for HTTPS fakes; CN default localhost. */
export function selfSignedCert(cn = "localhost"): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), "twc-cert-"));
  try {
    const keyFile = join(dir, "key.pem");
    const certFile = join(dir, "cert.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-subj",
        `/CN=${cn}`,
        "-days",
        "1",
        "-keyout",
        keyFile,
        "-out",
        certFile,
      ],
      { stdio: "ignore" },
    );
    return { key: readFileSync(keyFile, "utf8"), cert: readFileSync(certFile, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A running HTTPS fake with a self-signed certificate. */
export interface HttpsFake {
  url: string;
  port: number;
  /** The certificate's PEM (what a `caFile` pinning this device contains). */
  cert: string;
  close(): Promise<void>;
}

/** Starts an HTTPS server on 127.0.0.1 (port 0) with a self-signed certificate for `cn`. */
export async function startSelfSignedHttps(handler: Handler, cn = "localhost"): Promise<HttpsFake> {
  const pem = selfSignedCert(cn);
  const server = createHttpsServer(pem, handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    cert: pem.cert,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A keyword (`default`, `minimum`, `x-secret`, …) of one property of an object schema. */
export function schemaKeyword(schema: TObject, key: string, keyword: string): unknown {
  const prop: unknown = schema.properties[key];
  return typeof prop === "object" && prop !== null ? (prop as Record<string, unknown>)[keyword] : undefined;
}
