/**
 * The one shape of a bus open failure, shared by every transport (serial, TCP client, TCP listen,
 * RFC 2217): TwcError TRANSPORT_OPEN_FAILED whose message is "cannot <what>: <reason>" and whose
 * context carries the target (`path` for a device, `endpoint` for a network link), the human `reason`
 * and the OS error code `errno` ("ENOENT", "EACCES", "ECONNREFUSED", "EADDRINUSE", "ENOTFOUND", …, or
 * null when there is none). The dashboard builds its banner from these fields. Pure.
 */
import { TwcError } from "../shared/errors.ts";

/** A described OS error: the short human reason and its errno code (null when unknown). */
export interface OsErrorInfo {
  reason: string;
  errno: string | null;
}

/** Human reasons for the error codes a bus link meets. */
const REASONS: Readonly<Record<string, string>> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EBUSY: "device or resource busy",
  ENOTTY: "not a serial device",
  ENXIO: "no such device",
  ENODEV: "no such device",
  EIO: "input/output error",
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset by the remote end",
  EPIPE: "connection closed by the remote end",
  ETIMEDOUT: "timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ENOTFOUND: "host not found (DNS lookup failed)",
  EAI_AGAIN: "host name lookup failed temporarily (DNS)",
  EADDRINUSE: "address already in use",
  EADDRNOTAVAIL: "address not available on this machine",
};

/** strerror() texts (as serialport reports them, without an error code) → the code. */
const STRERROR: readonly (readonly [RegExp, string])[] = [
  [/no such file or directory/i, "ENOENT"],
  [/permission denied/i, "EACCES"],
  [/operation not permitted/i, "EPERM"],
  [/device or resource busy/i, "EBUSY"],
  [/inappropriate ioctl/i, "ENOTTY"],
  [/no such device or address/i, "ENXIO"],
  [/no such device/i, "ENODEV"],
  [/input\/output error/i, "EIO"],
];

function codeOf(err: unknown): string | null {
  if (typeof err !== "object" || err === null) return null;
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" && /^(?:E[A-Z0-9]+|EAI_[A-Z]+)$/.test(code) ? code : null;
}

/** Describes an OS (or library) error as a short human reason and its errno code. */
export function describeOsError(err: unknown): OsErrorInfo {
  const message = err instanceof Error ? err.message : String(err);
  const errno = codeOf(err) ?? STRERROR.find(([re]) => re.test(message))?.[1] ?? null;
  const known = errno === null ? undefined : REASONS[errno];
  if (known !== undefined) return { reason: known, errno };
  return { reason: message.replace(/^Error:\s*/, "").trim() || "unknown error", errno };
}

/** Where an open failed: a device (`path`) or a network endpoint (`endpoint`). */
export type OpenTarget = { path: string } | { endpoint: string };

/**
 * The TRANSPORT_OPEN_FAILED error of every transport: `cannot ${what}: ${reason}`, context
 * `{ path | endpoint, reason, errno }`. `cause` is an OS error (described) or a reason string;
 * `reason` replaces the described one (the errno stays the cause's).
 */
export function openFailed(what: string, target: OpenTarget, cause: unknown, reason?: string): TwcError {
  const described = typeof cause === "string" ? { reason: cause, errno: null } : describeOsError(cause);
  const info = reason === undefined ? described : { reason, errno: described.errno };
  return new TwcError({
    code: "TRANSPORT_OPEN_FAILED",
    message: `cannot ${what}: ${info.reason}`,
    context: { ...target, reason: info.reason, errno: info.errno },
    ...(typeof cause === "string" ? {} : { cause }),
  });
}
