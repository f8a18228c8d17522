/**
 * Test helper: a real MariaDB server (Debian's `mariadb-server`) on a free 127.0.0.1 port with its own
 * data directory in a temp directory, a database and a user with a password made for the test; a test
 * can stop, kill and start it again on the same port and data. Modelled on mosquitto.test-helper.ts.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConnection as connectMysql, type Connection } from "mysql2/promise";
import { requireBinaries } from "../../../test/skip-report.ts";
import { freePort, killAndWait, sleep } from "../mqtt/mosquitto.test-helper.ts";

/** The first of `names` found in the usual binary directories, or null. */
function findBinary(names: readonly string[]): string | null {
  for (const dir of ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"]) {
    for (const n of names) {
      const p = join(dir, n);
      if (spawnSync(p, ["--version"], { stdio: "ignore" }).error === undefined) return p;
    }
  }
  return null;
}

/** The server and data-directory installer, or null when MariaDB/MySQL is not installed. */
export function mariadbBinaries(): { server: string; install: string } | null {
  const server = findBinary(["mariadbd", "mysqld"]);
  const install = findBinary(["mariadb-install-db", "mysql_install_db"]);
  return server && install ? { server, install } : null;
}

/** The `skip` option of node:test when MariaDB is missing (CI installs it). */
export const skipWithoutMariadb: string | false =
  mariadbBinaries() === null ? requireBinaries(["mariadbd", "mariadb-server"], ["mariadb-install-db", "mariadb-server"]) : false;

/** A running (or stopped) test database server. */
export interface MariaDb {
  readonly port: number;
  readonly dir: string;
  readonly database: string;
  readonly username: string;
  readonly password: string;
  /** What the server wrote to its error log (stdout/stderr). */
  log(): string;
  /** A connection as the test user (the caller ends it), to `database` (default the test database). */
  connect(database?: string): Promise<Connection>;
  /** Rows of `sql` as the test user (in `database`, default the test database). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], database?: string): Promise<T[]>;
  /** Creates another empty database the test user may use (one per test on a shared server). */
  createDatabase(name: string): Promise<void>;
  /** Starts it (again) on the same port and data. */
  start(): Promise<void>;
  /** SIGTERM, awaited (a clean shutdown). */
  stop(): Promise<void>;
  /** SIGKILL, awaited (a server dying mid-run). */
  kill(): Promise<void>;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
}

async function tryConnect(o: { port: number; user: string; password?: string; database?: string }): Promise<Connection | null> {
  try {
    return await connectMysql({ host: "127.0.0.1", connectTimeout: 2000, ...o });
  } catch {
    return null;
  }
}

/** Installs a data directory, starts the server on a free loopback port and makes the test user; throws when it does not come up. */
export async function startMariaDb(): Promise<MariaDb> {
  const bins = mariadbBinaries();
  if (bins === null) throw new Error("MariaDB is not installed");
  const dir = mkdtempSync(join(tmpdir(), "twc-mariadb-"));
  const data = join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  const userArgs = asRoot ? ["--user=root"] : [];
  const install = spawnSync(
    bins.install,
    ["--no-defaults", `--datadir=${data}`, "--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve", ...userArgs],
    { encoding: "utf8", timeout: 120_000 },
  );
  if (install.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`mariadb-install-db failed (${install.status}):\n${install.stdout}\n${install.stderr}`);
  }
  const port = await freePort();
  const database = "twcmanager";
  const username = "twcmanager";
  const password = "s3cret-Pa55word";
  let proc: ChildProcess | null = null;
  let text = "";
  const stopWith = async (signal: NodeJS.Signals): Promise<void> => {
    const p = proc;
    proc = null;
    await killAndWait(p, signal);
  };
  const db: MariaDb = {
    port,
    dir,
    database,
    username,
    password,
    log: () => text,
    connect: (name = database) => connectMysql({ host: "127.0.0.1", port, user: username, password, database: name, dateStrings: true }),
    async query<T>(sql: string, params: unknown[] = [], name = database) {
      const c = await db.connect(name);
      try {
        const [rows] = await c.query(sql, params);
        return rows as T[];
      } finally {
        await c.end();
      }
    },
    async start() {
      if (proc) return;
      const p = spawn(
        bins.server,
        [
          "--no-defaults",
          `--datadir=${data}`,
          `--port=${port}`,
          "--bind-address=127.0.0.1",
          `--socket=${join(dir, "mysqld.sock")}`,
          `--pid-file=${join(dir, "mysqld.pid")}`,
          "--skip-name-resolve",
          "--innodb-buffer-pool-size=16M",
          ...userArgs,
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      proc = p;
      p.stdout?.on("data", (d: Buffer) => (text += d.toString()));
      p.stderr?.on("data", (d: Buffer) => (text += d.toString()));
      const deadline = performance.now() + 60_000;
      for (;;) {
        const c = await tryConnect({ port, user: "root" });
        if (c) {
          await c.end();
          return;
        }
        if (performance.now() > deadline || p.exitCode !== null) throw new Error(`mariadbd did not start:\n${text}`);
        await sleep(50);
      }
    },
    async createDatabase(name: string) {
      if (!/^\w+$/.test(name)) throw new Error(`bad database name ${name}`);
      const root = await connectMysql({ host: "127.0.0.1", port, user: "root" });
      try {
        await root.query(`CREATE DATABASE ${name}`);
        await root.query(`GRANT ALL PRIVILEGES ON ${name}.* TO '${username}'@'127.0.0.1'`);
      } finally {
        await root.end();
      }
    },
    stop: () => stopWith("SIGTERM"),
    kill: () => stopWith("SIGKILL"),
    async dispose() {
      await stopWith("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await db.start();
    const root = await connectMysql({ host: "127.0.0.1", port, user: "root" });
    try {
      await root.query(`CREATE USER '${username}'@'127.0.0.1' IDENTIFIED BY '${password}'`);
    } finally {
      await root.end();
    }
    await db.createDatabase(database);
  } catch (err) {
    await db.dispose();
    throw err;
  }
  return db;
}
