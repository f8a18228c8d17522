/**
 * Secret redaction for every output (getConfig, getPolicy, /api/v2/settings, source errors, log lines):
 * by key name (a word rule on top of the regular expression of http-api.md §6.3) and by value (URL
 * userinfo, secret query parameters, Authorization schemes, JWTs, secret path segments). Webhook URLs
 * keep only scheme and host. Pure; see docs/decisions.md "Secret redaction" for the choices.
 */

/** What a redacted value is replaced with. */
export const HIDDEN = "(hidden)";

/** The key-name rule of http-api.md §6.3, kept as is: whatever it matches stays hidden. */
export const SPEC_SECRET_KEY = /pass(word)?|secret|token|api.?key|dsn|credential/i;

/** Stems that are secret inside any one word, even a run-together one ("mqttpwd", "wpapsk"). */
const SECRET_STEM = /pwd|passwd|psk|bearer|jwt|sessionid|sessid/;
/** Endings of a run-together last word that are secret ("privatekey", "proxyauthorization", "setcookie"). */
const SECRET_END =
  /(?:private|access|secret|auth|session|signing|encryption|master|shared|client|app|api)keys?$|authorization$|cookies?$/;
/** Words that are secret wherever they stand in a name. */
const SECRET_WORDS = new Set([
  "pin",
  "pins",
  "pincode",
  "sig",
  "signature",
  "signatures",
  "sid",
  "otp",
  "totp",
]);
/** Words that are secret only as the last word ("apiKey", "Set-Cookie", but not "chargeAuthorizationMode"). */
const SECRET_LAST_WORDS = new Set(["key", "keys", "authorization", "cookie", "cookies"]);
/** Words that make a following "key" secret anywhere ("privateKeyPem"; "accessKeyId" is an identifier). */
const KEY_QUALIFIERS = new Set([
  "private",
  "secret",
  "signing",
  "encryption",
  "master",
  "shared",
  "session",
  "auth",
  "client",
  "app",
  "api",
]);
/** Extra query-parameter names that carry secrets although they are not secret key names. */
const SECRET_QUERY_NAMES = new Set(["auth", "code"]);

/** The words of a key: split at non-alphanumerics and camelCase boundaries, lower-cased. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "")
    .map((w) => w.toLowerCase());
}

/** True when a property or parameter with this name holds a secret. */
export function isSecretKey(key: string): boolean {
  if (SPEC_SECRET_KEY.test(key)) return true;
  const words = keyWords(key);
  const last = words[words.length - 1];
  if (last !== undefined && (SECRET_LAST_WORDS.has(last) || SECRET_END.test(last))) return true;
  return words.some(
    (w, i) =>
      SECRET_STEM.test(w) ||
      SECRET_WORDS.has(w) ||
      (w === "session" && words[i + 1] === "id") ||
      ((w === "key" || w === "keys") && KEY_QUALIFIERS.has(words[i - 1] ?? "")),
  );
}

