/**
 * Simulator slave definitions (config.md §4.4): the types, their defaults, the twcID parser and
 * `resolveSlaveDef`, which fills the defaults into a partial definition and validates it.
 */
import { TwcError } from "../shared/errors.ts";
import { twcId, type TwcId } from "../protocol/frames.ts";

/** What the simulated car does (twc-protocol.md §13.3). */
export type CarBehaviour = "none" | "follow" | "full" | "waiting" | "error";

/** All car behaviours, in documentation order. */
export const CAR_BEHAVIOURS: readonly CarBehaviour[] = ["none", "follow", "full", "waiting", "error"];

/** The car plugged into a simulated slave. */
export interface SimCarDef {
  behaviour: CarBehaviour;
  /** The most the car itself accepts (A). */
  maxAmps: number;
  /** Below this limit the car does not charge (A). */
  minAmps: number;
  /** The car draws the limit minus this (A). */
  drawOffsetA: number;
  /** Seconds in state 08 before charging. */
  startDelayS: number;
  /** Ramp speed of the drawn current (A/s); 0 = instant. */
  rampAmpsPerS: number;
  /** The 6 A fallback quirk (twc-protocol.md §13.3). */
  sixAmpFallback: boolean;
  /** Our extension: battery capacity (kWh). */
  batteryKWh: number;
  /** Our extension: state of charge at plug-in (%). */
  socPercent: number;
  /** Our extension: when the battery reaches this (%), the car becomes `full`. */
  chargeLimitPercent: number;
}

/** Per-slave fault knobs (twc-protocol.md §13.1). */
export interface SimFaultDef {
  /** Probability (0–1) that a reply is not sent. */
  dropRate: number;
  /** A reply becomes ready this long after the frame it answers. */
  replyDelayMs: number;
  /** Stop answering entirely this many seconds after joining; null = never. */
  silentAfterS: number | null;
  /** Probability (0–1) that a reply's checksum is corrupted. */
  corruptRate: number;
  /** Random non-C0 bytes sent before each reply. */
  noiseBytes: number;
  /** Deliver replies one byte per chunk. */
  splitDelivery: boolean;
  /** Probability (0–1) that a reply is sent twice. */
  duplicateRate: number;
}

/** A fully resolved simulated slave (config.md §4.4). */
export interface SimSlaveDef {
  /** 2 ASCII characters or 4 hex digits. */
  twcID: string;
  /** Rating advertised in linkready (A). */
  maxAmps: number;
  protocolVersion: 1 | 2;
  lifetimeKWh: number;
  /** Phase voltages reported in kWh reports. */
  voltage: [number, number, number];
  /** Up to 17 ASCII characters; "" answers zeros; null = no VIN support. */
  vin: string | null;
  supportsKwh: boolean;
  /** The slave appears on the bus after this delay (s). */
  joinAfterS: number;
  car: SimCarDef;
  faults: SimFaultDef;
}

/** A slave definition as written by a user: everything optional except twcID. */
export type SimSlaveDefInput = { twcID: string } & Partial<Omit<SimSlaveDef, "twcID" | "car" | "faults">> & {
    car?: Partial<SimCarDef>;
    faults?: Partial<SimFaultDef>;
  };

/** Car defaults (config.md §4.4 plus our battery extension). */
export const DEFAULT_CAR: Readonly<SimCarDef> = Object.freeze({
  behaviour: "none",
  maxAmps: 80,
  minAmps: 5,
  drawOffsetA: 0.5,
  startDelayS: 2,
  rampAmpsPerS: 10,
  sixAmpFallback: false,
  batteryKWh: 75,
  socPercent: 40,
  chargeLimitPercent: 90,
});

/** Fault defaults: everything off, 20 ms reply delay. */
export const DEFAULT_FAULTS: Readonly<SimFaultDef> = Object.freeze({
  dropRate: 0,
  replyDelayMs: 20,
  silentAfterS: null,
  corruptRate: 0,
  noiseBytes: 0,
  splitDelivery: false,
  duplicateRate: 0,
});

/** Slave defaults other than twcID, car and faults. */
export const DEFAULT_SLAVE: Readonly<Omit<SimSlaveDef, "twcID" | "car" | "faults">> = Object.freeze({
  maxAmps: 80,
  protocolVersion: 2,
  lifetimeKWh: 0,
  voltage: [240, 0, 0] as [number, number, number],
  vin: "",
  supportsKwh: true,
  joinAfterS: 0,
});

function invalid(message: string): TwcError {
  return new TwcError({ code: "CONFIG_INVALID", message });
}

/** "AB" → 0x4142 (ASCII bytes), "4142" → 0x4142 (hex digits); anything else throws CONFIG_INVALID. */
export function parseTwcIdString(s: string): TwcId {
  if (s.length === 2) {
    const hi = s.charCodeAt(0);
    const lo = s.charCodeAt(1);
    if (hi < 0x80 && lo < 0x80) return twcId((hi << 8) | lo);
  } else if (/^[0-9A-Fa-f]{4}$/.test(s)) {
    return twcId(parseInt(s, 16));
  }
  throw invalid(`twcID '${s}' must be 2 ASCII characters or 4 hex digits`);
}

