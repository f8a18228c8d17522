/**
 * The Dummy interface (config.md §4.4): a BusBinding whose ports write into a SimBus and emit the
 * bus's bytes as `data`. A closed port stops delivering; stopping the bus closes its open ports.
 */
import { TwcError } from "../shared/errors.ts";
import type { SimBus } from "../sim/sim-bus.ts";
import type { BusBinding, BusPort, BusPortEvents } from "./port.ts";

/** A BusBinding over the simulator (interfaceName "Dummy", endpoint null). */
export function createSimBinding(bus: SimBus): BusBinding {
  return {
    interfaceName: "Dummy",
    endpoint: null,
    open(): Promise<BusPort> {
      if (bus.stopped) {
        return Promise.reject(
          new TwcError({ code: "TRANSPORT_OPEN_FAILED", message: "the simulator is stopped" }),
        );
      }
      return Promise.resolve(new SimPort(bus));
    },
  };
}

class SimPort implements BusPort {
  private readonly dataListeners: BusPortEvents["data"][] = [];
  private readonly closeListeners: BusPortEvents["close"][] = [];
  private closed = false;
  private readonly offData: () => void;
  private readonly offClose: () => void;

  constructor(private readonly bus: SimBus) {
    this.offData = bus.onData((bytes) => {
      if (this.closed) return;
      for (const l of [...this.dataListeners]) l(bytes);
    });
    this.offClose = bus.onClose(() =>
      this.shutdown(new TwcError({ code: "TRANSPORT_CLOSED", message: "the simulator stopped" })),
    );
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.closed) {
      return Promise.reject(
        new TwcError({ code: "TRANSPORT_CLOSED", message: "the simulator port is closed" }),
      );
    }
    this.bus.write(bytes.slice());
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.shutdown(undefined);
    return Promise.resolve();
  }

  on<E extends keyof BusPortEvents>(event: E, listener: BusPortEvents[E]): void {
    if (event === "data") this.dataListeners.push(listener as BusPortEvents["data"]);
    else this.closeListeners.push(listener as BusPortEvents["close"]);
  }

  private shutdown(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.offData();
    this.offClose();
    for (const l of [...this.closeListeners]) l(error);
  }
}
