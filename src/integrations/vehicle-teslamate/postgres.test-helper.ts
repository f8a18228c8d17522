/**
 * Test helper: a real PostgreSQL server (Debian's `postgresql`) with its own data directory in a temp
 * directory, listening on a free 127.0.0.1 port and on a unix socket in that directory only, with a
 * password user and a database made for the test; stopped and removed by `dispose()`. As root (CI
 * containers) the server runs as the `postgres` system user, since PostgreSQL refuses to run as root.
 * Modelled on logging/mariadb.test-helper.ts.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { locateBinary, missingReason, recordSkip } from "../../../test/skip-report.ts";
import { freePort, killAndWait, sleep } from "../mqtt/mosquitto.test-helper.ts";

/** `initdb` and `postgres` of the newest installed major version (Debian keeps them off PATH), or null. */
export function postgresBinaries(): { initdb: string; postgres: string } | null {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const initdb = join(root, v, "bin", "initdb");
    const postgres = join(root, v, "bin", "postgres");
    if (locateBinary(initdb) && locateBinary(postgres)) return { initdb, postgres };
  }
  const initdb = locateBinary("initdb");
  const postgres = locateBinary("postgres");
  return initdb && postgres ? { initdb, postgres } : null;
}

/** The `skip` option of node:test when PostgreSQL is missing (recorded for the `npm test` summary; CI installs it). */
export const skipWithoutPostgres: string | false =
  postgresBinaries() === null ? recordSkip(missingReason("postgres", "postgresql"), { binary: "postgres", package: "postgresql" }) : false;

/** A running test database server. */
export interface Postgres {
  readonly port: number;
  readonly dir: string;
  readonly database: string;
  readonly user: string;
  readonly password: string;
  /** What the server printed. */
  log(): string;
  /** Rows of `sql` as the test user in `database` (default the test database). */
  query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[], database?: string): Promise<T[]>;
  /** Creates another empty database (one per test on a shared server). */
  createDatabase(name: string): Promise<void>;
  /** Stops it (fast shutdown), awaited. */
  stop(): Promise<void>;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
}

/** The uid/gid to run the server as: ours, or the `postgres` user's when we are root. */
function runAs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const r = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const g = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  const uid = Number(r.stdout.trim());
  const gid = Number(g.stdout.trim());
  if (r.status !== 0 || !Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error("running as root, but there is no 'postgres' user to run PostgreSQL as");
  return { uid, gid };
}

/** initdb into a temp directory, starts the server on a free loopback port, creates the test database; throws when it does not come up. */
export async function startPostgres(): Promise<Postgres> {
  const bins = postgresBinaries();
  if (bins === null) throw new Error("PostgreSQL is not installed");
  const dir = mkdtempSync(join(tmpdir(), "twc-postgres-"));
  const data = join(dir, "data");
  const user = "teslamate";
  const password = "pg-Test-Pa55word";
  const database = "teslamate";
  const as = runAs();
  const pwfile = join(dir, "pw");
  writeFileSync(pwfile, `${password}\n`);
  if (as) {
    chownSync(dir, as.uid, as.gid);
    chownSync(pwfile, as.uid, as.gid);
  }
  const init = spawnSync(bins.initdb, ["-D", data, "-U", user, `--pwfile=${pwfile}`, "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync"], {
    encoding: "utf8",
    timeout: 120_000,
    ...(as ?? {}),
  });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${String(init.status)}):\n${init.stdout}\n${init.stderr}`);
  }
  const port = await freePort();
  let text = "";
  let proc: ChildProcess | null = spawn(
    bins.postgres,
    ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "shared_buffers=16MB", "-c", "max_connections=20"],
    { stdio: ["ignore", "pipe", "pipe"], ...(as ?? {}) },
  );
  proc.stdout?.on("data", (d: Buffer) => (text += d.toString()));
  proc.stderr?.on("data", (d: Buffer) => (text += d.toString()));
  const client = (db: string): pg.Client => new pg.Client({ host: "127.0.0.1", port, user, password, database: db, connectionTimeoutMillis: 2000 });
  const stop = async (): Promise<void> => {
    const p = proc;
    proc = null;
    await killAndWait(p, "SIGINT");
  };
  const server: Postgres = {
    port,
    dir,
    database,
    user,
    password,
    log: () => text,
    async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = [], db = database) {
      const c = client(db);
      c.on("error", () => undefined);
      await c.connect();
      try {
        return (await c.query<T>(sql, params)).rows;
      } finally {
        await c.end();
      }
    },
    async createDatabase(name: string) {
      if (!/^\w+$/.test(name)) throw new Error(`bad database name ${name}`);
      await server.query(`CREATE DATABASE ${name}`, [], "postgres");
    },
    stop,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    const deadline = performance.now() + 60_000;
    for (;;) {
      const c = client("postgres");
      c.on("error", () => undefined);
      const up = await c.connect().then(
        () => true,
        () => false,
      );
      await c.end().catch(() => undefined);
      if (up) break;
      if (performance.now() > deadline || proc.exitCode !== null) throw new Error(`postgres did not start:\n${text}`);
      await sleep(50);
    }
    await server.createDatabase(database);
  } catch (err) {
    await server.dispose();
    throw err;
  }
  return server;
}

/** TeslaMate's `tokens` table (vehicles.md §9.1): `id serial, access bytea, refresh bytea, inserted_at, updated_at`. */
export const TESLAMATE_TOKENS_DDL =
  "CREATE TABLE tokens (id serial PRIMARY KEY, access bytea, refresh bytea, inserted_at timestamp NOT NULL DEFAULT now(), updated_at timestamp NOT NULL DEFAULT now())";
