/**
 * The telnet layer of an RFC 2217 link (RFC 854, RFC 855, RFC 1143's state rules simplified to
 * options we only ever enable): a stateful decoder that splits the received stream into data and
 * telnet commands (IAC IAC → one 0xFF data byte, subnegotiations collected, all of it correct when
 * any sequence is split across chunks), the escaping of outgoing data, and a negotiator that answers
 * WILL/WONT/DO/DONT without loops. Pure: bytes in, events and bytes out.
 */

/** Interpret As Command. */
export const IAC = 0xff;
/** Option negotiation verbs. */
export const DONT = 0xfe;
/** Please do. */
export const DO = 0xfd;
/** Will not. */
export const WONT = 0xfc;
/** Will. */
export const WILL = 0xfb;
/** Subnegotiation begin. */
export const SB = 0xfa;
/** Subnegotiation end. */
export const SE = 0xf0;
/** No operation. */
export const NOP = 0xf1;

/** Option: binary transmission (RFC 856). */
export const OPT_BINARY = 0;
/** Option: echo (RFC 857). */
export const OPT_ECHO = 1;
/** Option: suppress go-ahead (RFC 858). */
export const OPT_SGA = 3;
/** Option: COM-PORT-OPTION (RFC 2217). */
export const OPT_COM_PORT = 44;

/** The four negotiation verbs. */
export type TelnetVerb = "WILL" | "WONT" | "DO" | "DONT";

/** One item of the decoded stream. */
export type TelnetEvent =
  | { type: "data"; bytes: Uint8Array }
  | { type: "negotiate"; verb: TelnetVerb; option: number }
  | { type: "subnegotiation"; option: number; payload: Uint8Array }
  | { type: "command"; code: number };

/** Longest subnegotiation payload kept (longer ones are cut there: RFC 2217 payloads are ≤ 5 bytes). */
export const MAX_SUBNEGOTIATION_BYTES = 256;

const VERB_OF: Readonly<Record<number, TelnetVerb>> = { [WILL]: "WILL", [WONT]: "WONT", [DO]: "DO", [DONT]: "DONT" };
const CODE_OF: Readonly<Record<TelnetVerb, number>> = { WILL, WONT, DO, DONT };

/** Doubles every 0xFF so data bytes are never read as a telnet command. */
export function escapeIac(bytes: Uint8Array): Uint8Array {
  let count = 0;
  for (const b of bytes) if (b === IAC) count++;
  if (count === 0) return bytes;
  const out = new Uint8Array(bytes.length + count);
  let j = 0;
  for (const b of bytes) {
    out[j++] = b;
    if (b === IAC) out[j++] = IAC;
  }
  return out;
}

/** The bytes of one negotiation command (IAC verb option). */
export function negotiation(verb: TelnetVerb, option: number): Uint8Array {
  return Uint8Array.of(IAC, CODE_OF[verb], option);
}

/** The bytes of a subnegotiation (IAC SB option payload IAC SE), the payload escaped. */
export function subnegotiation(option: number, payload: Uint8Array): Uint8Array {
  const body = escapeIac(payload);
  const out = new Uint8Array(body.length + 5);
  out.set([IAC, SB, option], 0);
  out.set(body, 3);
  out.set([IAC, SE], body.length + 3);
  return out;
}

type DecodeState = "data" | "iac" | "verb" | "sbOption" | "sb" | "sbIac";

/** Splits a received telnet stream into events; keeps partial sequences across push() calls. */
export class TelnetDecoder {
  #state: DecodeState = "data";
  #verb: TelnetVerb = "WILL";
  #sbOption = 0;
  #sb: number[] = [];

