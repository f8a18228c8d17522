import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Value } from "typebox/value";
import { FakeClock } from "../../shared/clock.ts";
import { BUCKET_MS, openHistoryDb, type HistoryReader } from "../../history/history-db.ts";
import { isoLocal } from "../../policy/local-time.ts";
import { isoSeries } from "./history.ts";
import { StateDocumentSchema } from "./schemas.ts";
import { testCharger, v2App } from "./v2-app.test-helper.ts";

const NOW = Date.UTC(2026, 10, 23, 12, 3, 20);
const B0 = Date.UTC(2026, 10, 23, 12, 0, 0);

/** A reader over an in-memory store, with the live bucket fixed. */
function reader(): HistoryReader & { store: ReturnType<typeof openHistoryDb> } {
  const store = openHistoryDb(":memory:", {
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
  });
  return {
    store,
    series(nowMs, count) {
      const cur = Math.floor(nowMs / BUCKET_MS) * BUCKET_MS;
      const first = cur - (count - 1) * BUCKET_MS;
      const stored = new Map(store.buckets(first, cur).map((b) => [b.startMs, b]));
      return Array.from({ length: count }, (_, i) => {
        const t = first + i * BUCKET_MS;
        if (t === cur) return { startMs: t, chargerW: 111, generationW: 5, consumptionW: 6 };
        return stored.get(t) ?? { startMs: t, chargerW: 0, generationW: null, consumptionW: null };
      });
    },
    sessions: (limit) => store.recentSessions(limit),
  };
}

describe("GET /api/v2/state", () => {
  it("returns the store snapshot, valid against the state document schema", async () => {
    const clock = new FakeClock(NOW);
    const { app, store } = v2App({ clock });
    store.update((d) => {
      d.chargers = [testCharger("4142", { reportedAmpsActual: 15.62, charging: true })];
    });
    const res = await app.inject({ method: "GET", url: "/api/v2/state" });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["content-type"], "application/json; charset=utf-8");
    assert.equal(res.headers["cache-control"], "no-store");
    assert.deepEqual(res.json(), store.snapshot);
    assert.equal(res.json<{ revision: number }>().revision, 2);
    assert.ok(
      Value.Check(StateDocumentSchema, res.json()),
      JSON.stringify([...Value.Errors(StateDocumentSchema, res.json())].slice(0, 3)),
    );
    await app.close();
  });
});

describe("GET /api/v2/history", () => {
  it("defaults to 48 h of 5-minute points, oldest first, the last one live", async () => {
    const clock = new FakeClock(NOW);
    const r = reader();
    r.store.putBucket({ startMs: B0 - BUCKET_MS, chargerW: 3840, generationW: 4000, consumptionW: null });
    const { app } = v2App({ clock, history: r, timeZone: "Europe/Berlin" });
    const res = await app.inject({ method: "GET", url: "/api/v2/history" });
    assert.equal(res.statusCode, 200);
    const doc = res.json<{
      stepS: number;
      from: string;
      to: string;
      points: { t: string; chargerW: number; generationW: number | null; consumptionW: number | null }[];
    }>();
    assert.equal(doc.stepS, 300);
    assert.equal(doc.points.length, 576);
    assert.equal(doc.from, "2026-11-21T13:05:00.000+01:00");
    assert.equal(doc.to, "2026-11-23T13:00:00.000+01:00");
    assert.equal(doc.points[0]?.t, doc.from);
    assert.deepEqual(doc.points.at(-1), { t: doc.to, chargerW: 111, generationW: 5, consumptionW: 6 });
    assert.deepEqual(doc.points.at(-2), {
      t: "2026-11-23T12:55:00.000+01:00",
      chargerW: 3840,
      generationW: 4000,
      consumptionW: null,
    });
    assert.deepEqual(doc.points[5], {
      t: "2026-11-21T13:30:00.000+01:00",
      chargerW: 0,
      generationW: null,
      consumptionW: null,
    });
    await app.close();
  });

  it("hours selects the window; invalid values answer 400 with the spec's message", async () => {
    const clock = new FakeClock(NOW);
    const { app } = v2App({ clock, history: reader() });
    for (const [q, n] of [
      ["1", 12],
      ["2160", 25920],
      [" 24.9", 288],
    ] as const) {
      const res = await app.inject({ method: "GET", url: `/api/v2/history?hours=${encodeURIComponent(q)}` });
      assert.equal(res.statusCode, 200, q);
      assert.equal(res.json<{ points: unknown[] }>().points.length, n, q);
    }
    for (const q of ["0", "2161", "abc", "", "-1", "1e9", "hours=1&hours=2"]) {
      const url = q.startsWith("hours=") ? `/api/v2/history?${q}` : `/api/v2/history?hours=${q}`;
      const res = await app.inject({ method: "GET", url });
      assert.equal(res.statusCode, 400, q);
      assert.deepEqual(res.json(), { error: "hours must be between 1 and 2160" }, q);
    }
    await app.close();
  });
});

