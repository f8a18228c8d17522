/** Test helper: one raw HTTP exchange over a loopback socket, without any client-side normalisation. */
import { connect } from "node:net";

/** Writes `request` to 127.0.0.1:`port` and resolves with everything the server sent until it closed. */
export function rawRequest(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let data = "";
    socket.setEncoding("latin1");
    socket.on("data", (d: string) => (data += d));
    socket.on("end", () => resolve(data));
    socket.on("error", reject);
    socket.write(request);
  });
}
