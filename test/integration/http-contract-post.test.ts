/**
 * HTTP contract tests (design.md §14 tier 3) for the legacy POST endpoints: one test per validation row
 * of http-api.md §7, the body rules of §4.3, success codes and bodies, and the documented effects as
 * seen through the GET endpoints and the simulated bus. Real product, FakeClock at 23:00 local time.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { FakeClock } from "../../src/shared/clock.ts";
import { advanceUntil, localInstant, startHarness, type Harness } from "./http-harness.ts";

const JSON_TYPE = "application/json; charset=utf-8";

let h: Harness;
let clock: FakeClock;

before(async () => {
  clock = new FakeClock(localInstant(23));
  h = await startHarness({ clock });
  await advanceUntil(clock, () => h.product.engine.state.snapshot.chargers[0]?.ampsOffered != null);
});

after(async () => {
  await h.stop();
});

interface Answer {
  status: number;
  text: string;
  type: string | null;
  headers: Headers;
}

async function post(name: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const raw =
    body === undefined
      ? undefined
      : typeof body === "string" || body instanceof Uint8Array
        ? body
        : JSON.stringify(body);
  const res = await fetch(h.url(`/api/${name}`), {
    method: "POST",
    headers,
    ...(raw !== undefined ? { body: raw } : {}),
  });
  return {
    status: res.status,
    text: await res.text(),
    type: res.headers.get("content-type"),
    headers: res.headers,
  };
}

async function status(): Promise<Record<string, unknown>> {
  return (await (await fetch(h.url("/api/getStatus"))).json()) as Record<string, unknown>;
}

/** Asserts a JSON error answer. */
function assertError(a: Answer, code: number, message: string, what = message): void {
  assert.equal(a.status, code, `${what}: status (body ${a.text})`);
  assert.equal(a.type, JSON_TYPE, what);
  assert.equal(a.text, JSON.stringify({ error: message }), what);
  assert.equal(a.headers.get("cache-control"), "no-store", what);
}

/** One validation row: body → expected 400 message (or other status). */
type Row = [body: unknown, message: string, status?: number];

function rows(endpoint: string, table: Row[]): void {
  for (const [body, message, code] of table) {
    test(`${endpoint} ${JSON.stringify(body)} → ${code ?? 400} ${message}`, async () => {
      assertError(await post(endpoint, body), code ?? 400, message);
    });
  }
}

const BODY_ENDPOINTS = [
  "chargeNow",
  "addConsumptionOffset",
  "deleteConsumptionOffset",
  "setConsumptionOffset",
  "setSetting",
  "setScheduledChargingSettings",
  "setLatLon",
  "setPolicy",
  "sendDebugCommand",
];

