/** Policy webhooks (controller.md §16.9): one asynchronous request, 5 s timeout, no retries. */
import type { Clock } from "../shared/clock.ts";

/** Sends the status document to `url` (POST with JSON body, or GET without body). */
export async function sendWebhook(url: string, method: "POST" | "GET", body: string, clock: Clock, timeoutMs = 5000): Promise<void> {
  const ac = new AbortController();
  const t = clock.setTimeout(() => ac.abort(), timeoutMs);
  try {
    const res = await fetch(url, {
      method,
      signal: ac.signal,
      ...(method === "POST" ? { headers: { "Content-Type": "application/json" }, body } : {}),
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  } finally {
    clock.clearTimeout(t);
  }
}
