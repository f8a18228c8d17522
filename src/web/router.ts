/** Client-side routing over the page paths the server serves the shell for (http-api.md §10). */
import { routeFor } from "./page-paths.ts";

export { accountResult, detailVin, ROUTES, routeFor, type Route } from "./page-paths.ts";

/**
 * Intercepts clicks on same-origin links to known pages and calls `go` instead of loading the page
 * (modified clicks, downloads and other targets behave normally). Returns the uninstall function.
 */
export function interceptLinks(root: HTMLElement, go: (path: string) => void): () => void {
  const onClick = (ev: MouseEvent): void => {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey)
      return;
    const a = ev.composedPath().find((n): n is HTMLAnchorElement => n instanceof HTMLAnchorElement);
    if (!a || a.hasAttribute("download") || (a.target !== "" && a.target !== "_self")) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || !routeFor(url.pathname)) return;
    // In-page anchors (the skip link) keep their native behaviour.
    if (url.pathname === location.pathname && url.hash !== "") return;
    ev.preventDefault();
    go(url.pathname + url.search + url.hash);
  };
  root.addEventListener("click", onClick);
  return () => root.removeEventListener("click", onClick);
}