describe("§4.3 body parsing, for every endpoint that takes a body", () => {
  const cases: [string, string | Uint8Array, RegExp | string][] = [
    ["malformed JSON", '{"a":', /^Invalid JSON: /],
    ["NaN", '{"a": NaN}', /^Invalid JSON: /],
    ["Infinity", '{"a": Infinity}', /^Invalid JSON: /],
    ["trailing garbage", "{} x", /^Invalid JSON: /],
    ["an array", "[1,2]", "JSON must be an object, not an array or primitive"],
    ["a string", '"x"', "JSON must be an object, not an array or primitive"],
    ["a number", "42", "JSON must be an object, not an array or primitive"],
    ["null", "null", "JSON must be an object, not an array or primitive"],
    ["true", "true", "JSON must be an object, not an array or primitive"],
    [
      "invalid UTF-8",
      Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
      "Invalid JSON: body is not valid UTF-8",
    ],
    ["nesting deeper than 32", `{"a":${"[".repeat(40)}${"]".repeat(40)}}`, "Invalid JSON: nesting too deep (limit 32 levels)"],
    ["__proto__", '{"__proto__":{"x":1}}', "Invalid JSON: forbidden property name"],
    [
      "constructor.prototype",
      '{"x":{"constructor":{"prototype":{}}}}',
      "Invalid JSON: forbidden property name",
    ],
  ];
  for (const endpoint of BODY_ENDPOINTS) {
    test(`${endpoint}: malformed bodies → 400 with our message, whatever the Content-Type`, async () => {
      for (const [what, body, expected] of cases) {
        for (const ct of ["application/json", "application/x-www-form-urlencoded", "text/plain", "bogus"]) {
          const a = await post(endpoint, body, { "Content-Type": ct });
          assert.equal(a.status, 400, `${endpoint} ${what} (${ct}): ${a.text}`);
          assert.equal(a.type, JSON_TYPE);
          const msg = (JSON.parse(a.text) as { error: string }).error;
          if (typeof expected === "string") assert.equal(msg, expected, `${endpoint} ${what}`);
          else assert.match(msg, expected, `${endpoint} ${what}`);
        }
      }
    });
  }

  test("a body exactly 32 levels deep is accepted (extra fields are ignored); 33 levels → 400 naming the limit", async () => {
    // The body object is level 1, so `extra` nests 31 more levels for 32 in all.
    const deep = (levels: number): string =>
      `{"chargeNowRate":8,"chargeNowDuration":60,"extra":${'{"a":'.repeat(levels - 1)}1${"}".repeat(levels - 1)}}`;
    const ok = await post("chargeNow", deep(32));
    assert.equal(ok.status, 200, ok.text);
    assertError(await post("chargeNow", deep(33)), 400, "Invalid JSON: nesting too deep (limit 32 levels)");
    assert.equal((await post("cancelChargeNow", "")).status, 200);
  });

  test("a leading BOM is ignored and an empty or whitespace body counts as {}", async () => {
    assertError(await post("chargeNow", "\uFEFF{}"), 400, "chargeNowRate is required");
    assertError(await post("chargeNow", ""), 400, "chargeNowRate is required");
    assertError(await post("chargeNow", " \n\t "), 400, "chargeNowRate is required");
    assertError(await post("chargeNow"), 400, "chargeNowRate is required", "no body at all");
  });

  test("huge numbers and wrong types name the field", async () => {
    assertError(await post("chargeNow", '{"chargeNowRate":1e400}'), 400, "chargeNowRate must be a number");
    assertError(await post("chargeNow", { chargeNowRate: [16] }), 400, "chargeNowRate must be a number");
    assertError(await post("chargeNow", { chargeNowRate: { v: 16 } }), 400, "chargeNowRate must be a number");
    assertError(await post("setLatLon", { lat: "1e999", lon: 0 }), 400, "lat must be a number");
    assertError(await post("setLatLon", { lat: "0x10", lon: 0 }), 400, "lat must be a number");
  });

  test("duplicate keys: the last one wins; unknown fields are ignored", async () => {
    const a = await post(
      "chargeNow",
      '{"chargeNowRate":99,"chargeNowRate":"8","chargeNowDuration":60,"extra":[1]}',
    );
    assert.equal(a.status, 200, a.text);
    assert.equal(a.text, '{"status":"success","rate":8,"duration":60}');
    await post("cancelChargeNow");
  });

  test("endpoints without a body ignore whatever they are sent", async () => {
    for (const endpoint of ["cancelChargeNow", "checkArrival", "checkDeparture", "saveSettings"]) {
      for (const body of ["not json at all", "[1]", "\xff\xfe"]) {
        const a = await post(endpoint, body);
        assert.ok(
          a.status === 200 || a.status === 202 || a.status === 204,
          `${endpoint}: ${a.status} ${a.text}`,
        );
      }
    }
  });
});

