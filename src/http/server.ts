/** Listening for the HTTP Control module: address, port, timeouts (http-api.md §2). */
import type { FastifyInstance } from "fastify";
import { TwcError } from "../shared/errors.ts";
import { installConnectionGuard } from "./connections.ts";
import { applyServerLimits, HTTP_LIMITS, type HttpLimits } from "./wire-rules.ts";
import {
  closeServer,
  closeWithApp,
  createRedirectServer,
  createTlsServer,
  listenServer,
  readTlsFiles,
  type TlsConfig,
} from "./security/listeners.ts";

/** Where to listen. */
export interface ListenOptions {
  port: number;
  /** Undefined: dual-stack "::", falling back to 0.0.0.0. */
  address?: string | undefined;
  /** Timeouts, header and connection limits (default HTTP_LIMITS; tests shorten or lower them). */
  limits?: Readonly<HttpLimits>;
  /** control.HTTP.tls: HTTPS on `port`, plus an optional plain-HTTP redirect listener (http-api.md §2.1). */
  tls?: TlsConfig | null | undefined;
}

/** Where the server listens. */
export interface Listening {
  address: string;
  port: number;
  /** Port of the plain-HTTP redirect listener (null: none). */
  redirectPort: number | null;
}

function boundPort(server: { address(): unknown }, fallback: number): number {
  const addr = server.address();
  return typeof addr === "object" && addr !== null && "port" in addr && typeof addr.port === "number"
    ? addr.port
    : fallback;
}

/** Starts listening; a bind failure is TwcError HTTP_LISTEN_FAILED with the spec's message. */
export async function listen(app: FastifyInstance, opts: ListenOptions): Promise<Listening> {
  // TLS: the PEM files are read first (unreadable or invalid → fatal, naming the file); the HTTPS and
  // redirect servers close with the app (hooks, so this must run before the app is ready).
  const pem = opts.tls ? await readTlsFiles(opts.tls) : null;
  const tlsServer = pem ? createTlsServer(app, pem, opts.limits) : null;
  const redirectFrom = opts.tls?.redirectFromPort ?? null;
  const redirect =
    tlsServer && redirectFrom !== null
      ? createRedirectServer(() => boundPort(tlsServer, opts.port), opts.limits)
      : null;
  if (tlsServer) closeWithApp(app, redirect ? [tlsServer, redirect] : [tlsServer]);
  let boundHost = opts.address ?? "::";
  const attempt = async (host: string): Promise<void> => {
    boundHost = host;
    if (tlsServer) await listenServer(tlsServer, opts.port, host);
    else await app.listen({ port: opts.port, host });
  };
  const shown = opts.address ?? "::";
  try {
    await app.ready();
    applyServerLimits(app.server, opts.limits);
    installConnectionGuard(app.server, opts.limits ?? HTTP_LIMITS);
    try {
      await attempt(shown);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (opts.address === undefined && (code === "EAFNOSUPPORT" || code === "EADDRNOTAVAIL")) await attempt("0.0.0.0");
      else throw err;
    }
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new TwcError({
      code: "HTTP_LISTEN_FAILED",
      message: `control.HTTP: cannot listen on ${shown}:${opts.port}: ${reason}`,
      cause: err,
    });
  }
  const port = boundPort(tlsServer ?? app.server, opts.port);
  let redirectPort: number | null = null;
  if (redirect && redirectFrom !== null) {
    try {
      await listenServer(redirect, redirectFrom, boundHost);
    } catch (err) {
      if (tlsServer) await closeServer(tlsServer);
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new TwcError({
        code: "HTTP_LISTEN_FAILED",
        message: `control.HTTP: cannot listen on ${shown}:${redirectFrom}: ${reason}`,
        cause: err,
      });
    }
    redirectPort = boundPort(redirect, redirectFrom);
  }
  return { address: shown, port, redirectPort };
}
