/**
 * Benchmark child process: a bare node:http server answering every request with the same JSON body
 * (the size of a real getStatus document), the upper bound the product is compared with.
 */
import { createServer } from "node:http";
import type { BenchReply, BenchRequest } from "./ipc.ts";

const body = Buffer.from(process.env.BENCH_BODY ?? "{}");
const server = createServer((_req, res) => {
  res.writeHead(200, { "Content-Type": "application/json; charset=utf-8", "Content-Length": body.length });
  res.end(body);
});
server.keepAliveTimeout = 5000;
server.listen(Number(process.env.BENCH_PORT), "127.0.0.1", () => {
  const reply: BenchReply = { type: "ready", port: Number(process.env.BENCH_PORT) };
  process.send?.(reply);
});
process.on("message", (m: BenchRequest) => {
  if (m.type === "stop") process.exit(0);
  if (m.type === "cpu") {
    const c = process.cpuUsage();
    process.send?.({ type: "cpu", micros: c.user + c.system } satisfies BenchReply);
  }
  if (m.type === "rss")
    process.send?.({ type: "rss", bytes: process.memoryUsage().rss } satisfies BenchReply);
});
