/** The state document schema is the one source of the document's types (state/types.ts derives them). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Value } from "typebox/value";
import { AlertCodeSchema, AlertSchema } from "./schema.ts";
import { SessionDocSchema } from "./schema-history.ts";
import type { Alert, AlertCode, Charger, SessionDoc, StateDocument } from "./types.ts";

test("alert codes stay a closed list of literals in the schema and in the derived type", () => {
  const codes = AlertCodeSchema.anyOf.map((s) => s.const);
  assert.ok(codes.length >= 17);
  assert.ok(codes.includes("BUS_DISCONNECTED") && codes.includes("IMPLAUSIBLE_READING"));
  assert.equal(new Set(codes).size, codes.length, "no code twice");
  for (const c of codes) assert.ok(Value.Check(AlertCodeSchema, c));
  assert.equal(Value.Check(AlertCodeSchema, "NOT_A_CODE"), false);
  // @ts-expect-error an unknown code is not an AlertCode (the derived type is not widened to string)
  const unknown: AlertCode = "NOT_A_CODE";
  assert.equal(typeof unknown, "string");
});

test("optional stays optional and nullable stays required in the derived types", () => {
  const alert: Alert = { code: "NO_CHARGERS", severity: "warning", message: "m", since: "s" };
  assert.ok(Value.Check(AlertSchema, alert), "twcId may be left out");
  // @ts-expect-error twcId is optional, not `string | undefined` (exactOptionalPropertyTypes)
  const withUndefined: Alert = { ...alert, twcId: undefined };
  assert.ok(withUndefined);
  // @ts-expect-error endKWh is `number | null`, never absent (the web's copy once lost it)
  const session: SessionDoc = {
    id: 1,
    twcId: "4142",
    vin: null,
    startedAt: "s",
    endedAt: null,
    startKWh: null,
    energyKWh: null,
    endReason: null,
  };
  assert.equal(Value.Check(SessionDocSchema, session), false);
  assert.ok(Value.Check(SessionDocSchema, { ...session, endKWh: null }));
  const offered: Charger["ampsOffered"] = null;
  const mode: StateDocument["mode"] = "monitor";
  // @ts-expect-error the mode is a literal union
  const badMode: StateDocument["mode"] = "other";
  assert.deepEqual([offered, mode, typeof badMode], [null, "monitor", "string"]);
});
