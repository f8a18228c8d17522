/**
 * One MQTT broker connection shared by the modules that lease it (issue 10 item 4): MQTT.js loaded on
 * first use, keep-alive 30 s, reconnect with back-off 1–120 s on the injected clock, every subscription
 * of every lease restored on each connect, messages dispatched to the leases whose filters match,
 * nothing queued while disconnected (QoS 0). Errors are kept as `lastError` and logged, never thrown.
 */
import { readFile } from "node:fs/promises";
import type { IClientOptions, MqttClient, connect as mqttConnect } from "mqtt";
import type { Clock, TimerHandle } from "../../shared/clock.ts";
import { redactText } from "../../shared/redact.ts";
import type { MqttBrokerSettings, MqttWill } from "./broker.ts";
import { KEEPALIVE_S, backoffDelayMs, brokerUrl, topicMatches } from "./broker.ts";

/** The logger the connections write to. */
export interface MqttLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** What a module hears from its connection; every callback is isolated (a throw is logged). */
export interface MqttLeaseHandlers {
  /** Connected (first time and every reconnect): subscriptions are already restored. */
  onConnect?(): void;
  /** The connection was lost (it reconnects by itself). */
  onDisconnect?(): void;
  /** Connecting failed or the broker refused (the message is redacted); it keeps retrying. */
  onError?(message: string): void;
  /** A message on one of the lease's filters; `retained` is the broker's retain flag. */
  onMessage?(topic: string, payload: Buffer, retained: boolean): void;
}

/** A module's handle on a shared connection. */
export interface MqttLease {
  /** True while the connection is up. */
  readonly connected: boolean;
  /** Adds subscriptions (QoS 0), restored on every reconnect. */
  subscribe(filters: readonly string[]): void;
  /** Removes subscriptions of this lease. */
  unsubscribe(filters: readonly string[]): void;
  /** Publishes at QoS 0; false (nothing queued) while disconnected. */
  publish(topic: string, payload: string, retain: boolean): boolean;
  /** Ends the lease; the last one closes the connection. Never rejects. */
  release(): Promise<void>;
}

/** Connection state for the state document, `/metrics` and the dashboard. */
export interface MqttConnectionState {
  /** `mqtt://host:port` or `mqtts://host:port` (no credentials). */
  broker: string;
  version: MqttBrokerSettings["version"];
  connected: boolean;
  /** When the current connection came up (epoch ms), null while down. */
  connectedSinceMs: number | null;
  /** The last error (redacted), null after a successful connect. */
  lastError: string | null;
  /** Names of the modules using it. */
  users: string[];
  /** Successful connects so far (1 after the first). */
  connects: number;
}

/** Loads MQTT.js (injectable for tests). */
export type MqttLoader = () => Promise<{ connect: typeof mqttConnect }>;

/** Dependencies of a connection. */
export interface MqttConnectionDeps {
  clock: Clock;
  logger: MqttLogger;
  load: MqttLoader;
  /** Smallest reconnect delay (ms), default 1000. */
  backoffMinMs?: number;
  /** Client id prefix; a random suffix keeps two instances apart. */
  clientIdPrefix?: string;
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return redactText(
      typeof code === "string" && !err.message.includes(code) ? `${code}: ${err.message}` : err.message,
    );
  }
  return redactText(String(err));
}

class Lease implements MqttLease {
  readonly filters = new Set<string>();
  released = false;

  constructor(
    readonly owner: string,
    readonly handlers: MqttLeaseHandlers,
    private readonly conn: MqttConnection,
  ) {}

  get connected(): boolean {
    return !this.released && this.conn.connected;
  }

  subscribe(filters: readonly string[]): void {
    if (this.released) return;
    const added = filters.filter((f) => !this.filters.has(f));
    for (const f of added) this.filters.add(f);
    this.conn.subscribeFilters(added);
  }

  unsubscribe(filters: readonly string[]): void {
    const removed = filters.filter((f) => this.filters.delete(f));
    this.conn.unsubscribeUnused(removed);
  }

  publish(topic: string, payload: string, retain: boolean): boolean {
    return !this.released && this.conn.publish(topic, payload, retain);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const filters = [...this.filters];
    this.filters.clear();
    await this.conn.drop(this, filters);
  }
}

