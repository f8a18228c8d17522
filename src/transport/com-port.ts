/**
 * The client side of RFC 2217 (telnet COM-PORT-OPTION, option 44) as an access server such as ser2net
 * serves it: the opening negotiation (BINARY and SUPPRESS-GO-AHEAD both ways, COM-PORT-OPTION on our
 * side, the peer's ECHO refused so our frames never come back), then SET-BAUDRATE, SET-DATASIZE,
 * SET-PARITY, SET-STOPSIZE and SET-CONTROL (no flow control), with line/modem-state notifications
 * masked off. The link is ready once the server acknowledged the four line settings with the values
 * asked for. Every received telnet command is stripped from the data (and answered when it asks);
 * outgoing data has 0xFF doubled. Pure: bytes in, bytes out.
 */
import {
  OPT_BINARY,
  OPT_COM_PORT,
  OPT_SGA,
  TelnetDecoder,
  TelnetNegotiator,
  escapeIac,
  subnegotiation,
} from "./telnet.ts";

/** RFC 2217 client → server command codes (the server answers with code + 100). */
export const ComPort = {
  SET_BAUDRATE: 1,
  SET_DATASIZE: 2,
  SET_PARITY: 3,
  SET_STOPSIZE: 4,
  SET_CONTROL: 5,
  NOTIFY_LINESTATE: 6,
  NOTIFY_MODEMSTATE: 7,
  FLOWCONTROL_SUSPEND: 8,
  FLOWCONTROL_RESUME: 9,
  SET_LINESTATE_MASK: 10,
  SET_MODEMSTATE_MASK: 11,
  PURGE_DATA: 12,
} as const;

/** Offset of a server's answer code over the client's command code. */
export const SERVER_OFFSET = 100;

/** Parity values of SET-PARITY. */
const PARITY_CODE = { none: 1, odd: 2, even: 3, mark: 4, space: 5 } as const;
/** SET-CONTROL value: no flow control. */
const CONTROL_NO_FLOW = 1;

/** The line settings asked of the access server (a TWC bus: 9600 8N1). */
export interface LineSettings {
  baud: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: keyof typeof PARITY_CODE;
  stopBits: 1 | 2;
}

/** Where the opening handshake stands. */
export type ComPortStatus = "negotiating" | "ready" | "failed";

/** What one received chunk gave: data bytes for the bus, bytes to send back. */
export interface ComPortInput {
  data: Uint8Array[];
  reply: Uint8Array[];
}

