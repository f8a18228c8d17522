/** The TokenQuery on TeslaMate's PostgreSQL (vehicles.md §5.2): one short connection per sync, 10 s timeouts. */
import type { TeslaMateConfig } from "../../config/app-config.ts";
import { TOKEN_SQL, type TokenQuery, type TokenRow } from "./token-sync.ts";

/** Connection and query timeout, ms. */
const TIMEOUT_MS = 10_000;

/** A query that connects, reads the newest row and disconnects (pg is loaded on first use). */
export function pgTokenQuery(db: NonNullable<TeslaMateConfig["db"]>): TokenQuery {
  return async () => {
    const pg = (await import("pg")).default;
    const client = new pg.Client({ host: db.host, port: db.port, database: db.database, user: db.user, password: db.password, connectionTimeoutMillis: TIMEOUT_MS, query_timeout: TIMEOUT_MS });
    client.on("error", () => undefined);
    try {
      await client.connect();
      const r = await client.query<TokenRow>(TOKEN_SQL);
      return r.rows[0] ?? null;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
}
