/**
 * Test helper: a real mosquitto broker on a free 127.0.0.1 port with its own config file in a temp
 * directory (optionally TLS with a test-made CA from openssl), which a test can stop, kill and start
 * again on the same port; plus a recording MQTT client and real-time waits.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync, type IClientOptions, type MqttClient } from "mqtt";
import { findBinary, requireBinary } from "../../../test/skip-report.ts";

/** The mosquitto binary, or null when it is not installed (recorded for the `npm test` summary). */
export function mosquittoBinary(): string | null {
  return findBinary("mosquitto", "mosquitto");
}

/** The `skip` option of node:test when mosquitto is missing (CI installs it). */
export const skipWithoutMosquitto: string | false = requireBinary("mosquitto", "mosquitto");

/** Waits `ms` of real time. */
export async function sleep(ms: number): Promise<void> {
  await new Promise<void>((r) => setTimeout(r, ms));
}

/** Waits until `cond()` holds (polling every 10 ms of real time), failing after `timeoutMs`. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** Files of a test-made certificate authority and a server certificate for 127.0.0.1 / localhost. */
export interface TestCerts {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** Makes a CA and a server certificate with openssl in `dir`. */
export function makeTestCerts(dir: string): TestCerts {
  const run = (args: string[]): void => {
    const r = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`openssl ${args.join(" ")} failed: ${r.stderr}`);
  };
  writeFileSync(
    join(dir, "san.cnf"),
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n",
  );
  run([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=TWCManager test CA",
  ]);
  run([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
    "-subj",
    "/CN=127.0.0.1",
  ]);
  run([
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.pem",
    "-days",
    "2",
    "-extfile",
    "san.cnf",
  ]);
  // mosquitto started as root drops to its own user: it must be able to read the test files.
  chmodSync(dir, 0o755);
  for (const f of ["ca.pem", "server.pem", "server.key"]) chmodSync(join(dir, f), 0o644);
  return { caFile: join(dir, "ca.pem"), certFile: join(dir, "server.pem"), keyFile: join(dir, "server.key") };
}

/** A running (or stopped) broker. */
export interface Mosquitto {
  readonly port: number;
  readonly dir: string;
  /** `mqtt://127.0.0.1:<port>` (or mqtts). */
  readonly url: string;
  /** Everything mosquitto printed (-v: connections, subscriptions). */
  log(): string;
  /** Starts it (again) on the same port. */
  start(): Promise<void>;
  /** SIGTERM, awaited. */
  stop(): Promise<void>;
  /** SIGKILL, awaited (a broker dying mid-run). */
  kill(): Promise<void>;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
}

/** Options of {@link startMosquitto}. */
export interface MosquittoOptions {
  /** Serve TLS with these files. */
  tls?: TestCerts;
  /** Use this directory (e.g. where the certificates are); default a new temp directory. */
  dir?: string;
}

/** Sends `signal` to a server process still running and waits for it to exit (nothing when it is gone). */
export async function killAndWait(p: ChildProcess | null, signal: NodeJS.Signals): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once("exit", () => r()));
  p.kill(signal);
  await exited;
}

/** Starts mosquitto on a free loopback port; throws when it does not come up. */
export async function startMosquitto(o: MosquittoOptions = {}): Promise<Mosquitto> {
  const binary = mosquittoBinary();
  if (binary === null) throw new Error("mosquitto is not installed");
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), "twc-mosquitto-"));
  const port = await freePort();
  const conf = join(dir, "mosquitto.conf");
  const tls = o.tls ? `cafile ${o.tls.caFile}\ncertfile ${o.tls.certFile}\nkeyfile ${o.tls.keyFile}\n` : "";
  writeFileSync(conf, `listener ${port} 127.0.0.1\n${tls}allow_anonymous true\npersistence false\n`);
  let proc: ChildProcess | null = null;
  let text = "";
  const stopWith = async (signal: NodeJS.Signals): Promise<void> => {
    const p = proc;
    proc = null;
    await killAndWait(p, signal);
  };
  const broker: Mosquitto = {
    port,
    dir,
    url: `${o.tls ? "mqtts" : "mqtt"}://127.0.0.1:${port}`,
    log: () => text,
    async start() {
      if (proc) return;
      const p = spawn(binary, ["-c", conf, "-v"], { stdio: ["ignore", "pipe", "pipe"] });
      proc = p;
      p.stdout?.on("data", (d: Buffer) => (text += d.toString()));
      p.stderr?.on("data", (d: Buffer) => (text += d.toString()));
      const deadline = performance.now() + 15_000;
      while (!(await canConnect(port))) {
        if (performance.now() > deadline || p.exitCode !== null)
          throw new Error(`mosquitto did not start:\n${text}`);
        await sleep(20);
      }
    },
    stop: () => stopWith("SIGTERM"),
    kill: () => stopWith("SIGKILL"),
    async dispose() {
      await stopWith("SIGTERM");
      if (!o.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  await broker.start();
  return broker;
}

/** A test client that records every message it receives (topic, payload, retain flag). */
export interface Recorder {
  client: MqttClient;
  messages: { topic: string; payload: string; retain: boolean }[];
  /** The last payload seen on `topic`, or undefined. */
  last(topic: string): string | undefined;
  /** Messages on `topic`. */
  on(topic: string): string[];
  clear(): void;
  close(): Promise<void>;
}

/** Connects a recording client subscribed to `filters`. */
export async function recorder(url: string, filters: string[], opts: IClientOptions = {}): Promise<Recorder> {
  const client = await connectAsync(url, { reconnectPeriod: 0, ...opts });
  const messages: Recorder["messages"] = [];
  client.on("message", (topic, payload, packet) =>
    messages.push({ topic, payload: payload.toString("utf8"), retain: packet.retain }),
  );
  if (filters.length > 0) await client.subscribeAsync(filters, { qos: 0 });
  return {
    client,
    messages,
    last: (topic) => messages.filter((m) => m.topic === topic).at(-1)?.payload,
    on: (topic) => messages.filter((m) => m.topic === topic).map((m) => m.payload),
    clear: () => void messages.splice(0),
    close: async () => {
      await client.endAsync(true);
    },
  };
}

/** A TCP proxy in front of the broker whose connections a test can cut (an unclean client loss). */
export interface CutProxy {
  readonly port: number;
  /** Destroys every proxied connection (the broker sees the client vanish and sends its will). */
  cutAll(): void;
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port to `targetPort`. */
export async function startCutProxy(targetPort: number): Promise<CutProxy> {
  const sockets = new Set<Socket>();
  const server = createServer((inbound) => {
    const outbound = createConnection({ host: "127.0.0.1", port: targetPort });
    sockets.add(inbound);
    sockets.add(outbound);
    inbound.pipe(outbound).pipe(inbound);
    const drop = (): void => {
      inbound.destroy();
      outbound.destroy();
      sockets.delete(inbound);
      sockets.delete(outbound);
    };
    inbound.on("error", drop).on("close", drop);
    outbound.on("error", drop).on("close", drop);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as AddressInfo).port,
    cutAll: () => {
      for (const s of [...sockets]) s.destroy();
    },
    close: async () => {
      for (const s of [...sockets]) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