function u32(n: number): Uint8Array {
  return Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** One COM-PORT-OPTION command (IAC SB 44 code value… IAC SE). */
export function comPortCommand(code: number, value: Uint8Array): Uint8Array {
  const payload = new Uint8Array(value.length + 1);
  payload[0] = code;
  payload.set(value, 1);
  return subnegotiation(OPT_COM_PORT, payload);
}

/** The commands that set the line: baud, data size, parity, stop size, no flow control, masks off. */
export function lineCommands(s: LineSettings): Uint8Array[] {
  return [
    comPortCommand(ComPort.SET_BAUDRATE, u32(s.baud)),
    comPortCommand(ComPort.SET_DATASIZE, Uint8Array.of(s.dataBits)),
    comPortCommand(ComPort.SET_PARITY, Uint8Array.of(PARITY_CODE[s.parity])),
    comPortCommand(ComPort.SET_STOPSIZE, Uint8Array.of(s.stopBits)),
    comPortCommand(ComPort.SET_CONTROL, Uint8Array.of(CONTROL_NO_FLOW)),
    comPortCommand(ComPort.SET_LINESTATE_MASK, Uint8Array.of(0)),
    comPortCommand(ComPort.SET_MODEMSTATE_MASK, Uint8Array.of(0)),
  ];
}

/** Reads a big-endian unsigned value of 1–4 bytes (null when empty). */
function valueOf(bytes: Uint8Array): number | null {
  if (bytes.length === 0 || bytes.length > 4) return null;
  let v = 0;
  for (const b of bytes) v = v * 256 + b;
  return v;
}

/** The client's RFC 2217 state: feed it the received bytes, send what it returns. */
export class ComPortSession {
  readonly #settings: LineSettings;
  readonly #decoder = new TelnetDecoder();
  readonly #negotiator = new TelnetNegotiator({
    local: [OPT_BINARY, OPT_SGA, OPT_COM_PORT],
    remote: [OPT_BINARY, OPT_SGA],
  });
  /** Settings commands sent and not yet acknowledged with the right value: code → wanted value. */
  readonly #awaiting = new Map<number, number>();
  #settingsSent = false;
  #status: ComPortStatus = "negotiating";
  #failure: string | null = null;
  #suspended = false;

  /** Creates a session for these line settings. */
  constructor(settings: LineSettings) {
    this.#settings = settings;
  }

  /** Handshake progress. */
  get status(): ComPortStatus {
    return this.#status;
  }

  /** Why the handshake failed (null unless status is "failed"). */
  get failure(): string | null {
    return this.#failure;
  }

  /** True while the server asked us to suspend sending (FLOWCONTROL-SUSPEND; informational). */
  get suspended(): boolean {
    return this.#suspended;
  }

  /** The opening negotiation to send right after connecting. */
  start(): Uint8Array[] {
    return [...this.#negotiator.start(), ...this.#maybeSendSettings()];
  }

  /** Encodes bus bytes for the wire (0xFF doubled). */
  encode(bytes: Uint8Array): Uint8Array {
    return escapeIac(bytes);
  }

  /** Decodes received bytes: the bus data, and any replies the telnet layer owes the server. */
  receive(chunk: Uint8Array): ComPortInput {
    const out: ComPortInput = { data: [], reply: [] };
    for (const e of this.#decoder.push(chunk)) {
      if (e.type === "data") out.data.push(e.bytes);
      else if (e.type === "negotiate") {
        out.reply.push(...this.#negotiator.receive(e.verb, e.option));
        if (e.option === OPT_COM_PORT && this.#negotiator.localRefused(OPT_COM_PORT)) {
          this.#fail("the server refused COM-PORT-OPTION (RFC 2217): is its accepter telnet(rfc2217)?");
        }
        out.reply.push(...this.#maybeSendSettings());
      } else if (e.type === "subnegotiation" && e.option === OPT_COM_PORT) this.#answer(e.payload);
      // Other subnegotiations and commands (NOP, GA, AYT, …) carry nothing for the bus: dropped.
    }
    return out;
  }

  #maybeSendSettings(): Uint8Array[] {
    if (this.#settingsSent || !this.#negotiator.localEnabled(OPT_COM_PORT)) return [];
    this.#settingsSent = true;
    const s = this.#settings;
    this.#awaiting.set(ComPort.SET_BAUDRATE, s.baud);
    this.#awaiting.set(ComPort.SET_DATASIZE, s.dataBits);
    this.#awaiting.set(ComPort.SET_PARITY, PARITY_CODE[s.parity]);
    this.#awaiting.set(ComPort.SET_STOPSIZE, s.stopBits);
    return lineCommands(s);
  }

  #answer(payload: Uint8Array): void {
    const code = (payload[0] ?? 0) - SERVER_OFFSET;
    if (code === ComPort.FLOWCONTROL_SUSPEND) this.#suspended = true;
    if (code === ComPort.FLOWCONTROL_RESUME) this.#suspended = false;
    const wanted = this.#awaiting.get(code);
    if (wanted === undefined || this.#status !== "negotiating") return;
    const got = valueOf(payload.subarray(1));
    if (got !== wanted) {
      const what = ["", "baud rate", "data size", "parity", "stop size"][code] ?? `setting ${code}`;
      this.#fail(`the server set the ${what} to ${got ?? "nothing"} instead of ${wanted}`);
      return;
    }
    this.#awaiting.delete(code);
    if (this.#awaiting.size === 0) this.#status = "ready";
  }

  #fail(reason: string): void {
    if (this.#status !== "negotiating") return;
    this.#status = "failed";
    this.#failure = reason;
  }
}