/** One connection to one broker. */
export class MqttConnection {
  private client: MqttClient | null = null;
  private readonly leases = new Set<Lease>();
  private opening = false;
  private closed = false;
  private retryTimer: TimerHandle | null = null;
  private attempt = 0;
  private up = false;
  private sinceMs: number | null = null;
  private error: string | null = null;
  private connects = 0;
  private warnedDown = false;
  private readonly url: string;
  private readonly clientId: string;

  constructor(
    readonly settings: MqttBrokerSettings,
    /** The will; settable until the connection opens (then fixed). */
    public will: MqttWill | null,
    private readonly deps: MqttConnectionDeps,
    /** Called once the last lease is gone and the connection closed. */
    private readonly onClosed: () => void,
  ) {
    this.url = brokerUrl(settings);
    this.clientId = `${deps.clientIdPrefix ?? "twcmanager"}-${Math.random().toString(16).slice(2, 10)}`;
  }

  /** True while connected. */
  get connected(): boolean {
    return this.up;
  }

  /** True once connecting has begun (the will can no longer change). */
  get opened(): boolean {
    return this.opening || this.client !== null;
  }

  /** True once closed for good. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Adds a lease for `owner`. */
  lease(owner: string, handlers: MqttLeaseHandlers): MqttLease {
    const l = new Lease(owner, handlers, this);
    this.leases.add(l);
    // Already up: the module hears "connected" on the next turn (once it holds its lease).
    if (this.up) {
      this.deps.clock.setTimeout(() => {
        if (!l.released && this.up) this.safe(l, "onConnect", () => l.handlers.onConnect?.());
      }, 0);
    }
    return l;
  }

  /** Starts connecting (once); returns at once, never throws. */
  open(): void {
    if (this.opened || this.closed) return;
    this.opening = true;
    this.deps.load().then(
      (mqtt) => {
        if (this.closed) return;
        this.createClient(mqtt.connect);
      },
      (err: unknown) => {
        this.opening = false;
        this.noteError(`cannot load MQTT.js: ${describe(err)}`);
      },
    );
  }

  /** The state shown to users. */
  state(): MqttConnectionState {
    return {
      broker: this.url,
      version: this.settings.version,
      connected: this.up,
      connectedSinceMs: this.sinceMs,
      lastError: this.error,
      users: [...new Set([...this.leases].map((l) => l.owner))].sort(),
      connects: this.connects,
    };
  }

  private async options(): Promise<IClientOptions> {
    const s = this.settings;
    const o: IClientOptions = {
      clientId: this.clientId,
      protocolVersion: s.version === "5" ? 5 : 4,
      keepalive: KEEPALIVE_S,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      clean: true,
      resubscribe: false,
      queueQoSZero: false,
      reconnectOnConnackError: false,
    };
    if (s.username !== null) {
      o.username = s.username;
      if (s.password !== null) o.password = s.password;
    }
    if (this.will)
      o.will = {
        topic: this.will.topic,
        payload: Buffer.from(this.will.payload),
        qos: 0,
        retain: this.will.retain,
      };
    if (s.tls) {
      o.rejectUnauthorized = true;
      if (s.caFile !== null) o.ca = await readFile(s.caFile);
    }
    return o;
  }

  private createClient(connect: typeof mqttConnect): void {
    this.options().then(
      (opts) => {
        if (this.closed) return;
        let client: MqttClient;
        try {
          client = connect(this.url, opts);
        } catch (err) {
          this.opening = false;
          this.noteError(`cannot connect to ${this.url}: ${describe(err)}`);
          this.scheduleRetry(() => this.createClient(connect));
          return;
        }
        this.client = client;
        this.opening = false;
        client.on("connect", () => this.onConnect());
        client.on("message", (topic, payload, packet) => this.dispatch(topic, payload, packet.retain));
        client.on("error", (err) => this.noteError(describe(err)));
        client.on("close", () => this.onClose());
      },
      (err: unknown) => {
        this.noteError(`cannot read brokerCAFile ${this.settings.caFile ?? ""}: ${describe(err)}`);
        this.scheduleRetry(() => this.createClient(connect));
      },
    );
  }

  private onConnect(): void {
    this.up = true;
    this.attempt = 0;
    this.error = null;
    this.warnedDown = false;
    this.connects++;
    this.sinceMs = this.deps.clock.now();
    this.deps.logger.info({ broker: this.url, users: this.state().users }, `MQTT connected to ${this.url}`);
    const filters = this.allFilters();
    if (filters.length > 0)
      this.client?.subscribe(filters, { qos: 0 }, (err) => {
        if (err) this.noteError(`subscribe failed: ${describe(err)}`);
      });
    for (const l of [...this.leases]) this.safe(l, "onConnect", () => l.handlers.onConnect?.());
  }

