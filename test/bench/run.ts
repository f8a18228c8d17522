/**
 * `npm run bench` (design.md §14 tier 6): autocannon on loopback against the real product (demo
 * configuration, in a child process) — getStatus, getSlaveTWCs and /api/v2/state at 1 and 50
 * connections — and against a bare node:http server answering a JSON body of the same size, measured in
 * the same run. Also measures the heartbeat cadence while the API is under full load and the product's
 * RSS. Prints a Markdown table and PASS/FAIL per target; exits 1 when a target fails.
 *
 * First, the idle cost (test/bench/idle.ts): CPU and RSS of the product doing nothing for a minute.
 *
 * Environment: BENCH_DURATION (seconds per measurement, default 5); BENCH_NODE_FLAGS (the node flags
 * of the product process; default those of bin/twcmanager's shebang); BENCH_IDLE_S
 * (idle window, default 60; 0 skips it); BENCH_IDLE_COMPARE (a command starting another controller to
 * measure idle beside ours).
 */
import { fork, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, release, totalmem } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort, ROOT } from "../integration/helpers.ts";
import type { BenchReply, BenchRequest } from "./ipc.ts";
import { idleChecks, measureIdle, productNodeFlags, type IdleFigures } from "./idle.ts";
import { fmt, percentile, slotDeviations } from "./stats.ts";

/** The part of autocannon's result this script reads. */
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Autocannon = (opts: {
  url: string;
  connections: number;
  duration: number;
  pipelining?: number;
}) => Promise<AutocannonResult>;

// autocannon ships no type declarations: load it through require and describe what we use.
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const CONNECTIONS = [1, 50] as const;

interface Child {
  proc: ChildProcess;
  port: number;
  ask(m: BenchRequest, reply: BenchReply["type"]): Promise<BenchReply>;
}

/** Where the product is compiled for the benchmark (as shipped: plain JavaScript, no tsx loader). */
const BUILD_DIR = join(ROOT, "node_modules/.cache/twcm-bench");

/**
 * Compiles the current sources plus the benchmark child with tsc into BUILD_DIR, so the measured
 * process runs what `npm run build` ships. Returns the compiled child script, or null (then tsx is used).
 */
function compileProduct(): string | null {
  mkdirSync(BUILD_DIR, { recursive: true });
  const config = {
    extends: join(ROOT, "tsconfig.build.json"),
    compilerOptions: {
      rootDir: ROOT,
      outDir: join(BUILD_DIR, "out"),
      sourceMap: false,
      noEmitOnError: false,
    },
    include: [
      join(ROOT, "src/**/*.ts"),
      join(ROOT, "test/bench/product-server.ts"),
      join(ROOT, "test/bench/ipc.ts"),
    ],
    exclude: ["**/*.test.ts", "**/*.test-helper.ts", join(ROOT, "src/web/**")],
  };
  writeFileSync(join(BUILD_DIR, "tsconfig.json"), JSON.stringify(config, null, 2));
  rmSync(join(BUILD_DIR, "out"), { recursive: true, force: true });
  spawnSync(
    process.execPath,
    [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(BUILD_DIR, "tsconfig.json")],
    { stdio: "ignore" },
  );
  const script = join(BUILD_DIR, "out/test/bench/product-server.js");
  return existsSync(script) ? script : null;
}