function checkNumber(name: string, v: number, min: number, max: number): void {
  if (!Number.isFinite(v) || v < min || v > max) {
    throw invalid(`${name} must be a number from ${min} to ${max} (got ${String(v)})`);
  }
}

/** Validates a resolved car definition; throws CONFIG_INVALID naming the field. */
export function validateCarDef(car: SimCarDef, prefix = "car"): void {
  if (!CAR_BEHAVIOURS.includes(car.behaviour)) {
    throw invalid(`${prefix}.behaviour must be one of ${CAR_BEHAVIOURS.join(", ")}`);
  }
  checkNumber(`${prefix}.maxAmps`, car.maxAmps, 0, 655);
  checkNumber(`${prefix}.minAmps`, car.minAmps, 0, 655);
  checkNumber(`${prefix}.drawOffsetA`, car.drawOffsetA, 0, 655);
  checkNumber(`${prefix}.startDelayS`, car.startDelayS, 0, 3600);
  checkNumber(`${prefix}.rampAmpsPerS`, car.rampAmpsPerS, 0, 1000);
  if (typeof car.sixAmpFallback !== "boolean")
    throw invalid(`${prefix}.sixAmpFallback must be true or false`);
  checkNumber(`${prefix}.batteryKWh`, car.batteryKWh, 0.1, 1000);
  checkNumber(`${prefix}.socPercent`, car.socPercent, 0, 100);
  checkNumber(`${prefix}.chargeLimitPercent`, car.chargeLimitPercent, 0, 100);
}

/** Validates resolved fault knobs; throws CONFIG_INVALID naming the field. */
export function validateFaultDef(f: SimFaultDef, prefix = "faults"): void {
  checkNumber(`${prefix}.dropRate`, f.dropRate, 0, 1);
  checkNumber(`${prefix}.replyDelayMs`, f.replyDelayMs, 0, 60_000);
  if (f.silentAfterS !== null) checkNumber(`${prefix}.silentAfterS`, f.silentAfterS, 0, 1e9);
  checkNumber(`${prefix}.corruptRate`, f.corruptRate, 0, 1);
  checkNumber(`${prefix}.noiseBytes`, f.noiseBytes, 0, 1000);
  if (!Number.isInteger(f.noiseBytes)) throw invalid(`${prefix}.noiseBytes must be an integer`);
  if (typeof f.splitDelivery !== "boolean") throw invalid(`${prefix}.splitDelivery must be true or false`);
  checkNumber(`${prefix}.duplicateRate`, f.duplicateRate, 0, 1);
}

/** Fills the defaults into a partial definition and validates it (throws TwcError CONFIG_INVALID). */
export function resolveSlaveDef(partial: SimSlaveDefInput): SimSlaveDef {
  if (typeof partial.twcID !== "string") throw invalid("twcID is required");
  parseTwcIdString(partial.twcID);
  const def: SimSlaveDef = {
    twcID: partial.twcID,
    maxAmps: partial.maxAmps ?? DEFAULT_SLAVE.maxAmps,
    protocolVersion: partial.protocolVersion ?? DEFAULT_SLAVE.protocolVersion,
    lifetimeKWh: partial.lifetimeKWh ?? DEFAULT_SLAVE.lifetimeKWh,
    voltage: [...(partial.voltage ?? DEFAULT_SLAVE.voltage)] as [number, number, number],
    vin: partial.vin === undefined ? DEFAULT_SLAVE.vin : partial.vin,
    supportsKwh: partial.supportsKwh ?? DEFAULT_SLAVE.supportsKwh,
    joinAfterS: partial.joinAfterS ?? DEFAULT_SLAVE.joinAfterS,
    car: { ...DEFAULT_CAR, ...partial.car },
    faults: { ...DEFAULT_FAULTS, ...partial.faults },
  };
  checkNumber("maxAmps", def.maxAmps, 0, 655.35);
  if (def.protocolVersion !== 1 && def.protocolVersion !== 2) throw invalid("protocolVersion must be 1 or 2");
  checkNumber("lifetimeKWh", def.lifetimeKWh, 0, 0xffffffff);
  if (def.voltage.length !== 3) throw invalid("voltage must be a list of 3 numbers");
  def.voltage.forEach((v, i) => checkNumber(`voltage[${i}]`, v, 0, 65535));
  if (def.vin !== null) {
    // Any short ASCII string is accepted so tests can exercise invalid VINs (controller.md §13).
    if (typeof def.vin !== "string" || def.vin.length > 17 || /[^\x20-\x7e]/.test(def.vin)) {
      throw invalid('vin must be up to 17 ASCII characters, "" or null');
    }
  }
  if (typeof def.supportsKwh !== "boolean") throw invalid("supportsKwh must be true or false");
  checkNumber("joinAfterS", def.joinAfterS, 0, 1e9);
  validateCarDef(def.car);
  validateFaultDef(def.faults);
  return def;
}

/** Default ID string of the n-th slave (0-based): "AB", "CD", "EF", … (distinct and deterministic). */
export function defaultTwcIdString(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index > 12) throw invalid("at most 13 default slave IDs");
  return String.fromCharCode(0x41 + 2 * index, 0x42 + 2 * index);
}
