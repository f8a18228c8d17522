/**
 * Validation of simulator definitions read from JSON (sim.json of `twcmanager sim --config`):
 * `unknown` in, typed `SimSlaveDefInput` out, or TwcError CONFIG_INVALID naming the field.
 */
import { TwcError } from "../shared/errors.ts";
import { twcIdHex } from "../protocol/frames.ts";
import {
  CAR_BEHAVIOURS,
  DEFAULT_CAR,
  DEFAULT_FAULTS,
  DEFAULT_SLAVE,
  parseTwcIdString,
  resolveSlaveDef,
  type CarBehaviour,
  type SimCarDef,
  type SimFaultDef,
  type SimSlaveDef,
  type SimSlaveDefInput,
} from "./types.ts";

/** The content of a simulator file: `{"slaves": [...], "seed"?: n}`. */
export interface SimFile {
  slaves: SimSlaveDef[];
  seed: number | undefined;
}

function invalid(message: string): TwcError {
  return new TwcError({ code: "CONFIG_INVALID", message });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) throw invalid(`${path}: unknown key '${k}'`);
  }
}

function num(v: unknown, path: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw invalid(`${path} must be a number`);
  return v;
}

function bool(v: unknown, path: string): boolean {
  if (typeof v !== "boolean") throw invalid(`${path} must be true or false`);
  return v;
}

function parseCar(v: unknown, path: string): Partial<SimCarDef> {
  if (!isRecord(v)) throw invalid(`${path} must be an object`);
  checkKeys(v, Object.keys(DEFAULT_CAR), path);
  const out: Partial<SimCarDef> = {};
  for (const [k, val] of Object.entries(v)) {
    const p = `${path}.${k}`;
    if (k === "behaviour") {
      if (typeof val !== "string" || !CAR_BEHAVIOURS.includes(val as CarBehaviour)) {
        throw invalid(`${p} must be one of ${CAR_BEHAVIOURS.join(", ")}`);
      }
      out.behaviour = val as CarBehaviour;
    } else if (k === "sixAmpFallback") {
      out.sixAmpFallback = bool(val, p);
    } else {
      (out as Record<string, number>)[k] = num(val, p);
    }
  }
  return out;
}

function parseFaults(v: unknown, path: string): Partial<SimFaultDef> {
  if (!isRecord(v)) throw invalid(`${path} must be an object`);
  checkKeys(v, Object.keys(DEFAULT_FAULTS), path);
  const out: Partial<SimFaultDef> = {};
  for (const [k, val] of Object.entries(v)) {
    const p = `${path}.${k}`;
    if (k === "splitDelivery") out.splitDelivery = bool(val, p);
    else if (k === "silentAfterS") out.silentAfterS = val === null ? null : num(val, p);
    else (out as Record<string, number>)[k] = num(val, p);
  }
  return out;
}

/** Validates one slave definition from JSON; `path` prefixes the messages (e.g. "slaves[0]"). */
export function parseSlaveDefInput(v: unknown, path = "slave"): SimSlaveDefInput {
  if (!isRecord(v)) throw invalid(`${path} must be an object`);
  checkKeys(v, ["twcID", ...Object.keys(DEFAULT_SLAVE), "car", "faults"], path);
  if (typeof v.twcID !== "string")
    throw invalid(`${path}.twcID is required (2 ASCII characters or 4 hex digits)`);
  const out: SimSlaveDefInput = { twcID: v.twcID };
  if (v.maxAmps !== undefined) out.maxAmps = num(v.maxAmps, `${path}.maxAmps`);
  if (v.protocolVersion !== undefined) {
    if (v.protocolVersion !== 1 && v.protocolVersion !== 2)
      throw invalid(`${path}.protocolVersion must be 1 or 2`);
    out.protocolVersion = v.protocolVersion;
  }
  if (v.lifetimeKWh !== undefined) out.lifetimeKWh = num(v.lifetimeKWh, `${path}.lifetimeKWh`);
  if (v.voltage !== undefined) {
    const volts = v.voltage;
    if (!Array.isArray(volts) || volts.length !== 3)
      throw invalid(`${path}.voltage must be a list of 3 numbers`);
    out.voltage = [
      num(volts[0], `${path}.voltage[0]`),
      num(volts[1], `${path}.voltage[1]`),
      num(volts[2], `${path}.voltage[2]`),
    ];
  }
  if (v.vin !== undefined) {
    if (v.vin !== null && typeof v.vin !== "string") throw invalid(`${path}.vin must be a string or null`);
    out.vin = v.vin;
  }
  if (v.supportsKwh !== undefined) out.supportsKwh = bool(v.supportsKwh, `${path}.supportsKwh`);
  if (v.joinAfterS !== undefined) out.joinAfterS = num(v.joinAfterS, `${path}.joinAfterS`);
  if (v.car !== undefined) out.car = parseCar(v.car, `${path}.car`);
  if (v.faults !== undefined) out.faults = parseFaults(v.faults, `${path}.faults`);
  return out;
}

/** Validates and resolves one definition, prefixing resolve errors with the path. */
export function parseSlaveDef(v: unknown, path = "slave"): SimSlaveDef {
  const input = parseSlaveDefInput(v, path);
  try {
    return resolveSlaveDef(input);
  } catch (e) {
    if (e instanceof TwcError) throw invalid(`${path}: ${e.message}`);
    throw e;
  }
}

/** Parses a simulator file; slave IDs must be distinct. */
export function parseSimFile(v: unknown): SimFile {
  if (!isRecord(v)) throw invalid("the simulator file must be a JSON object");
  checkKeys(v, ["slaves", "seed"], "file");
  if (!Array.isArray(v.slaves) || v.slaves.length === 0) throw invalid("slaves must be a non-empty list");
  const slaves = v.slaves.map((s: unknown, i) => parseSlaveDef(s, `slaves[${i}]`));
  assertDistinctIds(slaves);
  let seed: number | undefined;
  if (v.seed !== undefined) {
    seed = num(v.seed, "seed");
    if (!Number.isInteger(seed)) throw invalid("seed must be an integer");
  }
  return { slaves, seed };
}

/** Throws CONFIG_INVALID when two definitions resolve to the same TWCID. */
export function assertDistinctIds(defs: readonly SimSlaveDef[]): void {
  const seen = new Map<number, string>();
  for (const d of defs) {
    const id = parseTwcIdString(d.twcID);
    const prev = seen.get(id);
    if (prev !== undefined)
      throw invalid(`twcID '${d.twcID}' duplicates '${prev}' (both are ${twcIdHex(id)})`);
    seen.set(id, d.twcID);
  }
}