async function startChild(script: string, env: Record<string, string>, flags: string[] = []): Promise<Child> {
  const port = await freePort();
  const compiled = script.endsWith(".js");
  const proc = fork(compiled ? script : join(ROOT, "test/bench", script), [], {
    execArgv: [...flags, ...(compiled ? [] : ["--import", "tsx"])],
    env: { ...process.env, ...env, BENCH_PORT: String(port) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const waiters: { type: BenchReply["type"]; resolve: (m: BenchReply) => void }[] = [];
  proc.on("message", (m: BenchReply) => {
    const i = waiters.findIndex((w) => w.type === m.type);
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(m);
  });
  const next = (type: BenchReply["type"]): Promise<BenchReply> =>
    new Promise((resolve) => waiters.push({ type, resolve }));
  await next("ready");
  return {
    proc,
    port,
    ask: (m, reply) => {
      const p = next(reply);
      proc.send(m);
      return p;
    },
  };
}

interface Row {
  target: string;
  /** Server CPU time per request (µs): robust against a busy machine, unlike requests/s. */
  cpuPerRequest: number;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
}

async function cpuMicros(child: Child): Promise<number> {
  const m = await child.ask({ type: "cpu" }, "cpu");
  return m.type === "cpu" ? m.micros : Number.NaN;
}

async function measure(target: string, url: string, connections: number, server: Child): Promise<Row> {
  await autocannon({ url, connections, duration: 1 }); // warm-up
  const cpuBefore = await cpuMicros(server);
  const r = await autocannon({ url, connections, duration: DURATION });
  const cpu = (await cpuMicros(server)) - cpuBefore;
  return {
    cpuPerRequest: cpu / Math.max(1, r.requests.total),
    target,
    connections,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    errors: r.errors + r.timeouts + r.non2xx,
  };
}

/** Heartbeat times and event-loop delay of the product since the last reset. */
async function heartbeatTimes(
  product: Child,
): Promise<{ times: number[]; loopP99: number; loopMax: number }> {
  const m = await product.ask({ type: "heartbeats" }, "heartbeats");
  return m.type === "heartbeats"
    ? { times: m.times, loopP99: m.loopDelayP99, loopMax: m.loopDelayMax }
    : { times: [], loopP99: Number.NaN, loopMax: Number.NaN };
}

async function main(): Promise<number> {
  const cpu = cpus();
  console.log(`# TWCManager HTTP benchmark`);
  console.log(
    `machine: ${cpu.length} × ${cpu[0]?.model ?? "?"}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Linux ${release()}, Node ${process.version}; ${DURATION} s per measurement\n`,
  );
  const compiled = compileProduct();
  console.log(
    compiled
      ? "product: compiled with tsc (plain JavaScript, as shipped)\n"
      : "product: tsc build failed, running the sources through tsx\n",
  );
  // Default: the flags bin/twcmanager and `npm start` ship with (docs/performance.md).
  const flags = productNodeFlags();
  if (flags.length > 0) console.log(`product node flags: ${flags.join(" ")}\n`);
  const idleS = Number(process.env.BENCH_IDLE_S ?? 60);
  let idleFigures: IdleFigures[] = [];
  if (idleS > 0) {
    const mainScript = compiled ? join(BUILD_DIR, "out/src/cli/main.js") : join(ROOT, "src/cli/main.ts");
    idleFigures = await measureIdle(mainScript, flags, idleS);
  }
  const product = await startChild(compiled ?? "product-server.ts", {}, flags);
  let bare: Child | null = null;
  let maxRss = 0;
  const rssTimer = setInterval(() => {
    void product.ask({ type: "rss" }, "rss").then((m) => {
      if (m.type === "rss") maxRss = Math.max(maxRss, m.bytes);
    });
  }, 250);
  try {
    const base = `http://127.0.0.1:${product.port}`;
    await sleep(3000); // both simulated TWCs link, the first energy reading arrives
    const statusBody = await (await fetch(`${base}/api/getStatus`)).text();
    bare = await startChild("bare-server.ts", { BENCH_BODY: statusBody });

    // Heartbeat cadence with an idle API (reference).
    await product.ask({ type: "resetHeartbeats" }, "ok");
    await sleep(DURATION * 1000);
    const idle = await heartbeatTimes(product);
    const idleDev = slotDeviations(idle.times);

    const targets: [string, string, Child][] = [
      ["bare node:http", `http://127.0.0.1:${bare.port}/`, bare],
      ["GET /api/getStatus", `${base}/api/getStatus`, product],
      ["GET /api/getSlaveTWCs", `${base}/api/getSlaveTWCs`, product],
    ];
    if ((await fetch(`${base}/api/v2/state`)).status === 200)
      targets.push(["GET /api/v2/state", `${base}/api/v2/state`, product]);
    else console.log("note: /api/v2/state does not exist yet; skipped\n");

    const rows: Row[] = [];
    const loadDev: number[] = [];
    const loop: { target: string; p99: number; max: number }[] = [
      { target: "API idle", p99: idle.loopP99, max: idle.loopMax },
    ];
    for (const connections of CONNECTIONS) {
      for (const [target, url, server] of targets) {
        const underLoad = connections === 50 && target !== "bare node:http";
        if (underLoad) await product.ask({ type: "resetHeartbeats" }, "ok");
        rows.push(await measure(target, url, connections, server));
        if (underLoad) {
          const hb = await heartbeatTimes(product);
          loadDev.push(...slotDeviations(hb.times));
          loop.push({ target, p99: hb.loopP99, max: hb.loopMax });
        }
      }
    }

    const bareRps = (c: number): number =>
      rows.find((r) => r.target === "bare node:http" && r.connections === c)?.rps ?? Number.NaN;
    console.log(
      "| Target | Connections | Requests/s | p50 ms | p99 ms | max ms | vs bare node:http | server CPU µs/request | errors |",
    );
    console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const r of rows) {
      const ratio =
        r.target === "bare node:http" ? "100 %" : `${fmt((100 * r.rps) / bareRps(r.connections), 0)} %`;
      console.log(
        `| ${r.target} | ${r.connections} | ${fmt(r.rps, 0)} | ${fmt(r.p50, 0)} | ${fmt(r.p99, 0)} | ${fmt(r.max, 0)} | ${ratio} | ${fmt(r.cpuPerRequest, 0)} | ${r.errors} |`,
      );
    }
    console.log("");
    console.log("| Heartbeat lateness vs its 1 s slot | heartbeats | p50 ms | p99 ms | max ms |");
    console.log("|---|---:|---:|---:|---:|");
    for (const [what, d] of [
      ["API idle", idleDev],
      ["API under full load (50 connections)", loadDev],
    ] as const) {
      console.log(
        `| ${what} | ${d.length + 1} | ${fmt(percentile(d, 50))} | ${fmt(percentile(d, 99))} | ${fmt(percentile(d, 100))} |`,
      );
    }
    console.log("");
    console.log("| Product event-loop delay | p99 ms | max ms |");
    console.log("|---|---:|---:|");
    for (const l of loop)
      console.log(
        `| ${l.target === "API idle" ? l.target : `${l.target}, 50 connections`} | ${fmt(l.p99)} | ${fmt(l.max)} |`,
      );
    console.log(`\nproduct RSS (max sampled every 250 ms): ${fmt(maxRss / 2 ** 20)} MiB\n`);

    const status50 = rows.find((r) => r.target === "GET /api/getStatus" && r.connections === 50);
    const slaves50 = rows.find((r) => r.target === "GET /api/getSlaveTWCs" && r.connections === 50);
    // A closed loop of 50 connections has a mean latency of 50 / throughput (Little's law).
    console.log(
      `closed-loop latency floor at 50 connections for getStatus: 50 / ${fmt(status50?.rps ?? Number.NaN, 0)} req/s = ${fmt((50 / (status50?.rps ?? Number.NaN)) * 1000)} ms\n`,
    );
    const designOk = (r: Row | undefined): boolean => r !== undefined && r.rps >= 2000 && r.p99 < 20;
    const checks: [string, boolean][] = [
      [
        `getStatus at 50 connections ≥ 50 % of bare node:http (${fmt((100 * (status50?.rps ?? 0)) / bareRps(50), 0)} %)`,
        (status50?.rps ?? 0) >= 0.5 * bareRps(50),
      ],
      [
        `getStatus p99 < 10 ms at 50 connections (${fmt(status50?.p99 ?? Number.NaN, 0)} ms)`,
        (status50?.p99 ?? Infinity) < 10,
      ],
      [
        `heartbeat lateness p99 < 50 ms under load (${fmt(percentile(loadDev, 99))} ms)`,
        loadDev.length > 0 && percentile(loadDev, 99) < 50,
      ],
      [`RSS < 100 MB (${fmt(maxRss / 1e6)} MB)`, maxRss > 0 && maxRss < 100e6],
      [`no errors or non-2xx answers`, rows.every((r) => r.errors === 0)],
      [
        `design.md §14: getStatus and getSlaveTWCs ≥ 2000 req/s with p99 < 20 ms at 50 connections`,
        designOk(status50) && designOk(slaves50),
      ],
    ];
    checks.push(...idleChecks(idleFigures));
    for (const [what, ok] of checks) console.log(`${ok ? "PASS" : "FAIL"}  ${what}`);
    return checks.every(([, ok]) => ok) ? 0 : 1;
  } finally {
    clearInterval(rssTimer);
    bare?.proc.kill();
    const stopped = product.ask({ type: "stop" }, "ok");
    await Promise.race([stopped, sleep(10_000)]);
    product.proc.kill();
  }
}

process.exitCode = await main();
