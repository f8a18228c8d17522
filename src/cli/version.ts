/** The product's version, read from package.json (`0.0.0` when it cannot be read). */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The product's version (package.json). */
export const VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL("../../package.json", import.meta.url)), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
})();