describe("§7.1 chargeNow", () => {
  rows("chargeNow", [
    [{}, "chargeNowRate is required"],
    [{ chargeNowRate: null, chargeNowDuration: 60 }, "chargeNowRate is required"],
    [{ chargeNowRate: "abc", chargeNowDuration: 60 }, "chargeNowRate must be a number"],
    [{ chargeNowRate: true, chargeNowDuration: 60 }, "chargeNowRate must be a number"],
    [{ chargeNowRate: "", chargeNowDuration: 60 }, "chargeNowRate must be a number"],
    // issue 12 §10: one rule with the web form — at least minAmpsPerTWC (6 here), at most the wiring limit.
    [{ chargeNowRate: 0, chargeNowDuration: 60 }, "chargeNowRate must be between 6 and 32"],
    [{ chargeNowRate: 3, chargeNowDuration: 60 }, "chargeNowRate must be between 6 and 32"],
    [{ chargeNowRate: 33, chargeNowDuration: 60 }, "chargeNowRate must be between 6 and 32"],
    [{ chargeNowRate: "16" }, "chargeNowDuration is required"],
    [{ chargeNowRate: 16, chargeNowDuration: null }, "chargeNowDuration is required"],
    [{ chargeNowRate: 16, chargeNowDuration: "1h" }, "chargeNowDuration must be a number"],
    [{ chargeNowRate: 16, chargeNowDuration: 0 }, "chargeNowDuration must be between 1 and 31622400"],
    [{ chargeNowRate: 16, chargeNowDuration: 31622401 }, "chargeNowDuration must be between 1 and 31622400"],
  ]);

  test("success: 200 with the coerced values; the very next getStatus shows Charge Now; cancel reverts", async () => {
    const nowS = clock.now() / 1000;
    const a = await post("chargeNow", { chargeNowRate: "16.9", chargeNowDuration: "3600" });
    assert.equal(a.status, 200);
    assert.equal(a.type, JSON_TYPE);
    assert.equal(a.text, '{"status":"success","rate":16,"duration":3600}');
    const s = await status();
    assert.equal(s.currentPolicy, "Charge Now");
    assert.equal(s.maxAmpsToDivideAmongSlaves, "16.00");
    assert.equal(s.chargeNowAmps, 16);
    assert.equal(s.chargeNowTimeEnd, nowS + 3600);
    assert.deepEqual(Object.keys(s).slice(-2), ["chargeNowTimeEnd", "chargeNowAmps"]);
    assert.equal(await (await fetch(h.url("/api/getActivePolicyAction"))).text(), "1");

    const c = await post("cancelChargeNow");
    assert.equal(c.status, 200);
    assert.equal(c.type, JSON_TYPE);
    assert.equal(c.text, '{"status":"success"}');
    const s2 = await status();
    assert.equal(s2.currentPolicy, "Non Scheduled Charging");
    assert.equal(s2.maxAmpsToDivideAmongSlaves, "0.00");
    assert.equal(s2.chargeNowAmps, undefined);
    assert.equal(s2.chargeNowTimeEnd, undefined);
  });
});

describe("§7.3/7.4 sendStartCommand, sendStopCommand", () => {
  test("204 and FC B1 / FC B2 reach the simulated slave", async () => {
    const bus = h.product.simBus!;
    for (const [endpoint, kind] of [
      ["sendStartCommand", "startCharging"],
      ["sendStopCommand", "stopCharging"],
    ] as const) {
      const seen = bus.expectFrame((f) => f.kind === kind, 10_000);
      const a = await post(endpoint);
      assert.equal(a.status, 204, `${endpoint}: ${a.text}`);
      assert.equal(a.text, "");
      await clock.advanceAsync(3000, 20);
      const f = await seen;
      assert.equal(f.kind, kind);
    }
  });
});

