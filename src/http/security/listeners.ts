/**
 * HTTPS and the plain-HTTP redirect listener (http-api.md §2.1), and the start-up warning for a server
 * reachable from the network without authentication. The HTTPS server reuses the fastify app's request
 * handling (every listener of `app.server`), so timeouts, limits and error answers are identical.
 */
import { readFile } from "node:fs/promises";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { isIP } from "node:net";
import { createSecureContext } from "node:tls";
import type { FastifyInstance } from "fastify";
import type { HttpConfig } from "../../config/app-config.ts";
import { TwcError } from "../../shared/errors.ts";
import {
  applyServerLimits,
  createClientErrorHandler,
  HTTP_LIMITS,
  nodeServerOptions,
  type HttpLimits,
} from "../wire-rules.ts";
import { guardOfSocket, installConnectionGuard, excessMessage, EXCESS_RETRY_AFTER_S } from "../connections.ts";
import { errorJson, JSON_TYPE } from "../reply.ts";
import { authEnabled } from "./auth.ts";
import { parseHost } from "./hosts.ts";

/** control.HTTP.tls. */
export type TlsConfig = NonNullable<HttpConfig["tls"]>;

/** The PEM material of a TLS listener. */
export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

/** Text of the start-up warning / alert HTTP_PUBLIC_WITHOUT_AUTH (http-api.md §2.1). */
export const PUBLIC_WITHOUT_AUTH_MESSAGE =
  "control.HTTP is reachable from the network without authentication; configure control.HTTP.auth";

/** True for `localhost`, 127.0.0.0/8, `::1` and `::ffff:127.x.y.z` (null: all interfaces → false). */
export function isLoopbackAddress(address: string | null | undefined): boolean {
  if (address === null || address === undefined) return false;
  const a = address
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1");
  if (a === "localhost" || a === "::1") return true;
  const v4 = a.startsWith("::ffff:") ? a.slice(7) : a;
  return isIP(v4) === 4 && v4.startsWith("127.");
}

/** True when the server listens on a non-loopback address without authentication (warn + alert). */
export function publicWithoutAuth(cfg: HttpConfig): boolean {
  return !isLoopbackAddress(cfg.listenAddress) && !authEnabled(cfg.auth ?? undefined);
}

/** Reads and checks the PEM files; a fatal start-up TwcError (exit code 2) naming the file otherwise. */
export async function readTlsFiles(tls: Pick<TlsConfig, "certFile" | "keyFile">): Promise<TlsMaterial> {
  const read = async (what: string, path: string): Promise<Buffer> => {
    try {
      return await readFile(path);
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new TwcError({
        code: "HTTP_LISTEN_FAILED",
        message: `control.HTTP.tls: cannot read ${what} ${path}: ${reason}`,
        cause: err,
      });
    }
  };
  const cert = await read("certFile", tls.certFile);
  const key = await read("keyFile", tls.keyFile);
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new TwcError({
      code: "HTTP_LISTEN_FAILED",
      message: `control.HTTP.tls: invalid certificate or key in ${tls.certFile} / ${tls.keyFile}: ${(err as Error).message}`,
      cause: err,
    });
  }
  return { cert, key };
}

/** Events of fastify's server that the HTTPS server handles the same way. */
const MIRRORED_EVENTS = [
  "request",
  "clientError",
  "checkContinue",
  "checkExpectation",
  "connect",
  "upgrade",
  "dropRequest",
];

/** An HTTPS server that hands every request to the fastify app (as `app.server` would). */
export function createTlsServer(
  app: FastifyInstance,
  pem: TlsMaterial,
  limits: Readonly<HttpLimits> = HTTP_LIMITS,
): Server {
  // A TLS handshake must complete within the header timeout (Node's default is 120 s).
  const server = createHttpsServer({
    ...nodeServerOptions(limits),
    cert: pem.cert,
    key: pem.key,
    handshakeTimeout: limits.headersTimeoutMs,
  });
  for (const event of MIRRORED_EVENTS) {
    for (const listener of app.server.listeners(event))
      server.on(event, listener as (...args: unknown[]) => void);
  }
  applyServerLimits(server, limits);
  installConnectionGuard(server, limits);
  return server;
}

/** The 308 target for a plain-HTTP request, or null when the Host header is missing or malformed. */
export function redirectLocation(
  hostHeader: string | undefined,
  httpsPort: number,
  url: string | undefined,
): string | null {
  const host = parseHost(hostHeader);
  if (!host) return null;
  const path = url !== undefined && url.startsWith("/") ? url : "/";
  return `https://${host.name}:${httpsPort}${path}`;
}

/** The plain-HTTP listener answering every request with 308 to the HTTPS port. */
export function createRedirectServer(
  httpsPort: () => number,
  limits: Readonly<HttpLimits> = HTTP_LIMITS,
): Server {
  const server = createHttpServer(nodeServerOptions(limits), (req, res) => {
    const common = {
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "same-origin",
      "Cache-Control": "no-store",
    };
    const guard = guardOfSocket(req.socket);
    if (guard?.isExcess(req.socket)) {
      const body = errorJson(excessMessage(guard.maxConnections));
      res.writeHead(503, {
        ...common,
        "Content-Type": JSON_TYPE,
        "Content-Length": Buffer.byteLength(body),
        "Retry-After": EXCESS_RETRY_AFTER_S,
        Connection: "close",
      });
      res.end(body);
      return;
    }
    const location = redirectLocation(req.headers.host, httpsPort(), req.url);
    if (location === null) {
      const body = errorJson("Bad request: missing or invalid Host header");
      res.writeHead(400, {
        ...common,
        "Content-Type": JSON_TYPE,
        "Content-Length": Buffer.byteLength(body),
      });
      res.end(body);
      return;
    }
    res.writeHead(308, { ...common, Location: location, "Content-Length": 0 });
    res.end();
  });
  server.on("clientError", createClientErrorHandler(limits));
  applyServerLimits(server, limits);
  installConnectionGuard(server, limits);
  return server;
}

/** Binds a server; rejects with the listen error. */
export function listenServer(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off("listening", onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}

/** Closes a server: stops accepting, closes idle connections, resolves when every connection ended. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/** Closes the given servers when the app closes (must be called before the app is ready). */
export function closeWithApp(app: FastifyInstance, servers: readonly Server[]): void {
  let closing: Promise<void[]> | null = null;
  app.addHook("preClose", (done) => {
    closing = Promise.all(servers.map(closeServer));
    done();
  });
  app.addHook("onClose", async () => {
    await (closing ?? Promise.all(servers.map(closeServer)));
  });
}