/** True for a key whose values are webhook URLs (any word "webhook", "webhooks" or "hooks"). */
export function isWebhookKey(key: string): boolean {
  return keyWords(key).some((w) => w === "webhook" || w === "webhooks" || w === "hooks");
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function isBasicCredential(b64: string): boolean {
  try {
    return atob(b64).includes(":");
  } catch {
    return false;
  }
}

const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^\s/?#"'<>]*@/gi;
const BARE_USERINFO = /(^|[\s"'(<,=])[A-Za-z0-9._~%!$&*+;-]+:[^\s@/"'<>]+@(?=[A-Za-z0-9[])/g;
const PARAM = /([?&;]|^|\s)([A-Za-z0-9_.\-[\]%]+)=(\(hidden\)|[^&;#\s"'<>]*?)(?=[:,.)]?(?:[&;#\s"'<>]|$))/g;
const JSON_PAIR = /"([^"\\]{1,64})"(\s*:\s*)(?:"(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*)/g;
const HEADER =
  /\b(authorization|cookie|set-cookie|x-api-key|x-auth-token)(\s*:\s*)(?!\s*\(hidden\))[^\r\n"]+/gi;
const BEARER = /\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*/gi;
const BASIC = /\b(Basic)\s+([A-Za-z0-9+/]+={0,2})/g;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const SECRET_SEGMENT =
  /\/(webhooks?|hooks|key|keys|token|tokens|secret|secrets|apikey|api_key|password)\/[^\s/?#"'<>]+/gi;
const SLACK_PATH = /(hooks\.slack\.com\/services\/)[^\s?#"'<>]+/gi;

/**
 * `s` with secrets inside the text replaced by "(hidden)": URL userinfo (`scheme://(hidden)@host`, also
 * a bare `user:pass@host`), values of secret query or `name=value` parameters, quoted JSON pairs with a
 * secret name, `Bearer`/`Basic` credentials, JWTs, and the path segment after `/webhook/`, `/token/`, `/key/`….
 */
export function redactText(s: string): string {
  if (!/[@=:/]|bearer|basic|eyJ/i.test(s)) return s;
  return s
    .replace(URL_USERINFO, `$1${HIDDEN}@`)
    .replace(BARE_USERINFO, `$1${HIDDEN}@`)
    .replace(PARAM, (all, lead: string, name: string, value: string) => {
      if (value === "" || value === HIDDEN) return all;
      const n = safeDecode(name);
      const secret =
        isSecretKey(n) || (lead !== "" && !/\s/.test(lead) && SECRET_QUERY_NAMES.has(n.toLowerCase()));
      return secret ? `${lead}${name}=${HIDDEN}` : all;
    })
    .replace(JSON_PAIR, (all, name: string, colon: string) =>
      isSecretKey(name) ? `"${name}"${colon}"${HIDDEN}"` : all,
    )
    .replace(HEADER, `$1$2${HIDDEN}`)
    .replace(BEARER, `$1 ${HIDDEN}`)
    .replace(BASIC, (all, word: string, cred: string) =>
      isBasicCredential(cred) ? `${word} ${HIDDEN}` : all,
    )
    .replace(JWT, HIDDEN)
    .replace(SLACK_PATH, `$1${HIDDEN}`)
    .replace(SECRET_SEGMENT, `/$1/${HIDDEN}`);
}

/**
 * A webhook URL reduced to scheme and host: Home Assistant, Discord, Slack and IFTTT webhooks carry their
 * secret in the path, so path, query and fragment become "/(hidden)" and userinfo "(hidden)@". A string
 * that is not an absolute URL gets the text rule.
 */
export function redactWebhookUrl(url: string): string {
  const t = url.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) return redactText(url);
  let u: URL;
  try {
    u = new URL(t);
  } catch {
    return HIDDEN;
  }
  const user = u.username !== "" || u.password !== "" ? `${HIDDEN}@` : "";
  const rest =
    (u.pathname !== "" && u.pathname !== "/") || u.search !== "" || u.hash !== "" ? `/${HIDDEN}` : "";
  return `${u.protocol}//${user}${u.host}${rest}`;
}

function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty keeps keys such as "__proto__" as ordinary own data properties.
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A deep copy of `value` with secrets replaced by "(hidden)": a property whose key is secret (isSecretKey)
 * loses its whole value, whatever its type; every other string gets redactText, or redactWebhookUrl below
 * a webhook key. Key order and structure are kept; non-JSON values become null.
 */
export function redactSecrets(value: unknown, depth = 0, inWebhook = false): unknown {
  if (depth > 256) return null;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1, inWebhook));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      setOwn(out, k, isSecretKey(k) ? HIDDEN : redactSecrets(v, depth + 1, inWebhook || isWebhookKey(k)));
    return out;
  }
  if (typeof value === "string") return inWebhook ? redactWebhookUrl(value) : redactText(value);
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "boolean" || value === null) return value;
  return null;
}

/** Anything in a log line that may need redaction; lines without it are passed through untouched. */
const MAYBE_SECRET =
  /pass|secret|token|key|dsn|credential|pwd|psk|pin|bearer|basic|jwt|authorization|cookie|sess|sid|sig|otp|hook|eyJ|@|=/i;

/**
 * One serialised log record (a JSON line, as pino writes it) with every secret redacted, by name and by
 * value; a line that is not JSON gets the text rule. Keeps the trailing newline.
 */
export function redactLogLine(line: string): string {
  if (!MAYBE_SECRET.test(line)) return line;
  const nl = line.endsWith("\n") ? "\n" : "";
  const body = nl ? line.slice(0, -1) : line;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return redactText(body) + nl;
  }
  return JSON.stringify(redactSecrets(parsed)) + nl;
}