  /** Decodes one chunk; data bytes of one chunk come out as few data events as the commands allow. */
  push(chunk: Uint8Array): TelnetEvent[] {
    const events: TelnetEvent[] = [];
    let data: number[] = [];
    const flush = (): void => {
      if (data.length > 0) events.push({ type: "data", bytes: Uint8Array.from(data) });
      data = [];
    };
    for (const b of chunk) {
      switch (this.#state) {
        case "data":
          if (b === IAC) this.#state = "iac";
          else data.push(b);
          break;
        case "iac":
          this.#state = "data";
          if (b === IAC) data.push(IAC);
          else if (VERB_OF[b] !== undefined) {
            this.#verb = VERB_OF[b];
            this.#state = "verb";
          } else if (b === SB) {
            this.#state = "sbOption";
          } else {
            flush();
            events.push({ type: "command", code: b });
          }
          break;
        case "verb":
          flush();
          events.push({ type: "negotiate", verb: this.#verb, option: b });
          this.#state = "data";
          break;
        case "sbOption":
          this.#sbOption = b;
          this.#sb = [];
          this.#state = "sb";
          break;
        case "sb":
          if (b === IAC) this.#state = "sbIac";
          else this.#keep(b);
          break;
        case "sbIac":
          if (b === IAC) {
            this.#keep(IAC);
            this.#state = "sb";
            break;
          }
          flush();
          events.push({ type: "subnegotiation", option: this.#sbOption, payload: Uint8Array.from(this.#sb) });
          this.#sb = [];
          this.#state = "data";
          // IAC SE ends it; any other command after IAC also ends it (a broken peer) and is itself read.
          if (b !== SE) this.push(Uint8Array.of(IAC, b)).forEach((e) => events.push(e));
          break;
      }
    }
    flush();
    return events;
  }

  #keep(b: number): void {
    if (this.#sb.length < MAX_SUBNEGOTIATION_BYTES) this.#sb.push(b);
  }
}

type OptionState = "no" | "yes" | "requested";

/**
 * Answers option negotiation for the options we want enabled: `local` on our side (we WILL), `remote`
 * on the peer's side (it WILL, we DO). Every other option is refused. Requests are sent once; a reply
 * to our own request is never answered again, so two negotiators never loop.
 */
export class TelnetNegotiator {
  readonly #wantLocal: ReadonlySet<number>;
  readonly #wantRemote: ReadonlySet<number>;
  readonly #local = new Map<number, OptionState>();
  readonly #remote = new Map<number, OptionState>();

  /** Creates the negotiator; nothing is sent before start(). */
  constructor(opts: { local: readonly number[]; remote: readonly number[] }) {
    this.#wantLocal = new Set(opts.local);
    this.#wantRemote = new Set(opts.remote);
  }

  /** Our opening requests: WILL for each local option, DO for each remote one. */
  start(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const o of this.#wantLocal) {
      if ((this.#local.get(o) ?? "no") !== "no") continue;
      this.#local.set(o, "requested");
      out.push(negotiation("WILL", o));
    }
    for (const o of this.#wantRemote) {
      if ((this.#remote.get(o) ?? "no") !== "no") continue;
      this.#remote.set(o, "requested");
      out.push(negotiation("DO", o));
    }
    return out;
  }

  /** True once the option is enabled on our side. */
  localEnabled(option: number): boolean {
    return this.#local.get(option) === "yes";
  }

  /** True once the option is enabled on the peer's side. */
  remoteEnabled(option: number): boolean {
    return this.#remote.get(option) === "yes";
  }

  /** True when the peer refused (DONT/WONT) a local option we asked for or had. */
  localRefused(option: number): boolean {
    return this.#wantLocal.has(option) && this.#local.get(option) === "no";
  }

  /** Handles one received negotiation; returns the reply to send (possibly none). */
  receive(verb: TelnetVerb, option: number): Uint8Array[] {
    const onLocal = verb === "DO" || verb === "DONT";
    const table = onLocal ? this.#local : this.#remote;
    const wanted = (onLocal ? this.#wantLocal : this.#wantRemote).has(option);
    const state = table.get(option) ?? "no";
    const enable = verb === "DO" || verb === "WILL";
    const [yes, no] = onLocal ? (["WILL", "WONT"] as const) : (["DO", "DONT"] as const);
    if (enable) {
      if (!wanted) return state === "no" ? [negotiation(no, option)] : [];
      table.set(option, "yes");
      return state === "no" ? [negotiation(yes, option)] : [];
    }
    table.set(option, "no");
    return state === "yes" ? [negotiation(no, option)] : [];
  }
}
