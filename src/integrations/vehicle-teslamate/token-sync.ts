/**
 * TeslaMate token sync (vehicles.md §5.2): at start and every 3600 s, the newest row of TeslaMate's
 * `tokens` table is decrypted and handed to the Fleet API module. A failure of the first sync turns
 * sync off; later failures are only logged. No token ever reaches a log line.
 */
import type { Clock } from "../../shared/clock.ts";
import { redactText } from "../../shared/redact.ts";
import type { ModuleLogger } from "../module.ts";
import { decryptCloak } from "./cloak.ts";

/** The newest `tokens` row (bytea columns arrive as Buffers). */
export interface TokenRow {
  access: Buffer | string | null;
  refresh: Buffer | string | null;
}

/** Reads the newest row; null when the table is empty. Rejects on a connection or query failure. */
export type TokenQuery = () => Promise<TokenRow | null>;

/** Who receives the tokens (the Fleet API module's `setTokens`). */
export interface TokenTarget {
  setTokens(access: string, refresh: string): Promise<void>;
}

/** The SQL of §5.2. */
export const TOKEN_SQL = "SELECT access, refresh FROM tokens ORDER BY id DESC LIMIT 1";

/** The result of one sync. */
export type SyncOutcome = "synced" | "no_tokens" | "undecryptable" | "no_target" | "db_failed" | "off";

/** Options of the sync. */
export interface TokenSyncOptions {
  encryptionKey: string;
  query: TokenQuery;
  /** The Fleet API module now, null when it does not run. */
  target: () => TokenTarget | null;
  clock: Clock;
  logger: ModuleLogger;
  /** Called after each sync whose outcome changed `problem` (the module then notifies its listeners). */
  onProblem?: () => void;
}

const reasonOf = (err: unknown): string => redactText(err instanceof Error ? err.message : String(err));

/** The sync state machine (one per module). */
export class TokenSync {
  /** False once the first sync failed to reach the database. */
  enabled = true;
  /** Epoch ms of the last successful sync, null before. */
  syncedAtMs: number | null = null;
  /** What the last sync could not do and how to fix it (secret-free), null after a success or before the first. */
  problem: { message: string; sinceMs: number } | null = null;
  private attempts = 0;
  private running: Promise<SyncOutcome> | null = null;

  constructor(private readonly o: TokenSyncOptions) {}

  /** Runs one sync (a call while one runs joins it). */
  sync(): Promise<SyncOutcome> {
    this.running ??= this.run().finally(() => (this.running = null));
    return this.running;
  }

  private async run(): Promise<SyncOutcome> {
    if (!this.enabled) return "off";
    const { outcome, message } = await this.attempt();
    const before = this.problem?.message ?? null;
    if (message === null) this.problem = null;
    else if (before !== message) this.problem = { message, sinceMs: this.o.clock.now() };
    if ((this.problem?.message ?? null) !== before) this.o.onProblem?.();
    return outcome;
  }

  private async attempt(): Promise<{ outcome: SyncOutcome; message: string | null }> {
    const first = this.attempts === 0;
    this.attempts++;
    let row: TokenRow | null;
    try {
      row = await this.o.query();
    } catch (err) {
      const message = `TeslaMate token sync: cannot read TeslaMate's database (${reasonOf(err)}); ${first ? "token sync is off until restart" : "retrying in an hour"}`;
      if (first) this.enabled = false;
      this.o.logger.error({ reason: reasonOf(err) }, message);
      return { outcome: "db_failed", message };
    }
    if (row === null || row.access === null || row.refresh === null) {
      const message = "TeslaMate token sync: TeslaMate's tokens table holds no tokens (log in to Tesla in TeslaMate first)";
      this.o.logger.error({}, message);
      return { outcome: "no_tokens", message };
    }
    const access = decryptCloak(row.access, this.o.encryptionKey);
    const refresh = decryptCloak(row.refresh, this.o.encryptionKey);
    if (access === null || refresh === null) {
      const message = "TeslaMate token sync: the tokens do not decrypt: encryption_key must be TeslaMate's ENCRYPTION_KEY";
      this.o.logger.error({}, message);
      return { outcome: "undecryptable", message };
    }
    const target = this.o.target();
    if (target === null) {
      const message = "TeslaMate token sync: the Tesla Fleet API module (vehicle.teslaAPI) does not run; the tokens are not used";
      this.o.logger.error({}, message);
      return { outcome: "no_target", message };
    }
    await target.setTokens(access, refresh);
    this.syncedAtMs = this.o.clock.now();
    this.o.logger.info({}, "TeslaMate token sync: Tesla tokens copied from TeslaMate");
    return { outcome: "synced", message: null };
  }
}
