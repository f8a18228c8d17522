/** Wire constants of the TWC Gen2 protocol (twc-protocol.md §2, §4, §5). */

/** Frame delimiter. */
export const C0 = 0xc0;
/** Escape byte. */
export const DB = 0xdb;
/** Second byte of the escape pair standing for C0 (`DB DC`). */
export const DC = 0xdc;
/** Second byte of the escape pair standing for DB (`DB DD`). */
export const DD = 0xdd;

/** Message class bytes (payload byte 0). */
export const CLASS = { master: 0xfb, masterControl: 0xfc, slave: 0xfd } as const;

/** 16-bit message types (class byte << 8 | type byte), twc-protocol.md §5.1. */
export const TYPE = {
  masterLinkReady1: 0xfce1,
  masterLinkReady2: 0xfbe2,
  /** Alternative master linkready2 type seen from real masters; decoded as masterLinkReady2. */
  masterLinkReady2Alt: 0xfce2,
  slaveLinkReady: 0xfde2,
  masterHeartbeat: 0xfbe0,
  slaveHeartbeat: 0xfde0,
  kwhRequest: 0xfbeb,
  kwhReport: 0xfdeb,
  vinRequest0: 0xfbee,
  vinRequest1: 0xfbef,
  vinRequest2: 0xfbf1,
  vinReport0: 0xfdee,
  vinReport1: 0xfdef,
  vinReport2: 0xfdf1,
  startCharging: 0xfcb1,
  stopCharging: 0xfcb2,
  startAck: 0xfdb1,
  stopAck: 0xfdb2,
  firmwareRequest: 0xfb1b,
  idle: 0xfc1d,
} as const;

/** VIN request types by part (0, 1, 2). */
export const VIN_REQUEST_TYPES = [TYPE.vinRequest0, TYPE.vinRequest1, TYPE.vinRequest2] as const;
/** VIN report types by part (0, 1, 2). */
export const VIN_REPORT_TYPES = [TYPE.vinReport0, TYPE.vinReport1, TYPE.vinReport2] as const;

/** Payload type prefixes a user may never send (twc-protocol.md §5.1 "dangerous", §5.4). */
export const DANGEROUS_TYPES = [0xfc19, 0xfc1a, 0xfbe8] as const;

/** Types that do not replace the "last TWC response" capture (twc-protocol.md §5.5). */
export const LAST_RESPONSE_IGNORED_TYPES = [
  TYPE.masterHeartbeat,
  TYPE.slaveHeartbeat,
  TYPE.masterLinkReady1,
  TYPE.masterLinkReady2,
  TYPE.slaveLinkReady,
  TYPE.kwhRequest,
  TYPE.kwhReport,
] as const;

/** Master command codes (twc-protocol.md §4.2). */
export const COMMAND = {
  noChange: 0x00,
  error: 0x02,
  limitV1: 0x05,
  raise: 0x06,
  lower: 0x07,
  stopAcknowledged: 0x08,
  limitV2: 0x09,
} as const;

/** Slave state codes (twc-protocol.md §4.3). */
export const STATE = {
  ready: 0x00,
  charging: 0x01,
  error: 0x02,
  pluggedNoCharge: 0x03,
  pluggedReady: 0x04,
  busy: 0x05,
  raiseAck: 0x06,
  lowerAck: 0x07,
  starting: 0x08,
  limitAck: 0x09,
  adjustDone: 0x0a,
  unknown15: 0x0f,
} as const;

/** Name of a slave state code (twc-protocol.md §4.3); "unknown" for codes not in the table. */
export function stateName(code: number): string {
  for (const [name, value] of Object.entries(STATE)) {
    if (value === code) return name;
  }
  return "unknown";
}
