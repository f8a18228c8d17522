/**
 * The TeslaMate module `vehicle.TeslaMate` (vehicles.md §5): token sync from TeslaMate's database into
 * the Fleet API module (§5.2) and telemetry from TeslaMate's MQTT topics (§5.3) on the telemetry base.
 * TeslaMate numbers its cars; a car id is linked to a VIN by its `display_name` equal to a Fleet API
 * car's name (else another vehicle module's car of that name). Values for a car not linked yet are kept
 * (latest per field) and replayed once it is.
 */
import type { TeslaMateConfig } from "../../config/app-config.ts";
import { every } from "../../shared/clock.ts";
import type { ModuleContext } from "../module.ts";
import type { VehicleAlert } from "../tesla/account.ts";
import type { TelemetryField, TelemetryUpdate } from "../vehicle-telemetry/telemetry-car.ts";
import { TelemetryModule, type TelemetryDeps } from "../vehicle-telemetry/telemetry-module.ts";
import { parseTeslaMateTopic, teslaMateFilters, teslaMateValue } from "./teslamate-topics.ts";
import { pgTokenQuery } from "./token-db.ts";
import { TokenSync, type TokenQuery } from "./token-sync.ts";

/** Injectable parts (tests). */
export interface TeslaMateDeps extends TelemetryDeps {
  /** The token query (default: PostgreSQL from the config). */
  tokenQuery?: TokenQuery;
}

/** §5.2 resync period. */
const RESYNC_MS = 3600 * 1000;

/** The module. */
export class TeslaMateModule extends TelemetryModule {
  readonly name = "vehicle.TeslaMate";
  private readonly prefix: string;
  /** Token sync, null when `syncTokens` is off (or incomplete). */
  readonly tokenSync: TokenSync | null;
  private stopResync: (() => void) | null = null;
  private readonly names = new Map<string, string>();
  private readonly vins = new Map<string, string>();
  private readonly pending = new Map<string, Map<TelemetryField, TelemetryUpdate>>();

  constructor(
    private readonly config: TeslaMateConfig,
    ctx: ModuleContext,
    deps: TeslaMateDeps,
  ) {
    super("TeslaMate", config.telemetry, config.atHomeRadiusFt, ctx, deps);
    this.prefix = config.telemetry?.prefix ?? "";
    const query = deps.tokenQuery ?? (config.db ? pgTokenQuery(config.db) : null);
    this.tokenSync =
      query === null
        ? null
        : new TokenSync({
            encryptionKey: config.encryptionKey,
            query,
            target: () => {
              const api = ctx.commands.teslaApi();
              return api ? { setTokens: (a, r) => api.setSyncedTokens(a, r) } : null;
            },
            clock: ctx.clock,
            logger: ctx.logger,
            onProblem: () => this.changed(),
          });
  }

  /**
   * The state document's alert while token sync cannot deliver tokens (wrong key, no table, database
   * down, …): VEHICLE_AUTH_REQUIRED, since the Fleet API then has no login it can use; the message names
   * the fix and holds no secret. None while sync works or is off.
   */
  alerts(): readonly VehicleAlert[] {
    const p = this.tokenSync?.problem ?? null;
    return p === null ? [] : [{ code: "VEHICLE_AUTH_REQUIRED", message: p.message, sinceMs: p.sinceMs }];
  }

  protected override started(): void {
    const sync = this.tokenSync;
    if (sync === null) return;
    if (this.config.encryptionKey === "chanegme") this.ctx.logger.error({}, "vehicle.TeslaMate.encryption_key is the sample's placeholder \"chanegme\": set it to TeslaMate's ENCRYPTION_KEY");
    void sync.sync();
    this.stopResync = every(this.ctx.clock, RESYNC_MS, () => void sync.sync());
  }

  override async stop(): Promise<void> {
    this.stopResync?.();
    this.stopResync = null;
    await super.stop();
  }

  protected filters(): string[] {
    return teslaMateFilters(this.prefix);
  }

  protected handle(topic: string, payload: string): void {
    const t = parseTeslaMateTopic(this.prefix, topic);
    if (t === null) return;
    const u = teslaMateValue(t.field, payload);
    if (u === null) return;
    if (u.field === "name") {
      this.names.set(t.carId, String(u.value));
      this.vins.delete(t.carId);
    }
    const vin = this.vins.get(t.carId) ?? this.link(t.carId);
    if (vin !== null) {
      this.feed(vin, [u]);
      return;
    }
    let kept = this.pending.get(t.carId);
    if (!kept) this.pending.set(t.carId, (kept = new Map<TelemetryField, TelemetryUpdate>()));
    kept.set(u.field, u);
  }

  /** Links the car id to a VIN by name and replays what was kept; null when no car has that name. */
  private link(carId: string): string | null {
    const name = this.names.get(carId);
    if (name === undefined) return null;
    const vin = this.vinByName(name);
    if (vin === null) return null;
    this.vins.set(carId, vin);
    this.ctx.logger.info({ vin, teslamateCar: carId }, `${this.name}: TeslaMate car ${carId} (${name}) is ${vin}`);
    const kept = this.pending.get(carId);
    this.pending.delete(carId);
    this.feed(vin, [{ field: "name", value: name }, ...(kept ? [...kept.values()] : [])]);
    return vin;
  }

  private vinByName(name: string): string | null {
    const api = this.ctx.commands.teslaApi();
    const fromApi = api?.statuses().find((s) => s.name === name);
    if (fromApi) return fromApi.vin;
    for (const p of this.ctx.commands.vehicleProviders()) {
      if (p === this) continue;
      const v = p.vehicles().find((c) => c.status()?.name === name);
      if (v) return v.vin;
    }
    return null;
  }

  /** Retries every car id that has a name but no VIN yet (the vehicle list changed). */
  protected remap(): void {
    for (const carId of this.names.keys()) if (!this.vins.has(carId)) this.link(carId);
  }
}

/** Creates the module (registry). */
export function createTeslaMateModule(config: TeslaMateConfig, ctx: ModuleContext, deps: TeslaMateDeps): TeslaMateModule {
  return new TeslaMateModule(config, ctx, deps);
}