describe("§7.5 addConsumptionOffset", () => {
  rows("addConsumptionOffset", [
    [{}, "offsetName is required"],
    [{ offsetName: null }, "offsetName is required"],
    [{ offsetName: 5, offsetValue: 1, offsetUnit: "W" }, "offsetName must be a string"],
    [{ offsetName: "   ", offsetValue: 1, offsetUnit: "W" }, "offsetName must not be empty"],
    [
      { offsetName: "x".repeat(32), offsetValue: 1, offsetUnit: "W" },
      "offsetName must be at most 31 characters",
    ],
    [{ offsetName: "a/b", offsetValue: 1, offsetUnit: "W" }, "offsetName contains a forbidden character '/'"],
    [{ offsetName: "a<b", offsetValue: 1, offsetUnit: "W" }, "offsetName contains a forbidden character '<'"],
    [
      { offsetName: "a\u0001b", offsetValue: 1, offsetUnit: "W" },
      "offsetName contains a forbidden character '\u0001'",
    ],
    [{ offsetName: "pool" }, "offsetValue is required"],
    [{ offsetName: "pool", offsetValue: null, offsetUnit: "W" }, "offsetValue is required"],
    [{ offsetName: "pool", offsetValue: "lots", offsetUnit: "W" }, "offsetValue must be a number"],
    [
      { offsetName: "pool", offsetValue: 1000001, offsetUnit: "W" },
      "offsetValue must be between -1000000 and 1000000",
    ],
    [
      { offsetName: "pool", offsetValue: -1000001, offsetUnit: "W" },
      "offsetValue must be between -1000000 and 1000000",
    ],
    [{ offsetName: "pool", offsetValue: 5 }, "offsetUnit is required"],
    [{ offsetName: "pool", offsetValue: 5, offsetUnit: "kW" }, 'offsetUnit must be "A" or "W"'],
    [{ offsetName: "pool", offsetValue: 5, offsetUnit: "w" }, 'offsetUnit must be "A" or "W"'],
  ]);

  test("success, value 0 accepted, insertion order kept for integer-like names, delete", async () => {
    const names = ["Zeta", "10", "2", "alpha"];
    for (const [i, name] of names.entries()) {
      const a = await post("addConsumptionOffset", {
        offsetName: name,
        offsetValue: i === 1 ? 0 : `${i}.5`,
        offsetUnit: i % 2 ? "A" : "W",
      });
      assert.equal(a.status, 200, a.text);
      assert.equal(a.type, JSON_TYPE);
      assert.equal(
        a.text,
        JSON.stringify({
          status: "success",
          offsetName: name,
          offsetValue: i === 1 ? 0 : i + 0.5,
          offsetUnit: i % 2 ? "A" : "W",
        }),
      );
    }
    const list = JSON.parse(await (await fetch(h.url("/api/getConsumptionOffsets"))).text()) as Record<
      string,
      unknown
    >;
    assert.deepEqual(list, {
      Zeta: { value: 0.5, unit: "W" },
      "10": { value: 0, unit: "A" },
      "2": { value: 2.5, unit: "W" },
      alpha: { value: 3.5, unit: "A" },
    });

    assertError(await post("deleteConsumptionOffset", { offsetName: "nope" }), 404, "Offset not found");
    for (const name of names) {
      const d = await post("deleteConsumptionOffset", { offsetName: name });
      assert.equal(d.status, 200);
      assert.equal(d.text, JSON.stringify({ status: "success", offsetName: name }));
    }
    assert.equal(await (await fetch(h.url("/api/getConsumptionOffsets"))).text(), "{}");
  });

  test(
    "getConsumptionOffsets keeps insertion order for integer-like names (§6.6)",
    async () => {
      for (const name of Object.keys(h.product.settings.get().consumptionOffset))
        await post("deleteConsumptionOffset", { offsetName: name });
      for (const name of ["Zeta", "10", "2"])
        await post("addConsumptionOffset", { offsetName: name, offsetValue: 1, offsetUnit: "W" });
      const text = await (await fetch(h.url("/api/getConsumptionOffsets"))).text();
      const v2 = await (await fetch(h.url("/api/v2/settings"))).text();
      for (const name of ["Zeta", "10", "2"]) await post("deleteConsumptionOffset", { offsetName: name });
      assert.ok(
        v2.includes('"consumptionOffset":{"Zeta":{"value":1,"unit":"W"},"10":{"value":1,"unit":"W"},"2":{"value":1,"unit":"W"}}'),
        v2,
      );
      assert.equal(
        text,
        '{"Zeta":{"value":1,"unit":"W"},"10":{"value":1,"unit":"W"},"2":{"value":1,"unit":"W"}}',
      );
    },
  );

  test("at most 64 offsets: a 65th new name → 400, replacing an existing one is fine", async () => {
    for (const name of Object.keys(h.product.settings.get().consumptionOffset))
      await post("deleteConsumptionOffset", { offsetName: name });
    for (let i = 0; i < 64; i++) {
      const a = await post("addConsumptionOffset", { offsetName: `o${i}`, offsetValue: 0, offsetUnit: "W" });
      assert.equal(a.status, 200, a.text);
    }
    assertError(
      await post("addConsumptionOffset", { offsetName: "one-too-many", offsetValue: 0, offsetUnit: "W" }),
      400,
      "Too many consumption offsets (maximum 64)",
    );
    assert.equal(
      (await post("addConsumptionOffset", { offsetName: "o0", offsetValue: 1, offsetUnit: "W" })).status,
      200,
    );
    for (let i = 0; i < 64; i++)
      assert.equal((await post("deleteConsumptionOffset", { offsetName: `o${i}` })).status, 200);
  });
});

