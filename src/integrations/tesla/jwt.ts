/** Reads a Fleet API access token's claims without verifying it (vehicles.md §2.3). Pure. */

/** The claims the module uses: expiry (epoch s) and the region (`ou_code`). */
export interface TokenClaims {
  exp: number | null;
  region: "NA" | "EU" | "CN" | null;
}

/** Decodes the JWT payload; null when the token is not a decodable JWT. */
export function decodeClaims(token: string): TokenClaims | null {
  const parts = token.split(".");
  if (parts.length < 2 || parts[1] === undefined || parts[1] === "") return null;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
    if (typeof payload !== "object" || payload === null) return null;
    const p = payload as Record<string, unknown>;
    const exp = typeof p.exp === "number" && Number.isFinite(p.exp) ? p.exp : null;
    const ou = typeof p.ou_code === "string" ? p.ou_code.toUpperCase() : "";
    return { exp, region: ou === "NA" || ou === "EU" || ou === "CN" ? ou : null };
  } catch {
    return null;
  }
}
