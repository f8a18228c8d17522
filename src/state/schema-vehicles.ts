/**
 * TypeBox schemas of the vehicle parts of the state document (vehicles.md §2.13, our extension of
 * http-api.md §8.1) and of `GET /api/v2/vehicles`: the one source of their shape (state/types.ts derives
 * the types). No coordinates and no token ever appear here. Pure (typebox only).
 */
import { Type, type TNull, type TNumber, type TString, type TUnion } from "typebox";

const IsoOrNull = (description: string): TUnion<[TString, TNull]> => Type.Union([Type.String({ description }), Type.Null()]);
const NumOrNull = (description: string): TUnion<[TNumber, TNull]> => Type.Union([Type.Number({ description }), Type.Null()]);

/** The vehicle modules (vehicles.md §1.1) as a record's `source` / `syncSource`. */
function sourceSchema(description: string) {
  return Type.Union(
    [Type.Literal("TeslaAPI"), Type.Literal("TeslaBLE"), Type.Literal("TeslaMate"), Type.Literal("FleetTelemetry"), Type.Literal("HomeAssistant")],
    { description },
  );
}

/** The vehicle modules (vehicles.md §1.1) as a record's `source`. */
export const VehicleSourceSchema = sourceSchema("the module that serves the car");

/** The last command sent to a car and what came of it. */
export const VehicleCommandDocSchema = Type.Object({
  name: Type.Union([
    Type.Literal("charge_start"),
    Type.Literal("charge_stop"),
    Type.Literal("set_charging_amps"),
    Type.Literal("set_charge_limit"),
    Type.Literal("wake_up"),
  ]),
  body: Type.Union([Type.Record(Type.String(), Type.Number()), Type.Null()], { description: "the request body sent, e.g. {charging_amps: 8}" }),
  at: Type.String({ description: "when it was sent (ISO)" }),
  ok: Type.Boolean(),
  kind: Type.Union([Type.String(), Type.Null()], {
    description: "null when ok; else asleep, timeout, rate_limited, command_protocol_required, unauthorized, forbidden, network, malformed, refused, away, unavailable, server",
  }),
  reason: Type.Union([Type.String(), Type.Null()], { description: "the car's reason (e.g. already_set) or why it failed" }),
  status: Type.Union([Type.Integer(), Type.Null()], { description: "HTTP status when the cloud answered" }),
  fix: Type.Union([Type.String(), Type.Null()], { description: "what the user must do (command protocol, login), else null" }),
  via: Type.Union([sourceSchema("the module that sent it"), Type.Null()], { description: "the path that served it (the router's pick), null when unknown" }),
});

/** One car (vehicles.md §2.13): the live record without coordinates or tokens. */
export const VehicleDocSchema = Type.Object({
  vin: Type.String({ description: "17 characters: the key that links the car to a TWC" }),
  id: Type.Union([Type.Integer(), Type.Null()], { description: "Tesla product id (the Debug page's vehicleID)" }),
  name: Type.String(),
  source: VehicleSourceSchema,
  syncSource: sourceSchema("where the live values came from"),
  commandPath: Type.Union(
    [Type.Literal("proxy"), Type.Literal("fleetApi"), Type.Literal("ble"), Type.Literal("homeAssistant"), Type.Literal("none")],
    { description: "how commands reach the car: proxy = teslaProxy (signed), fleetApi = plain Fleet API (most cars refuse commands), none = read-only" },
  ),
  atHome: Type.Union([Type.Boolean(), Type.Null()], { description: "null while the position is unknown" }),
  batteryLevel: NumOrNull("state of charge, %"),
  chargeLimit: NumOrNull("the car's charge limit, %"),
  chargingState: Type.String({ description: "Charging, Complete, Disconnected, Stopped, NoPower, Starting; Unknown initially" }),
  timeToFullChargeH: NumOrNull("hours to full"),
  chargeCurrentRequestA: NumOrNull("the current the car asks for"),
  actualCurrentA: NumOrNull("the current the car draws"),
  scheduledChargingPending: Type.Boolean(),
  onlineState: Type.Union([Type.Literal("online"), Type.Literal("asleep"), Type.Literal("offline"), Type.Literal("waking"), Type.Literal("unknown")]),
  twcId: Type.Union([Type.String({ pattern: "^[0-9A-F]{4}$" }), Type.Null()], { description: "the TWC whose current or last VIN is this car" }),
  lastSeenAt: IsoOrNull("the last successful cloud access to the car"),
  updatedAt: IsoOrNull("when the charge data was read"),
  backoffUntil: IsoOrNull("while the car is in back-off: when requests resume"),
  stopAskingToStartCharging: Type.Boolean(),
  lastCommand: Type.Union([VehicleCommandDocSchema, Type.Null()]),
});

/** The Tesla account (vehicles.md §2.13 `teslaAccount`): never a token. */
export const TeslaAccountDocSchema = Type.Object({
  configured: Type.Boolean({ description: "teslaApiClientID and teslaApiRedirectUri are set" }),
  pkce: Type.Boolean({ description: "PKCE login (no client secret): no region selector" }),
  loggedIn: Type.Boolean({ description: "an access token is held" }),
  tokenExpiresAt: IsoOrNull("the access token's expiry"),
  tokenSync: Type.Boolean({ description: "tokens come from TeslaMate: no login form" }),
  proxy: Type.Boolean({ description: "teslaProxy is configured (commands are signed)" }),
  region: Type.Union([Type.Literal("NA"), Type.Literal("EU"), Type.Literal("CN")]),
});

/** A vehicle group of settings.VehicleGroups. */
export const VehicleGroupDocSchema = Type.Object({
  name: Type.String(),
  description: Type.String(),
  builtIn: Type.Boolean({ description: "Allow Charging / Deny Charging: cannot be deleted" }),
  members: Type.Array(Type.String()),
});

/** `GET /api/v2/vehicles`: the Vehicles page's data. */
export const VehiclesDocSchema = Type.Object({
  known: Type.Array(
    Type.Object({ vin: Type.String(), chargeSessions: Type.Integer(), totalKWh: Type.Number() }),
    { description: "settings.Vehicles (every VIN a TWC reported), sorted by VIN" },
  ),
  groups: Type.Array(VehicleGroupDocSchema, { description: "sorted by name" }),
  live: Type.Array(VehicleDocSchema, { description: "the same as the state document's vehicles" }),
  ble: Type.Boolean({ description: "the BLE module is loaded (pairing available)" }),
});
