/**
 * The router as a module (vehicles.md §1.1 "Router: always"): started before the vehicle modules and
 * stopped after them, it attaches one VehicleRouter to the commands facade, so every command of the
 * charging logic goes through `commandPolicy` and every car's state is one merged record, whichever
 * vehicle modules run. It follows the modules as they register and unregister.
 */
import type { CommandPolicy } from "../../config/app-config.ts";
import type { Module, ModuleContext } from "../module.ts";
import { effectivePolicy } from "./policy.ts";
import { VehicleRouter } from "./router.ts";

/** The module. */
export class VehicleRouterModule implements Module {
  readonly name = "vehicle.router";
  private router: VehicleRouter | null = null;
  private unwatch: (() => void) | null = null;
  private warned = "";

  constructor(
    private readonly fromConfig: CommandPolicy | null,
    private readonly ctx: ModuleContext,
  ) {}

  /** The policy in force: config.json's, else settings.commandPolicy (an invalid one is warned about once). */
  policy(): CommandPolicy {
    const raw = this.ctx.commands.vehicleSettings().commandPolicy as unknown;
    const p = effectivePolicy(this.fromConfig, raw);
    if (this.fromConfig === null && raw !== undefined && raw !== p && typeof raw === "string" && raw.trim().toLowerCase() !== p && this.warned !== raw) {
      this.warned = raw;
      this.ctx.logger.warn({ value: raw }, `settings.commandPolicy must be prefer_ble, ble_only or api_only (found "${raw}"); using ${p}`);
    }
    return p;
  }

  /** Attaches the router. */
  start(): void {
    const c = this.ctx.commands;
    const router = new VehicleRouter({
      clock: this.ctx.clock,
      logger: this.ctx.logger,
      teslaApi: () => c.teslaApi(),
      providers: () => c.vehicleProviders(),
      policy: () => this.policy(),
    });
    this.router = router;
    this.unwatch = c.onVehicleProviders(() => router.subscribe());
    c.attachVehicleControl(router);
    this.ctx.logger.info({ policy: this.policy() }, `vehicle command router started (commandPolicy ${this.policy()})`);
  }

  /** Detaches it. */
  stop(): void {
    this.unwatch?.();
    this.unwatch = null;
    if (this.router) this.ctx.commands.attachVehicleControl(null);
    this.router?.close();
    this.router = null;
  }

  /** The running router (Debug counters, tests). */
  current(): VehicleRouter | null {
    return this.router;
  }
}

/** The registry's factory. */
export function createVehicleRouterModule(fromConfig: CommandPolicy | null, ctx: ModuleContext): VehicleRouterModule {
  return new VehicleRouterModule(fromConfig, ctx);
}