describe("§7.6 deleteConsumptionOffset", () => {
  rows("deleteConsumptionOffset", [
    [{}, "offsetName is required and must be a string"],
    [{ offsetName: null }, "offsetName is required and must be a string"],
    [{ offsetName: 7 }, "offsetName is required and must be a string"],
    [{ offsetName: "" }, "offsetName is required and must be a string"],
    [{ offsetName: "unknown" }, "Offset not found", 404],
  ]);
});

describe("§7.7 setConsumptionOffset", () => {
  rows("setConsumptionOffset", [
    [{}, "offset is required"],
    [{ offset: null }, "offset is required"],
    [{ offset: "x" }, "offset must be a number"],
    [{ offset: 1001 }, "offset must be between -1000 and 1000"],
    [{ offset: -1001 }, "offset must be between -1000 and 1000"],
  ]);

  test("204 and stored as settings.greenEnergyAmpsOffset", async () => {
    const a = await post("setConsumptionOffset", { offset: "1.05" });
    assert.equal(a.status, 204);
    assert.equal(a.text, "");
    assert.equal(h.product.settings.get().greenEnergyAmpsOffset, 1.05);
    assert.equal((await post("setConsumptionOffset", { offset: 0 })).status, 204);
  });
});

describe("§7.8 saveSettings", () => {
  test("204 once settings.json is on disk", async () => {
    await post("setSetting", { setting: "myMarker", value: "saved-now" });
    const a = await post("saveSettings");
    assert.equal(a.status, 204);
    const file = JSON.parse(await readFile(join(h.settingsDir, "settings.json"), "utf8")) as Record<
      string,
      unknown
    >;
    assert.equal(file.myMarker, "saved-now");
  });
});

describe("§7.9 setSetting", () => {
  rows("setSetting", [
    [{}, "setting is required"],
    [{ setting: null, value: 1 }, "setting is required"],
    [{ setting: 5, value: 1 }, "setting must be a string"],
    [
      { setting: "", value: 1 },
      "setting must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter",
    ],
    [
      { setting: "1abc", value: 1 },
      "setting must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter",
    ],
    [
      { setting: "a b", value: 1 },
      "setting must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter",
    ],
    [
      { setting: "a".repeat(65), value: 1 },
      "setting must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter",
    ],
    [
      { setting: "constructor", value: 1 },
      "setting must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter",
    ],
    [
      { setting: "prototype", value: 1 },
      "setting must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter",
    ],
    [
      { setting: "consumptionOffset", value: {} },
      "setting 'consumptionOffset' cannot be changed with setSetting",
    ],
    [
      { setting: "installationNodeId", value: "1" },
      "setting 'installationNodeId' cannot be changed with setSetting",
    ],
    [{ setting: "SlaveTWCs", value: {} }, "setting 'SlaveTWCs' cannot be changed with setSetting"],
    [{ setting: "nonScheduledAmpsMax" }, "value is required"],
    [{ setting: "nonScheduledAmpsMax", value: null }, "value must not be null"],
    [{ setting: "nonScheduledAction", value: 4 }, "value for 'nonScheduledAction' must be 1, 2 or 3"],
    [{ setting: "myBlob", value: "x".repeat(5000) }, "value is too large (maximum 4096 bytes)"],
  ]);

  test('typed keys are stored with their type: "16" → 16, sendServerTime true → 1', async () => {
    assert.equal((await post("setSetting", { setting: "nonScheduledAmpsMax", value: "16" })).status, 204);
    assert.equal(h.product.settings.get().nonScheduledAmpsMax, 16);
    const a = await post("setSetting", { setting: "sendServerTime", value: true });
    assert.equal(a.status, 204);
    assert.equal(a.text, "");
    assert.equal(h.product.settings.get().sendServerTime, 1);
    const s = await status();
    assert.match(s.currentServerTime as string, /^2026-11-2\d, \d\d:\d\d&nbsp;\|&nbsp;$/);
    assert.equal(Object.keys(s)[5], "currentServerTime");
    // Every successful setSetting evaluates the policy at once: 16 A now for Non Scheduled Charging.
    assert.equal(s.maxAmpsToDivideAmongSlaves, "16.00");
    assert.equal((await post("setSetting", { setting: "sendServerTime", value: "off" })).status, 204);
    assert.equal((await status()).currentServerTime, undefined);
    assert.equal((await post("setSetting", { setting: "nonScheduledAmpsMax", value: 0 })).status, 204);
  });

  test("custom keys keep their JSON value; at most 128 of them", async () => {
    assert.equal((await post("setSetting", { setting: "custom.obj", value: { a: [1, "b"] } })).status, 204);
    assert.deepEqual(h.product.settings.get()["custom.obj"], { a: [1, "b"] });
    // Custom keys stored so far by this file: myMarker (saveSettings) and custom.obj.
    let added = 0;
    for (; added < 300; added++) {
      const a = await post("setSetting", { setting: `customKey${added}`, value: added });
      if (a.status !== 204) {
        assertError(a, 400, "Too many custom settings (maximum 128)");
        break;
      }
    }
    assert.equal(2 + added, 128);
    assertError(
      await post("setSetting", { setting: "customOneTooMany", value: 1 }),
      400,
      "Too many custom settings (maximum 128)",
    );
    assert.equal((await post("setSetting", { setting: "custom.obj", value: "replace is fine" })).status, 204);
  });
});

