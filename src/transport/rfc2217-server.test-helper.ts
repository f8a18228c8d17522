/**
 * A fake RFC 2217 access server for tests (pure, plus a loopback node:net wrapper): it opens like
 * ser2net 4 (WILL SGA, DO SGA, WILL ECHO, DONT ECHO, DO BINARY, WILL BINARY, DO COM-PORT-OPTION), answers
 * every COM-PORT-OPTION command with code + 100 and the value (or a configured wrong one), sends a
 * modem-state notification like ser2net, and collects the data bytes it receives.
 */
import { createServer, type Server, type Socket } from "node:net";
import {
  DO,
  DONT,
  IAC,
  OPT_BINARY,
  OPT_COM_PORT,
  OPT_ECHO,
  OPT_SGA,
  TelnetDecoder,
  WILL,
  WONT,
  escapeIac,
  subnegotiation,
} from "./telnet.ts";

/** How the fake server behaves. */
export interface FakeServerOptions {
  /** Answer DO COM-PORT-OPTION with WONT (a plain telnet server). */
  refuseComPort?: boolean;
  /** Override the value of an answer: command code → value bytes. */
  answer?: Record<number, number[]>;
  /** Never answer COM-PORT-OPTION commands. */
  silentComPort?: boolean;
}

/** The protocol side of the fake server. */
export class FakeRfc2217Server {
  readonly #decoder = new TelnetDecoder();
  readonly received: number[] = [];
  /** COM-PORT-OPTION commands received: [code, ...value]. */
  readonly commands: number[][] = [];
  /** Negotiations received ("DO 44", …). */
  readonly negotiations: string[] = [];

  constructor(private readonly opts: FakeServerOptions = {}) {}

  /** The opening bytes of ser2net 4 (recorded from a real one). */
  greeting(): Uint8Array {
    return Uint8Array.of(
      ...[IAC, WILL, OPT_SGA, IAC, DO, OPT_SGA, IAC, WILL, OPT_ECHO, IAC, DONT, OPT_ECHO],
      ...[IAC, DO, OPT_BINARY, IAC, WILL, OPT_BINARY, IAC, DO, OPT_COM_PORT],
    );
  }

  /** Feeds client bytes; returns what the server answers. */
  receive(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const e of this.#decoder.push(chunk)) {
      if (e.type === "data") this.received.push(...e.bytes);
      else if (e.type === "negotiate") {
        this.negotiations.push(`${e.verb} ${e.option}`);
        if (e.option === OPT_COM_PORT && e.verb === "WILL" && this.opts.refuseComPort) {
          out.push(Uint8Array.of(IAC, DONT, OPT_COM_PORT));
        }
      } else if (e.type === "subnegotiation" && e.option === OPT_COM_PORT) {
        const [code = 0, ...value] = e.payload;
        this.commands.push([code, ...value]);
        if (this.opts.silentComPort) continue;
        const answer = this.opts.answer?.[code] ?? value;
        out.push(subnegotiation(OPT_COM_PORT, Uint8Array.of(code + 100, ...answer)));
        if (code === 1) out.push(subnegotiation(OPT_COM_PORT, Uint8Array.of(107, 0))); // ser2net's modem state
      }
    }
    return out;
  }

  /** Bus bytes as the server sends them (0xFF doubled). */
  send(bytes: Uint8Array): Uint8Array {
    return escapeIac(bytes);
  }
}

/** The fake server on a loopback port; each connection gets its own protocol state. */
export class LoopbackRfc2217Server {
  server: Server | null = null;
  readonly sessions: { socket: Socket; proto: FakeRfc2217Server }[] = [];
  port = 0;

  constructor(private readonly opts: FakeServerOptions & { greet?: boolean } = {}) {}

  /** Listens on 127.0.0.1 (port 0 = any free port). */
  async listen(port = 0): Promise<void> {
    const server = createServer((socket) => {
      const proto = new FakeRfc2217Server(this.opts);
      this.sessions.push({ socket, proto });
      socket.on("error", () => undefined);
      socket.on("data", (chunk) => {
        for (const out of proto.receive(new Uint8Array(chunk))) socket.write(out);
      });
      if (this.opts.greet !== false) socket.write(proto.greeting());
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    const addr = server.address();
    this.port = typeof addr === "object" && addr ? addr.port : 0;
    this.server = server;
  }

  /** The latest connection. */
  get last(): { socket: Socket; proto: FakeRfc2217Server } {
    const s = this.sessions.at(-1);
    if (!s) throw new Error("no connection yet");
    return s;
  }

  /** Closes every connection and the listener. */
  async stop(): Promise<void> {
    for (const { socket } of this.sessions) socket.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}

/** Negotiation verbs as bytes, for assertions. */
export const VERBS = { WILL, WONT, DO, DONT } as const;
