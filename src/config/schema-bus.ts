/**
 * TypeBox schema of config.json `interface` (config.md §4): RS485, TCP and the built-in simulator
 * (Dummy) with its slave definitions (§4.4). Slave-definition defaults are documented (Optional keys)
 * and applied by the simulator itself.
 */
import { Type, type Static } from "typebox";

const slaveTimeout = Type.Number({
  minimum: 5,
  maximum: 300,
  default: 26,
  description: "Seconds without a reply before a slave is dropped",
});

/** 2 ASCII characters (their bytes) or 4 hex digits. */
export const TWCID_PATTERN = "^(?:[\\x00-\\x7f]{2}|[0-9A-Fa-f]{4})$";

const twcIdString = (description: string, dflt?: string): ReturnType<typeof Type.String> =>
  Type.String({
    pattern: TWCID_PATTERN,
    "x-expected": "2 ASCII characters or 4 hex digits",
    description,
    ...(dflt === undefined ? {} : { default: dflt }),
  });

const num = (
  min: number,
  max: number,
  dflt: number,
  description: string,
): ReturnType<typeof Type.Optional<ReturnType<typeof Type.Number>>> =>
  Type.Optional(Type.Number({ minimum: min, maximum: max, default: dflt, description }));

/** Simulated car (twc-protocol.md §13.3). */
export const SimCarSchema = Type.Object({
  behaviour: Type.Optional(
    Type.Union(
      [
        Type.Literal("none"),
        Type.Literal("follow"),
        Type.Literal("full"),
        Type.Literal("waiting"),
        Type.Literal("error"),
      ],
      {
        default: "none",
        description: "What the car does",
      },
    ),
  ),
  maxAmps: num(0, 655, 80, "The most the car accepts (A)"),
  minAmps: num(0, 655, 5, "Below this limit the car does not charge (A)"),
  drawOffsetA: num(0, 655, 0.5, "The car draws the limit minus this (A)"),
  startDelayS: num(0, 3600, 2, "Seconds in state 08 before charging"),
  rampAmpsPerS: num(0, 1000, 10, "Ramp speed of the drawn current (A/s); 0 = instant"),
  sixAmpFallback: Type.Optional(Type.Boolean({ default: false, description: "The 6 A fallback quirk" })),
  batteryKWh: num(0.1, 1000, 75, "Our extension: battery capacity (kWh)"),
  socPercent: num(0, 100, 40, "Our extension: state of charge at plug-in (%)"),
  chargeLimitPercent: num(0, 100, 90, "Our extension: the car becomes full at this state of charge (%)"),
});

/** Per-slave fault knobs (twc-protocol.md §13.1). */
export const SimFaultsSchema = Type.Object({
  dropRate: num(0, 1, 0, "Probability that a reply is not sent"),
  replyDelayMs: num(0, 60000, 20, "Reply delay (ms)"),
  silentAfterS: Type.Optional(
    Type.Union([Type.Number({ minimum: 0, maximum: 1e9 }), Type.Null()], {
      default: null,
      description: "Stop answering this many seconds after joining; null = never",
    }),
  ),
  corruptRate: num(0, 1, 0, "Probability that a reply's checksum is corrupted"),
  noiseBytes: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 1000,
      default: 0,
      description: "Random bytes sent before each reply",
    }),
  ),
  splitDelivery: Type.Optional(
    Type.Boolean({ default: false, description: "Deliver replies one byte per chunk" }),
  ),
  duplicateRate: num(0, 1, 0, "Probability that a reply is sent twice"),
});

/** One simulated slave (config.md §4.4); everything but twcID optional. */
export const SimSlaveSchema = Type.Object({
  twcID: twcIdString("Slave ID"),
  maxAmps: num(0, 655.35, 80, "Rating advertised in linkready (A)"),
  protocolVersion: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 2, default: 2, description: "Protocol version 1 or 2" }),
  ),
  lifetimeKWh: num(0, 0xffffffff, 0, "Lifetime energy counter (kWh)"),
  voltage: Type.Optional(
    Type.Array(Type.Number({ minimum: 0, maximum: 65535 }), {
      minItems: 3,
      maxItems: 3,
      default: [240, 0, 0],
      description: "Phase voltages reported in kWh reports",
    }),
  ),
  vin: Type.Optional(
    Type.Union(
      [
        Type.String({ pattern: "^[\\x20-\\x7e]{0,17}$", "x-expected": "up to 17 ASCII characters" }),
        Type.Null(),
      ],
      {
        default: "",
        description: '17-character VIN; "" answers zeros; null = no VIN support',
      },
    ),
  ),
  supportsKwh: Type.Optional(Type.Boolean({ default: true, description: "Answers kWh/voltage queries" })),
  joinAfterS: num(0, 1e9, 0, "The slave appears on the bus after this delay (s)"),
  car: Type.Optional(SimCarSchema),
  faults: Type.Optional(SimFaultsSchema),
});

/** `interface.Dummy`: the built-in simulator. */
export const DummySchema = Type.Object({
  enabled: Type.Boolean({ default: false, description: "Must be true to use the simulator" }),
  twcID: twcIdString("ID of the single default slave (ignored when slaves is set)", "1234"),
  slaves: Type.Optional(Type.Array(SimSlaveSchema, { description: "Our extension: slave definitions" })),
  realisticTiming: Type.Boolean({ default: false, description: "Model 9600-baud transmission time" }),
  seed: Type.Optional(
    Type.Integer({ description: "Seed of the fault knobs' random numbers (default random)" }),
  ),
  slaveTimeout,
  scenario: Type.Optional(Type.Unknown({ description: "Accepted and ignored" })),
});

/** `interface.RS485`. */
export const Rs485Schema = Type.Object({
  enabled: Type.Boolean({ default: true, description: "Enabled unless false" }),
  port: Type.Optional(
    Type.String({
      description:
        "Serial device path, socket://host:port for a raw-TCP RS-485 bridge, or rfc2217://host:port for an RFC 2217 server such as ser2net (default config.rs485adapter)",
    }),
  ),
  baud: Type.Optional(
    Type.Integer({ exclusiveMinimum: 0, description: "Baud rate (default config.baud, else 9600)" }),
  ),
  slaveTimeout,
});

/** `interface.TCP`: raw-TCP client to an RS-485 bridge or the simulator server, or (listen) its server. */
export const TcpSchema = Type.Object({
  enabled: Type.Boolean({ default: false }),
  server: Type.Optional(
    Type.String({
      minLength: 1,
      description: '"host" or "host:port" (required when enabled; with listen, the address to listen on)',
    }),
  ),
  port: Type.Integer({
    minimum: 1,
    maximum: 65535,
    default: 6000,
    description: "Port used when server has none",
  }),
  slaveTimeout,
  listen: Type.Optional(
    Type.Boolean({
      description:
        "true = listen on server (default 0.0.0.0) and port; the bridge connects to us",
    }),
  ),
});

/** A validated simulator slave definition (no defaults applied). */
export type SimSlaveInput = Static<typeof SimSlaveSchema>;
/** Normalised `interface.Dummy`. */
export type DummySection = Static<typeof DummySchema>;
/** Normalised `interface.RS485`. */
export type Rs485Section = Static<typeof Rs485Schema>;
/** Normalised `interface.TCP`. */
export type TcpSection = Static<typeof TcpSchema>;
