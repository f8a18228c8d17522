/** The page paths the server serves the shell for (http-api.md §10, vehicles.md §8), pure (no DOM). */

/** One navigable page. */
export interface Route {
  path: string;
  title: string;
  /** The navigation entry marked current on this page (its own path when absent). */
  nav?: string;
}

/** Pages in navigation order. */
export const ROUTES: readonly Route[] = [
  { path: "/", title: "Dashboard" },
  { path: "/graphs", title: "Graphs" },
  { path: "/schedule", title: "Schedule" },
  { path: "/policy", title: "Policy" },
  { path: "/vehicles", title: "Vehicles" },
  { path: "/settings", title: "Settings" },
  { path: "/debug", title: "Debug" },
  { path: "/logs", title: "Logs" },
];

/** Server routes under /teslaAccount/ that are not pages (vehicles.md §8.1). */
const ACCOUNT_ACTIONS = new Set(["login", "callback", "saveToken"]);

/**
 * The route for a path (unknown paths → null): the navigation pages, `/vehicleDetail/<VIN>`,
 * `/teslaAccount` and `/teslaAccount/<result>` (vehicles.md §8), but not the account's form routes.
 */
export function routeFor(path: string): Route | null {
  const exact = ROUTES.find((r) => r.path === path);
  if (exact) return exact;
  const detail = /^\/vehicleDetail\/([^/]+)$/.exec(path);
  if (detail) return { path, title: "Vehicle", nav: "/vehicles" };
  const account = /^\/teslaAccount(?:\/([^/]+))?$/.exec(path);
  if (account && !ACCOUNT_ACTIONS.has(account[1] ?? "")) return { path, title: "Tesla account", nav: "/vehicles" };
  return null;
}

/** The VIN of a `/vehicleDetail/<VIN>` path (decoded, upper case), else null. */
export function detailVin(path: string): string | null {
  const m = /^\/vehicleDetail\/([^/]+)$/.exec(path);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1] ?? "").toUpperCase();
  } catch {
    return null;
  }
}

/** The result of a `/teslaAccount/<result>` path (vehicles.md §2.4 step 4), null on `/teslaAccount`. */
export function accountResult(path: string): string | null {
  const m = /^\/teslaAccount\/([^/]+)$/.exec(path);
  if (!m || ACCOUNT_ACTIONS.has(m[1] ?? "")) return null;
  try {
    return decodeURIComponent(m[1] ?? "");
  } catch {
    return null;
  }
}
