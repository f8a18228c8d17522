/** What the vehicle pages say (vehicles.md §8): the last command's outcome, login results, the forms' checks, the car list. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { accountResult, detailVin, routeFor } from "../../../src/web/page-paths.ts";
import {
  checkCallbackUrl,
  checkGroup,
  checkTeslaCommand,
  checkTokens,
  commandOutcome,
  commandText,
  entitlementText,
  loginMessage,
  percentText,
  vehicleRows,
  type VehicleDoc,
} from "../../../src/web/vehicles-model.ts";

const VCP_FIX = "this car needs signed commands: configure teslaProxy (the vehicle-command HTTP proxy) with teslaProxyCert, or use TeslaBLE";

test("a command in the user's words, with its value", () => {
  assert.equal(commandText({ name: "set_charging_amps", body: { charging_amps: 8 } }), "Set charging amps to 8 A");
  assert.equal(commandText({ name: "set_charge_limit", body: { percent: 80 } }), "Set charge limit to 80 %");
  assert.equal(commandText({ name: "charge_stop", body: null }), "Stop charging");
});

test("a done command, with the car's reason when it gave one", () => {
  assert.equal(commandOutcome({ ok: true, kind: null, reason: null, fix: null }), "done");
  assert.equal(commandOutcome({ ok: true, kind: null, reason: "already_set", fix: null }), "done (already_set)");
});

test("a failed command says why and what to do, without repeating the fix", () => {
  assert.equal(
    commandOutcome({ ok: false, kind: "command_protocol_required", reason: `403 Tesla Vehicle Command Protocol required: ${VCP_FIX}`, fix: VCP_FIX }),
    `failed: the car needs signed commands. What to do: ${VCP_FIX}.`,
  );
  assert.equal(
    commandOutcome({ ok: false, kind: "timeout", reason: "408 vehicle unavailable: vehicle is offline or asleep", fix: null }),
    "failed: the car did not answer in time (408 vehicle unavailable: vehicle is offline or asleep).",
  );
  assert.equal(commandOutcome({ ok: false, kind: "refused", reason: "refused", fix: null }), "failed: the car refused.");
  // Without a fix the hint in brackets stays.
  assert.match(commandOutcome({ ok: false, kind: "command_protocol_required", reason: null, fix: null }), /\(configure teslaProxy or TeslaBLE\)\.$/);
});

test("every login result of §2.4 has its message; Tesla's own codes are named", () => {
  assert.equal(loginMessage("success").tone, "ok");
  assert.match(loginMessage("success").text, /teslaProxy/);
  for (const r of ["state_mismatch", "not_configured", "response_no_token", "error"]) assert.equal(loginMessage(r).tone, "error", r);
  assert.equal(loginMessage("invalid_grant").text, "Tesla reported an error: invalid_grant");
});

test("the paste-back field wants the whole callback address", () => {
  assert.match(checkCallbackUrl("") ?? "", /^Paste the address/);
  assert.match(checkCallbackUrl("https://x.example/cb?state=abc") ?? "", /no code=/);
  assert.match(checkCallbackUrl("https://x.example/cb?code=NA_1") ?? "", /no state=/);
  assert.equal(checkCallbackUrl("  https://x.example/cb?code=NA_1&state=abc&issuer=x  "), null);
});

test("manual tokens: at least one", () => {
  assert.match(checkTokens(" ", "") ?? "", /Enter an access token, a refresh token or both/);
  assert.equal(checkTokens("", "r"), null);
});

test("group names: given, at most 64 characters, no control characters, not taken", () => {
  const groups = [{ name: "Allow Charging", description: "", builtIn: true, members: [] }];
  assert.deepEqual(checkGroup("  ", groups), { group: "Enter a group name" });
  assert.match(checkGroup("x".repeat(65), groups).group ?? "", /at most 64/);
  assert.match(checkGroup("a\tb", groups).group ?? "", /control characters/);
  assert.deepEqual(checkGroup("Allow Charging", groups), { group: "A group named 'Allow Charging' already exists" });
  assert.deepEqual(checkGroup("Garage", groups), {});
});

test("entitlement follows the built-in groups and chargeAuthorizationMode", () => {
  const vin = "5YJ3E1EA8KF000001";
  const g = (name: string, members: string[]): { name: string; description: string; builtIn: boolean; members: string[] } => ({ name, description: "", builtIn: true, members });
  assert.match(entitlementText(vin, [g("Deny Charging", [vin])], 1), /^May not charge: it is in Deny Charging/);
  assert.match(entitlementText(vin, [g("Allow Charging", [])], 2), /^May not charge: authorisation mode 2/);
  assert.match(entitlementText(vin, [g("Allow Charging", [vin])], 2), /^May charge: it is in Allow Charging/);
  assert.match(entitlementText(vin, [], 1), /^May charge/);
});

test("the Debug command is checked as the server checks it, errors by field", () => {
  assert.deepEqual(checkTeslaCommand("setChargeRate", "1001", '{ "charge_rate": 8 }', 48), {});
  assert.deepEqual(checkTeslaCommand("setChargeRate", "", '{ "charge_rate": 8 }', 48), { vehicleID: "Choose a car" });
  assert.match(checkTeslaCommand("setChargeRate", "1001", '{ "charge_rate": 49 }', 48).parameters ?? "", /between 1 and 48/);
  assert.match(checkTeslaCommand("setChargeRate", "1001", '{ "charge_rate": 7.5 }', 48).parameters ?? "", /whole number/);
  assert.match(checkTeslaCommand("setChargeRate", "1001", "{ charge_rate: 8 }", 48).parameters ?? "", /must be JSON/);
  assert.deepEqual(checkTeslaCommand("wakeVehicle", "1001", "not json", 48), {}, "wake takes no parameters");
});

test("the car list: live cars and cars the chargers reported, one row per VIN, sorted by VIN", () => {
  const live = { vin: "5YJYGDEE0MF000002", name: "Blue" } as VehicleDoc;
  const rows = vehicleRows([live], [
    { vin: "5YJYGDEE0MF000002", chargeSessions: 2, totalKWh: 10 },
    { vin: "00000000000000000", chargeSessions: 1, totalKWh: 3 },
  ]);
  assert.deepEqual(rows.map((r) => [r.vin, r.name, r.live !== null, r.known?.chargeSessions ?? null]), [
    ["00000000000000000", "00000000000000000", false, 1],
    ["5YJYGDEE0MF000002", "Blue", true, 2],
  ]);
  assert.equal(percentText(null), "Unknown");
  assert.equal(percentText(54.4), "54 %");
});

test("page paths: vehicle detail, the account and its results, but not its form routes", () => {
  assert.equal(routeFor("/vehicleDetail/5yj3e1ea8kf000001")?.nav, "/vehicles");
  assert.equal(detailVin("/vehicleDetail/5yj3e1ea8kf000001"), "5YJ3E1EA8KF000001");
  assert.equal(routeFor("/teslaAccount")?.title, "Tesla account");
  assert.equal(accountResult("/teslaAccount/state_mismatch"), "state_mismatch");
  assert.equal(accountResult("/teslaAccount"), null);
  assert.equal(routeFor("/teslaAccount/saveToken"), null);
  assert.equal(routeFor("/teslaAccount/login"), null);
});