describe("§7.10 setScheduledChargingSettings", () => {
  rows("setScheduledChargingSettings", [
    [{ enabled: "maybe" }, "enabled must be a boolean"],
    [{ enabled: true, startingMinute: "x" }, "startingMinute must be a number"],
    [{ enabled: true, startingMinute: 1440 }, "startingMinute must be between -1 and 1439"],
    [{ enabled: true, startingMinute: -2 }, "startingMinute must be between -1 and 1439"],
    [{ enabled: true, endingMinute: 1440 }, "endingMinute must be between -1 and 1439"],
    [{ enabled: true, amps: 33 }, "amps must be 0 (off), or at least 6 and at most 32"],
    [{ enabled: true, amps: -1 }, "amps must be 0 (off), or at least 6 and at most 32"],
    [{ enabled: true, amps: 3 }, "amps must be 0 (off), or at least 6 and at most 32"],
    [{ monday: "sometimes" }, "monday must be a boolean"],
    [{ sunday: 2 }, "sunday must be a boolean"],
    [{ flexStartEnabled: "x" }, "flexStartEnabled must be a boolean"],
    [{ flexBatterySize: 0 }, "flexBatterySize must be greater than 0 and at most 1000"],
    [{ flexBatterySize: 1001 }, "flexBatterySize must be greater than 0 and at most 1000"],
    [
      { enabled: true, startingMinute: 600, endingMinute: 600, amps: 16, monday: true },
      "startingMinute and endingMinute must differ",
    ],
  ]);

  test("202 (empty body); getStatus.ScheduledCharging reflects the schedule; minutes are kept", async () => {
    const a = await post("setScheduledChargingSettings", {
      enabled: "true",
      startingMinute: 1350,
      endingMinute: "390",
      amps: 24,
      monday: true,
      wednesday: "yes",
      sunday: 1,
      flexStartEnabled: false,
      flexBatterySize: "75",
    });
    assert.equal(a.status, 202, a.text);
    assert.equal(a.text, "");
    const s = await status();
    assert.equal(s.scheduledChargingStartHour, 22);
    assert.equal(s.scheduledChargingFlexStart, 22.5);
    assert.equal(s.scheduledChargingEndHour, 6.5);
    assert.deepEqual(s.ScheduledCharging, {
      enabled: true,
      amps: 24,
      startingMinute: 1350,
      endingMinute: 390,
      monday: true,
      tuesday: false,
      wednesday: true,
      thursday: false,
      friday: false,
      saturday: false,
      sunday: true,
      flexStartEnabled: 0,
      flexStartingMinute: 1350,
      flexEndingMinute: 390,
      flexMonday: true,
      flexTuesday: false,
      flexWednesday: true,
      flexThursday: false,
      flexFriday: false,
      flexSaturday: false,
      flexSunday: true,
      flexBatterySize: 75,
    });
    // 23:00 on Monday is inside the Monday 22:30–06:30 window: the schedule is active at once.
    assert.equal(s.currentPolicy, "Scheduled Charging");
    assert.equal(s.maxAmpsToDivideAmongSlaves, "24.00");

    assert.equal((await post("setScheduledChargingSettings", { enabled: false })).status, 202);
    const off = await status();
    assert.equal((off.ScheduledCharging as Record<string, unknown>).enabled, false);
    assert.equal(off.scheduledChargingStartHour, -1);
    assert.equal(off.currentPolicy, "Non Scheduled Charging");
  });
});

