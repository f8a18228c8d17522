/**
 * The bus interface of the configuration (config.md §4.1), each loaded only when configured (issue 9
 * §7): the simulator for Dummy, `serialport` for RS485 (transport/serial.ts loads it on open), the TCP
 * socket for TCP (and RS485 `socket://`), RFC 2217 for RS485 `rfc2217://`, the listener for TCP `listen`.
 */
import type { AppConfig } from "../config/app-config.ts";
import type { Clock } from "../shared/clock.ts";
import type { SimBus } from "../sim/sim-bus.ts";
import type { BusBinding } from "../transport/port.ts";
import type { TransportLogger } from "../transport/reconnecting.ts";

/** The binding and, for Dummy, the simulated bus behind it. */
export interface ConfiguredBus {
  binding: BusBinding;
  sim: SimBus | null;
}

/** Creates the configured bus binding (not opened); `logger` gets the TCP listener's bridge lines. */
export async function busBinding(config: AppConfig, clock: Clock, logger?: TransportLogger): Promise<ConfiguredBus> {
  const bus = config.bus;
  switch (bus.kind) {
    case "Dummy": {
      const [{ SimBus }, { parseSlaveDefInput }, { createSimBinding }] = await Promise.all([
        import("../sim/sim-bus.ts"),
        import("../sim/def-parse.ts"),
        import("../transport/sim.ts"),
      ]);
      const sim = new SimBus({
        clock,
        slaves: bus.slaves.map((d, i) => parseSlaveDefInput(d, `interface.Dummy.slaves[${i}]`)),
        ...(bus.seed !== null ? { seed: bus.seed } : {}),
        realisticTiming: bus.realisticTiming,
      });
      return { binding: createSimBinding(sim), sim };
    }
    case "RS485": {
      const { createSerialBinding } = await import("../transport/serial.ts");
      return { binding: createSerialBinding({ path: bus.path, baud: bus.baud }), sim: null };
    }
    case "TCP": {
      const { createTcpBinding } = await import("../transport/tcp.ts");
      return {
        binding: createTcpBinding({ host: bus.host, port: bus.port, interfaceName: bus.viaRs485Port ? "RS485" : "TCP", clock }),
        sim: null,
      };
    }
    case "RFC2217": {
      const { createRfc2217Binding } = await import("../transport/rfc2217.ts");
      return { binding: createRfc2217Binding({ host: bus.host, port: bus.port, baud: bus.baud, clock }), sim: null };
    }
    case "TCPListen": {
      const { createTcpListenBinding } = await import("../transport/tcp-listen.ts");
      return {
        binding: createTcpListenBinding({ host: bus.host, port: bus.port, clock, ...(logger ? { logger } : {}) }),
        sim: null,
      };
    }
  }
}