  private onClose(): void {
    const wasUp = this.up;
    this.up = false;
    this.sinceMs = null;
    if (this.closed) return;
    if (wasUp) {
      this.deps.logger.warn(
        { broker: this.url, error: this.error },
        `MQTT connection to ${this.url} lost; reconnecting`,
      );
      for (const l of [...this.leases]) this.safe(l, "onDisconnect", () => l.handlers.onDisconnect?.());
    }
    this.scheduleRetry(() => this.client?.reconnect());
  }

  private scheduleRetry(fn: () => void): void {
    if (this.closed || this.retryTimer !== null) return;
    this.attempt++;
    const delay = backoffDelayMs(this.attempt, this.deps.backoffMinMs);
    this.deps.logger.debug(
      { broker: this.url, attempt: this.attempt, delayMs: delay },
      "MQTT reconnect scheduled",
    );
    this.retryTimer = this.deps.clock.setTimeout(() => {
      this.retryTimer = null;
      if (!this.closed) fn();
    }, delay);
  }

  private noteError(message: string): void {
    this.error = message;
    for (const l of [...this.leases]) this.safe(l, "onError", () => l.handlers.onError?.(message));
    if (!this.warnedDown) {
      this.warnedDown = true;
      this.deps.logger.warn({ broker: this.url, error: message }, `MQTT ${this.url}: ${message}`);
    } else {
      this.deps.logger.debug({ broker: this.url, error: message }, `MQTT ${this.url}: ${message}`);
    }
  }

  private dispatch(topic: string, payload: Buffer, retained: boolean): void {
    for (const l of [...this.leases]) {
      if (![...l.filters].some((f) => topicMatches(f, topic))) continue;
      this.safe(l, "onMessage", () => l.handlers.onMessage?.(topic, payload, retained));
    }
  }

  private safe(l: Lease, what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.deps.logger.error(
        { err, module: l.owner, broker: this.url },
        `MQTT ${what} handler of ${l.owner} failed`,
      );
    }
  }

  private allFilters(): string[] {
    const all = new Set<string>();
    for (const l of this.leases) for (const f of l.filters) all.add(f);
    return [...all];
  }

  /** Subscribes filters a lease added (when connected; otherwise on the next connect). */
  subscribeFilters(filters: readonly string[]): void {
    if (!this.up || filters.length === 0) return;
    this.client?.subscribe([...filters], { qos: 0 }, (err) => {
      if (err) this.noteError(`subscribe failed: ${describe(err)}`);
    });
  }

  /** Unsubscribes filters no lease uses any more. */
  unsubscribeUnused(filters: readonly string[]): void {
    const still = new Set(this.allFilters());
    const gone = filters.filter((f) => !still.has(f));
    if (this.up && gone.length > 0) this.client?.unsubscribe(gone);
  }

  /** Publishes at QoS 0 when connected. */
  publish(topic: string, payload: string, retain: boolean): boolean {
    const client = this.client;
    if (!this.up || !client) return false;
    client.publish(topic, payload, { qos: 0, retain }, (err) => {
      if (err)
        this.deps.logger.debug({ broker: this.url, topic, error: describe(err) }, "MQTT publish failed");
    });
    return true;
  }

  /** Removes a lease; closes the connection when it was the last. */
  async drop(l: Lease, filters: readonly string[]): Promise<void> {
    this.leases.delete(l);
    if (this.leases.size > 0) {
      this.unsubscribeUnused(filters);
      return;
    }
    await this.close();
  }

  /** Closes for good (a graceful DISCONNECT when up, so the will is not sent). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer) this.deps.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const client = this.client;
    this.client = null;
    const wasUp = this.up;
    this.up = false;
    this.onClosed();
    if (!client) return;
    let timer: TimerHandle | null = null;
    const grace = new Promise<void>((r) => (timer = this.deps.clock.setTimeout(r, 2000)));
    try {
      await Promise.race([client.endAsync(!wasUp), grace]);
    } catch (err) {
      this.deps.logger.debug({ broker: this.url, error: describe(err) }, "MQTT close failed");
    } finally {
      if (timer) this.deps.clock.clearTimeout(timer);
      if (!client.disconnected) client.end(true);
    }
  }
}
