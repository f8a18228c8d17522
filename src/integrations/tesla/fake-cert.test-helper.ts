/** A test-made self-signed certificate for 127.0.0.1 (openssl, EC P-256, 1 day, IP SAN). */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Key and certificate PEMs valid for 127.0.0.1 and localhost. */
export function selfSignedCertIp(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), "twc-tesla-cert-"));
  try {
    const k = join(dir, "key.pem");
    const c = join(dir, "cert.pem");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-days", "1", "-keyout", k, "-out", c], { stdio: "ignore" });
    return { key: readFileSync(k, "utf8"), cert: readFileSync(c, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
