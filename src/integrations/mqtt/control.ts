/**
 * MQTT control (`control.MQTT`, config.md §5.1): subscribes `<prefix>/control/+` at QoS 0 and runs each
 * valid command through the commands facade (the same one HTTP uses: evaluate at once, save). Retained
 * messages are ignored, so a retained command is never replayed on reconnect; every refused message is
 * logged with its reason and counted. Nothing here throws into the connection or stalls it.
 */
import type { MqttBrokerConfig } from "../../config/app-config.ts";
import type { Commands } from "../../engine/commands.ts";
import type { Module, ModuleContext, ModuleFactory } from "../module.ts";
import { brokerSettings } from "./broker.ts";
import type { MqttConnections, MqttLease } from "./connections.ts";
import { sharedMqttConnections } from "./connections.ts";
import { ControlCounters, type ControlCounts } from "./control-counters.ts";
import { parseControl, showPayload, type ControlCommand, type ParsedControl } from "./control-parse.ts";

/** The facade methods the MQTT command paths use. */
export type ControlCommands = Pick<
  Commands,
  "chargeNow" | "cancelChargeNow" | "setSetting" | "sendStartCommand" | "sendStopCommand"
>;

/** What the composition root adds to a control module. */
export interface MqttControlOptions {
  /** The shared connection manager (default: the process-wide one). */
  connections?: MqttConnections;
  /** Graceful shutdown (controller.md §2), asked for by `<prefix>/control/stop`. */
  requestShutdown?: () => void;
}

/** Longest payload looked at; longer ones are refused as malformed. */
export const MAX_PAYLOAD_BYTES = 1024;

/** Runs one validated command; returns an error message when the facade refused it. */
export function runControlCommand(
  cmd: ControlCommand,
  commands: ControlCommands,
  requestShutdown: (() => void) | undefined,
): string | null {
  try {
    switch (cmd.kind) {
      case "chargeNow":
        commands.chargeNow(cmd.amps, cmd.seconds);
        return null;
      case "chargeNowEnd":
        commands.cancelChargeNow();
        return null;
      case "nonScheduledAmpsMax":
        commands.setSetting("nonScheduledAmpsMax", cmd.amps);
        return null;
      case "nonScheduledAction":
        commands.setSetting("nonScheduledAction", cmd.action);
        return null;
      case "stop":
        if (!requestShutdown) return "shutdown is not available in this process";
        requestShutdown();
        return null;
    }
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** The running control module. */
export class MqttControlModule implements Module {
  readonly name = "control.MQTT";
  private lease: MqttLease | null = null;
  private readonly counters = new ControlCounters();
  private readonly base: string;

  constructor(
    private readonly cfg: MqttBrokerConfig,
    private readonly ctx: ModuleContext,
    private readonly opts: MqttControlOptions = {},
  ) {
    this.base = `${cfg.topicPrefix}/control/`;
  }

  /** Leases the connection and subscribes; returns at once (connecting goes on in the background). */
  start(): void {
    if (this.lease) return;
    const connections = this.opts.connections ?? sharedMqttConnections(this.ctx.logger);
    this.lease = connections.acquire({
      owner: this.name,
      broker: brokerSettings(this.cfg),
      handlers: { onMessage: (topic, payload, retained) => this.onMessage(topic, payload, retained) },
    });
    this.lease.subscribe([`${this.base}+`]);
  }

  /** Releases the connection. */
  async stop(): Promise<void> {
    const lease = this.lease;
    this.lease = null;
    await lease?.release();
  }

  /** The command counters (received, accepted by command, rejected by reason). */
  stats(): ControlCounts {
    return this.counters.read();
  }

  /** True while the connection is up. */
  get connected(): boolean {
    return this.lease?.connected ?? false;
  }

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    if (!topic.startsWith(this.base)) return;
    this.counters.receive();
    const name = topic.slice(this.base.length);
    const parsed: ParsedControl = retained
      ? {
          ok: false,
          reason: "retained",
          message: "retained control messages are ignored (publish without the retain flag)",
        }
      : payload.length > MAX_PAYLOAD_BYTES
        ? { ok: false, reason: "malformed", message: `payload longer than ${MAX_PAYLOAD_BYTES} bytes` }
        : parseControl(name, payload.toString("utf8"), this.ctx.state.snapshot.budget.wiringMaxAmpsAllTWCs);
    if (!parsed.ok) {
      this.counters.reject(parsed.reason);
      this.ctx.logger.warn(
        { topic, reason: parsed.reason, payload: showPayload(payload.toString("utf8", 0, 64)) },
        `MQTT control ${topic} ignored: ${parsed.message}`,
      );
      return;
    }
    const failed = runControlCommand(parsed.command, this.ctx.commands, this.opts.requestShutdown);
    if (failed !== null) {
      this.counters.reject("failed");
      this.ctx.logger.warn({ topic, reason: "failed" }, `MQTT control ${topic} failed: ${failed}`);
      return;
    }
    this.counters.accept(parsed.command.kind);
    this.ctx.logger.info({ topic, command: parsed.command }, `MQTT control: ${parsed.command.kind}`);
  }
}

/** The factory of `control.MQTT` for the module host. */
export function mqttControlFactory(opts: MqttControlOptions = {}): ModuleFactory<MqttBrokerConfig> {
  return (cfg, ctx) => new MqttControlModule(cfg, ctx, opts);
}