describe("§7.11 setLatLon", () => {
  rows("setLatLon", [
    [{}, "lat is required"],
    [{ lat: null, lon: 0 }, "lat is required"],
    [{ lat: "north", lon: 0 }, "lat must be a number"],
    [{ lat: 90.5, lon: 0 }, "lat must be between -90 and 90"],
    [{ lat: 0 }, "lon is required"],
    [{ lat: 0, lon: "east" }, "lon must be a number"],
    [{ lat: 0, lon: -180.1 }, "lon must be between -180 and 180"],
  ]);

  test("204; stored as numbers", async () => {
    const a = await post("setLatLon", { lat: "52.52", lon: 13.405 });
    assert.equal(a.status, 204);
    assert.equal(h.product.settings.get().homeLat, 52.52);
    assert.equal(h.product.settings.get().homeLon, 13.405);
  });
});

describe("§7.12 setPolicy", () => {
  rows("setPolicy", [
    [{}, "policy field is required"],
    [{ policy: null }, "policy field is required"],
    [{ policy: 3 }, "policy must be a string"],
    [{ policy: "  " }, "policy cannot be empty"],
    [{ policy: "Nope" }, "Policy 'Nope' not found", 400],
    [{ policy: "charge now" }, "Policy 'charge now' not found", 400],
  ]);

  test("200; in force at once; holds for one check interval, then normal evaluation resumes", async () => {
    const a = await post("setPolicy", { policy: "Track Green Energy" });
    assert.equal(a.status, 200);
    assert.equal(a.type, JSON_TYPE);
    assert.equal(a.text, '{"status":"success","policy":"Track Green Energy"}');
    const s = await status();
    assert.equal(s.currentPolicy, "Track Green Energy");
    assert.equal(s.isGreenPolicy, "Yes");
    assert.equal(await (await fetch(h.url("/api/getActivePolicyAction"))).text(), "3");
    await clock.advanceAsync(31_000, 50);
    assert.equal((await status()).currentPolicy, "Non Scheduled Charging");
  });
});

