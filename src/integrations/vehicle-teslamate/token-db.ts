/** The TokenQuery on TeslaMate's PostgreSQL (vehicles.md §5.2): one short connection per sync, 10 s timeouts. */
import type { TeslaMateConfig } from "../../config/app-config.ts";
import { TOKEN_SQL, type TokenQuery, type TokenRow } from "./token-sync.ts";

/** Connection and query timeout, ms. */
const TIMEOUT_MS = 10_000;

/** PostgreSQL error codes that have a plainer explanation than the server's message. */
const PG_REASONS: Readonly<Record<string, string>> = {
  "42P01": "the database has no \"tokens\" table: db_name must be TeslaMate's database",
  "3D000": "the database does not exist: check db_name",
  "28P01": "password authentication failed: check db_user and db_pass",
  "28000": "the server refused db_user: check db_user and pg_hba.conf",
};

/** An error whose message says what to fix (a PostgreSQL code we know gets a plain explanation). Pure. */
export function tokenDbError(err: unknown, db: { host: string; port: number; database: string }): Error {
  const code = typeof err === "object" && err !== null && typeof (err as { code?: unknown }).code === "string" ? (err as { code: string }).code : "";
  const known = PG_REASONS[code];
  const text = err instanceof Error ? err.message : String(err);
  const where = `${db.host}:${String(db.port)}/${db.database}`;
  return new Error(known ? `${where}: ${known}` : `${where}: ${text === "" ? code || "connection failed" : text}`);
}

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
    } catch (err) {
      throw tokenDbError(err, db);
    } finally {
      await client.end().catch(() => undefined);
    }
  };
}
