/** Config validation of logging.CSV, logging.MySQL and logging.SQLite (issue 13 §3): upstream's keys. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfigText } from "./load.ts";
import { MySqlLogSchema } from "./schema.ts";

function load(logging: Record<string, unknown>): { config: ReturnType<typeof loadConfigText>["config"] | null; warnings: string[]; errors: string[] } {
  const raw = {
    config: { settingsPath: "/tmp/twcm-unused", wiringMaxAmpsAllTWCs: 32, minAmpsPerTWC: 6 },
    interface: { Dummy: { enabled: true } },
    logging,
  };
  try {
    const r = loadConfigText(JSON.stringify(raw));
    return { config: r.config, warnings: r.warnings, errors: [] };
  } catch (err) {
    return { config: null, warnings: [], errors: String((err as Error).message).split("\n") };
  }
}

const NO_MUTE = { chargeSessions: false, greenEnergy: false, slavePower: false, slaveStatus: false };

test("upstream's sample sections are accepted with their keys and mute; no 'not supported' warning", () => {
  const r = load({
    CSV: { enabled: true, path: "/var/lib/twcmanager/csv", mute: { ChargeSessions: false, GreenEnergy: true, SlavePower: false, SlaveStatus: false, DebugLogLevelGreaterThan: 1 } },
    MySQL: { enabled: true, host: "127.0.0.1", database: "twcmanager", username: "twcmanager", password: "twcmanager", mute: { SlaveStatus: true } },
    SQLite: { enabled: true, path: "/var/lib/twcmanager/twcmanager.sqlite" },
  });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(r.config?.logging.csv, { path: "/var/lib/twcmanager/csv", mute: { ...NO_MUTE, greenEnergy: true } });
  assert.deepEqual(r.config?.logging.mysql, {
    host: "127.0.0.1",
    port: 3306,
    database: "twcmanager",
    username: "twcmanager",
    password: "twcmanager",
    mute: { ...NO_MUTE, slaveStatus: true },
  });
  assert.deepEqual(r.config?.logging.sqlite, { path: "/var/lib/twcmanager/twcmanager.sqlite", mute: NO_MUTE });
});

test("disabled or absent sections are left out; SQLite's path is optional", () => {
  const off = load({ CSV: { enabled: false }, MySQL: { enabled: false, host: "x" } });
  assert.deepEqual(off.errors, []);
  assert.equal(off.config?.logging.csv, undefined);
  assert.equal(off.config?.logging.mysql, undefined);
  assert.equal(off.config?.logging.sqlite, undefined);
  assert.deepEqual(load({ SQLite: { enabled: true } }).config?.logging.sqlite, { path: null, mute: NO_MUTE });
});

test("bad input is an error naming the field; the password is never echoed", () => {
  assert.deepEqual(load({ CSV: { enabled: true } }).errors.filter((e) => e.includes("logging")), ["logging.CSV.path: is required"]);
  const my = load({ MySQL: { enabled: true, host: "db", port: 70000, password: 12345678 } });
  const lines = my.errors.filter((e) => e.includes("logging"));
  assert.ok(lines.some((l) => l.startsWith("logging.MySQL.database: is required")), lines.join("\n"));
  assert.ok(lines.some((l) => l.startsWith("logging.MySQL.username: is required")), lines.join("\n"));
  assert.ok(lines.some((l) => l.startsWith("logging.MySQL.port:")), lines.join("\n"));
  assert.ok(!lines.join("\n").includes("12345678"), "the password value is not shown");
  assert.equal((MySqlLogSchema.properties.password as { "x-secret"?: boolean })["x-secret"], true);
});

test("a port as a numeric string is taken quietly; unknown keys warn", () => {
  const r = load({ MySQL: { enabled: true, host: "db", port: "3307", database: "d", username: "u", colour: "blue" } });
  assert.equal(r.config?.logging.mysql?.port, 3307);
  assert.equal(r.config?.logging.mysql?.password, "");
  assert.deepEqual(r.warnings, ["logging.MySQL.colour: unknown key, ignored"]);
});