describe("GET /api/v2/sessions", () => {
  it("lists sessions newest first with ISO times; limit is validated", async () => {
    const r = reader();
    const a = r.store.openSession("4142", B0, 1000)!;
    r.store.setSessionVin(a, "5YJ3E1EA8KF000001");
    r.store.closeSession(a, { endedAt: B0 + 3_600_000, endKWh: 1011.2, endReason: "stopped" });
    r.store.openSession("4243", B0 + 7_200_000, null);
    const { app } = v2App({ clock: new FakeClock(NOW), history: r, timeZone: "UTC" });
    const res = await app.inject({ method: "GET", url: "/api/v2/sessions" });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {
      sessions: [
        {
          id: a + 1,
          twcId: "4243",
          vin: null,
          startedAt: "2026-11-23T14:00:00.000+00:00",
          endedAt: null,
          startKWh: null,
          endKWh: null,
          energyKWh: null,
          endReason: null,
        },
        {
          id: a,
          twcId: "4142",
          vin: "5YJ3E1EA8KF000001",
          startedAt: "2026-11-23T12:00:00.000+00:00",
          endedAt: "2026-11-23T13:00:00.000+00:00",
          startKWh: 1000,
          endKWh: 1011.2,
          energyKWh: 11.2,
          endReason: "stopped",
        },
      ],
    });
    assert.equal(
      (await app.inject({ method: "GET", url: "/api/v2/sessions?limit=1" })).json<{ sessions: unknown[] }>()
        .sessions.length,
      1,
    );
    for (const q of ["0", "1001", "x"]) {
      const bad = await app.inject({ method: "GET", url: `/api/v2/sessions?limit=${q}` });
      assert.equal(bad.statusCode, 400);
      assert.deepEqual(bad.json(), { error: "limit must be between 1 and 1000" });
    }
    await app.close();
  });

  it("is empty without a history source", async () => {
    const { app } = v2App({});
    assert.deepEqual((await app.inject({ method: "GET", url: "/api/v2/sessions" })).json(), { sessions: [] });
    await app.close();
  });
});

describe("isoSeries", () => {
  it("equals isoLocal for every instant, across DST changes in several zones", () => {
    const zones = [
      "UTC",
      "Europe/Berlin",
      "America/New_York",
      "Australia/Lord_Howe",
      "Asia/Kathmandu",
      "America/St_Johns",
    ];
    for (const tz of zones) {
      for (const start of [
        Date.UTC(2026, 2, 5),
        Date.UTC(2026, 2, 25),
        Date.UTC(2026, 9, 1),
        Date.UTC(2026, 9, 22),
        Date.UTC(2026, 3, 1),
      ]) {
        const count = 12 * 24 * 10;
        const s = isoSeries(start, BUCKET_MS, count, tz);
        assert.equal(s.length, count);
        for (let i = 0; i < count; i++) assert.equal(s[i], isoLocal(start + i * BUCKET_MS, tz), `${tz} ${i}`);
      }
    }
  });
});
