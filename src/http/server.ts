/** Listening for the HTTP Control module: address, port, timeouts (http-api.md §2). */
import type { FastifyInstance } from "fastify";
import { TwcError } from "../shared/errors.ts";

/** Where to listen. */
export interface ListenOptions {
  port: number;
  /** Undefined: dual-stack "::", falling back to 0.0.0.0. */
  address?: string | undefined;
}

/** Starts listening; a bind failure is TwcError HTTP_LISTEN_FAILED with the spec's message. */
export async function listen(app: FastifyInstance, opts: ListenOptions): Promise<{ address: string; port: number }> {
  const attempt = async (host: string): Promise<void> => {
    await app.listen({ port: opts.port, host });
  };
  const shown = opts.address ?? "::";
  try {
    await app.ready();
    app.server.headersTimeout = 10000;
    app.server.requestTimeout = 30000;
    app.server.keepAliveTimeout = 5000;
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
  const addr = app.server.address();
  const port = typeof addr === "object" && addr !== null ? addr.port : opts.port;
  return { address: shown, port };
}
