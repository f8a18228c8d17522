import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseListen, planSim, runSim } from "./sim.ts";

void test("planSim: default IDs AB, CD, EF … and per-slave lists", async () => {
  const plan = await planSim([
    "--slaves",
    "3",
    "--ratings",
    "80,32,48",
    "--versions",
    "2,1,2",
    "--cars",
    "follow,,full",
    "--vins",
    "5YJ3E1EA7KF317000,,-",
    "--seed",
    "7",
  ]);
  assert.notEqual(plan, "help");
  if (plan === "help") return;
  assert.equal(plan.host, "127.0.0.1");
  assert.equal(plan.port, 5555);
  assert.equal(plan.seed, 7);
  assert.deepEqual(
    plan.slaves.map((s) => [s.twcID, s.maxAmps, s.protocolVersion, s.car.behaviour, s.vin]),
    [
      ["AB", 80, 2, "follow", "5YJ3E1EA7KF317000"],
      ["CD", 32, 1, "none", ""],
      ["EF", 48, 2, "full", null],
    ],
  );
  const one = await planSim([]);
  assert.equal(one !== "help" && one.slaves.length, 1);
  const fromList = await planSim(["--ratings", "32,32"]);
  assert.equal(fromList !== "help" && fromList.slaves.length, 2, "the longest list sets the count");
});

void test("parseListen accepts host:port and [v6]:port", () => {
  assert.deepEqual(parseListen("127.0.0.1:5555"), { host: "127.0.0.1", port: 5555 });
  assert.deepEqual(parseListen("[::1]:0"), { host: "::1", port: 0 });
  assert.throws(() => parseListen("localhost"), { code: "CONFIG_INVALID" });
  assert.throws(() => parseListen("h:70000"), { code: "CONFIG_INVALID" });
});

void test("runSim: bad options → message on stderr, exit code 2", async () => {
  const bad = [
    ["--slaves", "0"],
    ["--slaves", "2", "--ratings", "80,32,48"],
    ["--versions", "3"],
    ["--cars", "flying"],
    ["--ratings", "abc"],
    ["--vins", "THIS-VIN-IS-FAR-TOO-LONG"],
    ["--bogus"],
    ["--listen", "nope"],
    ["--seed", "x"],
    ["--config", "/nonexistent/sim.json"],
    ["--config", "x.json", "--slaves", "2"],
    ["positional"],
  ];
  for (const argv of bad) {
    const err: string[] = [];
    const code = await runSim(argv, { stdout: () => assert.fail("no stdout"), stderr: (l) => err.push(l) });
    assert.equal(code, 2, argv.join(" "));
    assert.match(err[0] ?? "", /^twcmanager sim: /, argv.join(" "));
  }
});

void test("--config reads {slaves, seed}; invalid content is rejected with the field name", async () => {
  const dir = await mkdtemp(join(tmpdir(), "twc-sim-"));
  try {
    const good = join(dir, "sim.json");
    await writeFile(
      good,
      JSON.stringify({
        slaves: [
          { twcID: "4142", maxAmps: 32, car: { behaviour: "follow" }, faults: { dropRate: 0.1 } },
          { twcID: "CD" },
        ],
        seed: 3,
      }),
    );
    const plan = await planSim(["--config", good, "--listen", "127.0.0.1:0"]);
    assert.ok(plan !== "help");
    assert.deepEqual(
      plan.slaves.map((s) => [s.twcID, s.maxAmps, s.car.behaviour, s.faults.dropRate]),
      [
        ["4142", 32, "follow", 0.1],
        ["CD", 80, "none", 0],
      ],
    );
    assert.equal(plan.seed, 3);
    const cases: [unknown, RegExp][] = [
      [{ slaves: [{ twcID: "AB", maxAmps: "80" }] }, /slaves\[0\]\.maxAmps/],
      [{ slaves: [{ twcID: "AB", car: { behavior: "follow" } }] }, /unknown key 'behavior'/],
      [{ slaves: [{ twcID: "XYZ" }] }, /twcID/],
      [{ slaves: [{ twcID: "AB" }, { twcID: "4142" }] }, /duplicates/],
      [{ slaves: [] }, /non-empty/],
      [{ slaves: [{ twcID: "AB", faults: { dropRate: 2 } }] }, /faults\.dropRate/],
    ];
    for (const [content, message] of cases) {
      const p = join(dir, "bad.json");
      await writeFile(p, JSON.stringify(content));
      await assert.rejects(planSim(["--config", p]), message);
    }
    await writeFile(join(dir, "broken.json"), "{");
    await assert.rejects(planSim(["--config", join(dir, "broken.json")]), { code: "CONFIG_PARSE" });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test("runSim listens, prints one line, and returns 0 when stopped", async () => {
  const ac = new AbortController();
  let resolveLine: (l: string) => void = () => {};
  const line = new Promise<string>((r) => (resolveLine = r));
  const done = runSim(
    ["--listen", "127.0.0.1:0", "--slaves", "2", "--ratings", "80,32", "--versions", "2,1"],
    {
      stdout: (l) => resolveLine(l),
      stderr: (l) => assert.fail(l),
      signal: ac.signal,
    },
  );
  const text = await line;
  const m =
    /^simulator listening on 127\.0\.0\.1:(\d+) with 2 slaves: 4142 \(80 A, v2\), 4344 \(32 A, v1\)$/.exec(
      text,
    );
  assert.ok(m, text);
  const socket = connect({ host: "127.0.0.1", port: Number(m[1]) });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  socket.destroy();
  ac.abort();
  assert.equal(await done, 0);
});
