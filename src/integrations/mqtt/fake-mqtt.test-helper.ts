/**
 * Test helper: an in-memory stand-in for MQTT.js's `connect`, so the connection manager and the MQTT
 * modules can be tested on a fake clock. Each "client" records its options, publishes and subscriptions;
 * the test drives it (`up()`, `down()`, `deliver()`).
 */
import { EventEmitter } from "node:events";
import type { IClientOptions, MqttClient, connect as mqttConnect } from "mqtt";
import { topicMatches } from "./broker.ts";
import type { MqttLoader } from "./connection.ts";

/** One published message. */
export interface Published {
  topic: string;
  payload: string;
  retain: boolean;
}

/** A fake client. */
export class FakeClient extends EventEmitter {
  readonly published: Published[] = [];
  readonly subscriptions = new Set<string>();
  connected = false;
  disconnected = false;
  reconnects = 0;
  ended = false;

  constructor(
    readonly url: string,
    readonly options: IClientOptions,
  ) {
    super();
  }

  /** The broker accepts the connection. */
  up(): void {
    this.connected = true;
    this.emit("connect", {});
  }

  /** The connection fails or is lost (error, then close). */
  down(message = "ECONNREFUSED"): void {
    this.connected = false;
    this.subscriptions.clear();
    this.emit("error", new Error(message));
    this.emit("close");
  }

  /** A message from the broker (only when subscribed). */
  deliver(topic: string, payload: string, retain = false): void {
    if (![...this.subscriptions].some((f) => topicMatches(f, topic))) return;
    this.emit("message", topic, Buffer.from(payload), { retain });
  }

  publish(topic: string, payload: string, opts: { retain?: boolean }, cb?: (err?: Error) => void): this {
    this.published.push({ topic, payload, retain: opts.retain === true });
    cb?.();
    return this;
  }

  subscribe(filters: string[], _opts: unknown, cb?: (err: Error | null) => void): this {
    for (const f of filters) this.subscriptions.add(f);
    cb?.(null);
    return this;
  }

  unsubscribe(filters: string[]): this {
    for (const f of filters) this.subscriptions.delete(f);
    return this;
  }

  reconnect(): this {
    this.reconnects++;
    return this;
  }

  endAsync(): Promise<void> {
    this.ended = true;
    this.disconnected = true;
    return Promise.resolve();
  }

  end(): this {
    this.ended = true;
    this.disconnected = true;
    return this;
  }

  /** Payloads published on `topic`. */
  on_(topic: string): string[] {
    return this.published.filter((p) => p.topic === topic).map((p) => p.payload);
  }

  /** The last payload published on `topic`. */
  last(topic: string): string | undefined {
    return this.on_(topic).at(-1);
  }
}

/** The fake `connect` and every client it made. */
export interface FakeMqtt {
  load: MqttLoader;
  clients: FakeClient[];
}

/** Creates the fake. */
export function fakeMqtt(): FakeMqtt {
  const clients: FakeClient[] = [];
  const connect = (url: string, options: IClientOptions): MqttClient => {
    const c = new FakeClient(url, options);
    clients.push(c);
    return c as unknown as MqttClient;
  };
  return { clients, load: () => Promise.resolve({ connect: connect as unknown as typeof mqttConnect }) };
}

/** Lets pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}