describe("§7.13 sendDebugCommand", () => {
  rows("sendDebugCommand", [
    [{}, "commandName is required and must be a string"],
    [{ commandName: "" }, "commandName is required and must be a string"],
    [{ commandName: 1 }, "commandName is required and must be a string"],
    [{ commandName: "Reboot" }, "Unknown commandName 'Reboot'"],
    [{ commandName: "Custom" }, "customCommand is required when commandName is Custom"],
    [{ commandName: "Custom", customCommand: "" }, "customCommand is required when commandName is Custom"],
    [{ commandName: "Custom", customCommand: "zz" }, "customCommand must be hexadecimal bytes (2 to 32)"],
    [{ commandName: "Custom", customCommand: "FB" }, "customCommand must be hexadecimal bytes (2 to 32)"],
    [{ commandName: "Custom", customCommand: "FB1" }, "customCommand must be hexadecimal bytes (2 to 32)"],
    [
      { commandName: "Custom", customCommand: "00".repeat(33) },
      "customCommand must be hexadecimal bytes (2 to 32)",
    ],
    [{ commandName: "GetFirmwareVersion", twcID: "12" }, "twcID must be 4 hexadecimal digits"],
    [{ commandName: "GetFirmwareVersion", twcID: 4142 }, "twcID must be 4 hexadecimal digits"],
    [
      { commandName: "GetFirmwareVersion" },
      "Debug commands are disabled (settings.enableDebugCommands)",
      403,
    ],
  ]);

  test("guards once enabled: dangerous frames 403, unknown TWC 404", async () => {
    assert.equal((await post("setSetting", { setting: "enableDebugCommands", value: true })).status, 204);
    for (const cmd of ["FC 19 00 00", "fc1a", "FB:E8:00", "FB E0 77 77 41 42 02 00 00 00 00 00 00"]) {
      assertError(
        await post("sendDebugCommand", { commandName: "Custom", customCommand: cmd }),
        403,
        "Command refused: it may disable or crash the TWC",
        cmd,
      );
    }
    assertError(
      await post("sendDebugCommand", { commandName: "GetFirmwareVersion", twcID: "1234" }),
      404,
      "TWC '1234' not found",
    );
  });

  test("GetFirmwareVersion reaches the bus; getLastTWCResponse returns the simulator's FD 1B reply as hex", async () => {
    const bus = h.product.simBus!;
    const sent = bus.expectFrame((f) => f.kind === "firmwareRequest", 10_000);
    const a = await post("sendDebugCommand", { commandName: "GetFirmwareVersion", twcID: "4142" });
    assert.equal(a.status, 204, a.text);
    await clock.advanceAsync(3000, 20);
    await sent;
    const text = await (await fetch(h.url("/api/getLastTWCResponse"))).text();
    assert.match(text, /^FD 1B 41 42( [0-9A-F]{2})+$/);
  });

  test("a custom frame is queued (204)", async () => {
    const a = await post("sendDebugCommand", {
      commandName: "Custom",
      customCommand: "FB 1B 77 77 41 42 00 00 00 00 00 00 00 00",
    });
    assert.equal(a.status, 204, a.text);
    await clock.advanceAsync(2000, 20);
  });

  test("a heartbeat or limit command above the wiring limit → 400 naming the rule, and nothing of it reaches the bus (S-1)", async () => {
    const bus = h.product.simBus!;
    const from = bus.receivedFrames.length;
    const refused: [string, string][] = [
      ["FBE077774142 09FFFF 000000000000", "per-twc-limit"], // the 655.35 A
      ["FB E0 77 77 41 42 05 FF FF 00 00 00 00 00 00", "per-twc-limit"],
      ["FBE077774142 080D48 000000000000", "per-twc-limit"], // 34 A
      ["FBE077774142 060000 000000000000", "raise-command"],
      ["FBE07777FFFF 090258 000000000000", "receiver"],
      ["FBE077771234 090258 000000000000", "receiver"],
    ];
    for (const [cmd, rule] of refused) {
      const a = await post("sendDebugCommand", { commandName: "Custom", customCommand: cmd });
      assert.equal(a.status, 400, `${cmd}: ${a.text}`);
      const message = (JSON.parse(a.text) as { error: string }).error;
      assert.ok(message.startsWith(`customCommand refused (${rule}): `), `${cmd}: ${message}`);
    }
    const ok = await post("sendDebugCommand", { commandName: "Custom", customCommand: "FBE077774142 090258 000000000000" });
    assert.equal(ok.status, 204, "6 A to the linked TWC is within every limit");
    await clock.advanceAsync(3000, 20);
    const heartbeats = bus.receivedFrames.slice(from).filter((f) => f.kind === "masterHeartbeat" || (f.kind === "unknown" && f.type === 0xfbe0));
    assert.ok(heartbeats.length > 0);
    for (const f of heartbeats) {
      assert.ok(f.kind === "masterHeartbeat", `only decodable heartbeats reach the bus: ${JSON.stringify(f)}`);
      assert.ok(f.command.code === 0 || f.command.code === 0x05 || f.command.code === 0x09, `command ${f.command.code}`);
      if (f.command.code !== 0) assert.ok(f.command.centiAmps <= 3200, `${f.command.centiAmps / 100} A on the wire`);
      assert.equal(f.receiver, 0x4142);
    }
  });
});

describe("§7.14/7.15 checkArrival, checkDeparture, sendTeslaAPICommand", () => {
  test("checkArrival and checkDeparture → 202 with an empty body", async () => {
    for (const endpoint of ["checkArrival", "checkDeparture"]) {
      const a = await post(endpoint, { anything: 1 });
      assert.equal(a.status, 202);
      assert.equal(a.text, "");
    }
  });

  // http-api.md §7.15 applies unchanged without a vehicle module (vehicles.md intro); with the Fleet
  // API module, vehicles.md §8.5 (test/integration/http-vehicles.test.ts).
  test("sendTeslaAPICommand without a vehicle module → 501 whatever the body", async () => {
    for (const body of [undefined, { commandName: "wakeVehicle" }, { commandName: "setChargeRate", vehicleID: "1", parameters: '{"charge_rate":5}' }, "garbage", "[1]"]) {
      assertError(await post("sendTeslaAPICommand", body), 501, "No vehicle API module is configured");
    }
  });
});
