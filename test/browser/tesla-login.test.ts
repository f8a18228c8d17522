/**
 * The Tesla account page in chromium (issue 14 §4, vehicles.md §2.4, §8.2): TWCManager's login with
 * paste-back against the real Fleet API module and the HTTPS loopback fake of Tesla's OAuth endpoints.
 * "Log in to Tesla" opens a new tab that goes through /teslaAccount/login to Tesla's authorize page;
 * a loopback stand-in plays Tesla there (302 to the redirect URI with a code, as Tesla does after the
 * user approves; the code exchange goes on to the fake's token endpoint) and the user's redirect page
 * (a 404). The user copies that tab's address into step 2. Every request of every tab stays on loopback.
 */
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page, Request } from "playwright-core";
import { fakeCar, type FakeFleet } from "../../src/integrations/tesla/fake-fleet-api.test-helper.ts";
import { inPage, launchBrowser, openPage, screenshot, skipReason, waitFor, waitForText, type GuardedPage } from "./helpers.ts";
import { HOME, startVehicleRig, type VehicleRig } from "./vehicles-rig.ts";

const RED = "5YJ3E1EA8KF000001";
const CODE = "NA_3f1c0d4e5b6a7980";

const overflowX = (page: Page): Promise<number> =>
  inPage<number>(page, "document.documentElement.scrollWidth - document.documentElement.clientWidth");

/** Controls without an accessible name (label, aria-label or text). */
function unlabelled(page: Page): Promise<string[]> {
  return inPage<string[]>(
    page,
    `Array.from(document.querySelectorAll("main input, main select, main textarea, main button, main a[href]"))
      .filter((el) => !el.closest("[hidden]") && !el.closest("details:not([open])") && el.type !== "hidden")
      .filter((el) => !((el.labels && el.labels.length > 0) || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || (el.textContent || "").trim() !== ""))
      .map((el) => el.outerHTML.slice(0, 120))`,
  );
}

/** Every response body a user (or script) can read that might leak a token. */
async function publicBodies(rig: VehicleRig): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const path of ["/api/v2/state", "/api/v2/vehicles", "/api/v2/settings", "/api/getConfig", "/api/getSlaveTWCs"])
    out[path] = await (await fetch(`${rig.origin}${path}`)).text();
  return out;
}

/** The loopback stand-in for Tesla's login page and the user's redirect page. */
interface TeslaLoginPage {
  url: string;
  /** Where the code exchange (POST /oauth2/v3/token) is forwarded: the Fleet API fake's token endpoint. */
  forwardTo(fake: FakeFleet): void;
  close(): Promise<void>;
}

/**
 * Plays Tesla's authorize page (the user logs in and approves: 302 to the redirect URI with a code
 * and the state, as Tesla does), forwards the code exchange to the fake's token endpoint, and plays
 * the user's redirect page (a 404: the redirect URI need not reach TWCManager). Plain HTTP on
 * loopback, so the browser needs no certificate exception.
 */
async function startTeslaLoginPage(queries: URLSearchParams[]): Promise<TeslaLoginPage> {
  let fake: FakeFleet | null = null;
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method === "GET" && u.pathname === "/oauth2/v3/authorize") {
      queries.push(u.searchParams);
      res.writeHead(302, { Location: `${u.searchParams.get("redirect_uri") ?? ""}?code=${CODE}&state=${u.searchParams.get("state") ?? ""}&issuer=tesla` });
      return res.end();
    }
    if (req.method === "POST" && u.pathname === "/oauth2/v3/token" && fake) {
      const chunks: Buffer[] = [];
      const f = fake;
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        void f
          .fetch(`${f.url}/oauth2/v3/token`, { method: "POST", headers: { "content-type": req.headers["content-type"] ?? "application/x-www-form-urlencoded" }, body: Buffer.concat(chunks).toString("utf8"), signal: AbortSignal.timeout(10_000) })
          .then(async (r) => {
            res.writeHead(r.status, { "content-type": "application/json" });
            res.end(await r.text());
          })
          .catch(() => {
            res.writeHead(502);
            res.end();
          });
      });
      return;
    }
    res.writeHead(404, { "content-type": "text/html" });
    res.end("<!doctype html><title>Not found</title><h1>Not found</h1>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    forwardTo: (f) => {
      fake = f;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("Tesla login with paste-back", { skip: skipReason, timeout: 240_000 }, () => {
  let rig: VehicleRig;
  let browser: Browser;
  /** The authorize URLs "Tesla" was asked for. */
  const authorizeQueries: URLSearchParams[] = [];

  let tesla: TeslaLoginPage;

  before(async () => {
    tesla = await startTeslaLoginPage(authorizeQueries);
    rig = await startVehicleRig({
      cars: [fakeCar(RED, { name: "Red Model 3", soc: 47, lat: HOME.lat, lon: HOME.lon })],
      chargerVins: [null, null],
      loggedIn: false,
      tesla: { redirectUri: `${tesla.url}/tesla-callback` },
      authEndpoints: (fake) => {
        tesla.forwardTo(fake);
        return { auth: `${tesla.url}/oauth2/v3`, fleetAuth: `${fake.url}/oauth2/v3` };
      },
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await rig?.stop();
    await tesla?.close();
  });

  /** A page that records the requests of every tab of its context. */
  async function loginPage(vp: "desktop" | "phone"): Promise<GuardedPage & { requests: string[] }> {
    const g = await openPage(browser, rig.origin, vp);
    const requests: string[] = [];
    g.context.on("request", (r: Request) => requests.push(r.url()));
    return { ...g, requests };
  }

  /** Clicks step 1 and returns the address the new tab ends on (what the user copies). */
  async function stepOne(g: GuardedPage): Promise<string> {
    const [tab] = await Promise.all([g.context.waitForEvent("page"), g.page.getByTestId("login-link").click()]);
    await tab.waitForURL((u) => u.pathname === "/tesla-callback", { timeout: 15_000 });
    const url = tab.url();
    await tab.close();
    return url;
  }

  test("log in: Tesla's page in a new tab, the callback address pasted back, tokens stored in settings.json and never shown", async () => {
    const g = await loginPage("desktop");
    try {
      await g.page.goto(`${rig.origin}/vehicles`);
      await waitForText(g.page, "[data-testid=account-line]", /not logged in/);
      await g.page.getByTestId("account-line").getByRole("link", { name: "Log in to Tesla" }).click();
      await g.page.getByRole("heading", { name: "Tesla account", level: 1 }).waitFor();
      assert.equal(new URL(g.page.url()).pathname, "/teslaAccount");
      await waitForText(g.page, "[data-fact=login]", /^Not logged in$/);
      // PKCE (no client secret): no region selector (vehicles.md §8.2).
      assert.equal(await g.page.getByLabel("Region of your Tesla account").count(), 0);
      assert.deepEqual(await unlabelled(g.page), [], "every control has a name");
      await screenshot(g.page, "tesla-account-desktop");

      const callback = await stepOne(g);
      const q = authorizeQueries.at(-1);
      assert.ok(q, "the new tab reached Tesla's authorize page");
      assert.equal(q.get("response_type"), "code");
      assert.equal(q.get("client_id"), "test-client");
      assert.equal(q.get("redirect_uri"), `${tesla.url}/tesla-callback`);
      assert.equal(q.get("code_challenge_method"), "S256");
      assert.equal(q.get("audience"), null);
      assert.match(callback, new RegExp(`\\?code=${CODE}&state=`));

      // A bad paste: not the address → said in the form's words, nothing sent.
      const field = g.page.getByLabel("Address after the login");
      await field.fill("I approved it");
      await g.page.getByRole("button", { name: "Save Token", exact: true }).click();
      await waitForText(g.page, "#acc-url-error", /This address has no code=…: copy the whole address/);
      assert.equal(await field.getAttribute("aria-invalid"), "true");

      // An address of another attempt (wrong state): refused without asking Tesla.
      const foreignState = callback.replace(/state=[^&]+/, "state=someOtherAttempt");
      await field.fill(foreignState);
      await g.page.getByRole("button", { name: "Save Token", exact: true }).click();
      await g.page.waitForURL((u) => u.pathname === "/teslaAccount/state_mismatch");
      await waitForText(g.page, "[data-testid=login-result]", /does not belong to the current login/);
      assert.equal(rig.fake.count(/\/oauth2\/v3\/token/), 0, "no token request for a foreign state");
      assert.equal(rig.settingsFile().carApiBearerToken ?? "", "");

      // The right address.
      await g.page.getByLabel("Address after the login").fill(callback);
      await g.page.getByRole("button", { name: "Save Token", exact: true }).click();
      await g.page.waitForURL((u) => u.pathname === "/teslaAccount/success");
      await waitForText(g.page, "[data-testid=login-result]", /Logged in to Tesla: the tokens are stored/);
      await waitForText(g.page, "[data-fact=login]", /Logged in, token expires/);
      await screenshot(g.page, "tesla-account-success-desktop");

      // The code exchange Tesla saw: the code, the redirect URI and the PKCE verifier of this login.
      const exchange = rig.fake.requests.find((r) => r.path === "/oauth2/v3/token");
      assert.ok(exchange);
      const form = new URLSearchParams(exchange.body);
      assert.equal(form.get("grant_type"), "authorization_code");
      assert.equal(form.get("code"), CODE);
      assert.equal(form.get("redirect_uri"), `${tesla.url}/tesla-callback`);
      assert.equal(createHash("sha256").update(form.get("code_verifier") ?? "").digest("base64url"), q.get("code_challenge"));
      assert.equal(form.get("client_secret"), null);

      // Kept where TWCManager keeps them (vehicles.md §2.2) …
      await waitFor(() => rig.settingsFile().carApiBearerToken === rig.fake.tokens.access, 10_000, "tokens in settings.json");
      const saved = rig.settingsFile();
      assert.equal(saved.carApiRefreshToken, rig.fake.tokens.refresh);
      const exp = (JSON.parse(Buffer.from(rig.fake.tokens.access.split(".")[1] ?? "", "base64url").toString()) as { exp: number }).exp;
      // now + expires_in at the exchange (vehicles.md §2.4), i.e. the JWT's exp within a few seconds.
      assert.ok(Math.abs(Number(saved.carApiTokenExpireTime) - exp) < 5, `expiry ${String(saved.carApiTokenExpireTime)} ≈ ${String(exp)}`);
      // … and never shown again: not on the page, not in any API answer.
      const page = await g.page.content();
      for (const t of rig.fake.issued) assert.ok(!page.includes(t), "no token on the page");
      for (const [path, body] of Object.entries(await publicBodies(rig)))
        for (const t of rig.fake.issued) assert.ok(!body.includes(t), `no token in ${path}`);
      assert.equal(await g.page.getByLabel("Access token").inputValue(), "");

      // The tokens work: the car list is read with them and the car appears.
      await rig.readCars();
      await g.page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Vehicles" }).click();
      await waitForText(g.page, "[data-testid=account-line]", /logged in, token expires/);
      await waitForText(g.page, `[data-testid=vehicle][data-vin="${RED}"] [data-fact=soc]`, /^47 %$/);

      assert.deepEqual(g.foreign(), [], "the page itself loads nothing from elsewhere");
      const off = g.requests.filter((u) => new URL(u).hostname !== "127.0.0.1");
      assert.deepEqual(off, [], "no tab leaves loopback");
      assert.deepEqual(g.errors(), []);
    } finally {
      await g.context.close();
    }
  });

  test("phone: the account page, Tesla's error codes in words, a token entered by hand is stored and not shown", async () => {
    const g = await loginPage("phone");
    try {
      await g.page.goto(`${rig.origin}/teslaAccount/invalid_grant`);
      await waitForText(g.page, "[data-testid=login-result]", /^Tesla reported an error: invalid_grant$/);
      await g.page.goto(`${rig.origin}/teslaAccount/error`);
      await waitForText(g.page, "[data-testid=login-result]", /The login failed/);
      await g.page.locator("[data-fact=login]").waitFor();
      assert.ok((await overflowX(g.page)) <= 0, "phone: no sideways scrolling");
      assert.deepEqual(await unlabelled(g.page), [], "every control has a name");
      await screenshot(g.page, "tesla-account-phone");

      // Manual entry: empty → an error in the form's words; a refresh token → stored, fields emptied.
      await g.page.getByRole("button", { name: "Save tokens" }).click();
      await waitForText(g.page, "#tok-access-error", /Enter an access token, a refresh token or both/);
      const entered = "refresh-entered-by-hand-0123456789";
      await g.page.getByLabel("Refresh token").fill(entered);
      await g.page.getByRole("button", { name: "Save tokens" }).click();
      await waitForText(g.page, "twc-tesla-tokens .form-status", /Saved the refresh token\. Tokens are not shown again/);
      assert.equal(await g.page.getByLabel("Refresh token").inputValue(), "");
      await waitFor(() => rig.settingsFile().carApiRefreshToken === entered, 10_000, "entered refresh token in settings.json");
      assert.ok(!(await g.page.content()).includes(entered), "the entered token is not shown");
      for (const body of Object.values(await publicBodies(rig))) assert.ok(!body.includes(entered), "nor in an API answer");
      for (const t of rig.fake.issued) assert.ok(!(await g.page.content()).includes(t), "no token on the page");
      assert.deepEqual(g.foreign(), []);
      assert.deepEqual(g.errors(), []);
    } finally {
      await g.context.close();
    }
  });
});

describe("Tesla account without a login configured", { skip: skipReason, timeout: 120_000 }, () => {
  let rig: VehicleRig;
  let browser: Browser;
  before(async () => {
    rig = await startVehicleRig({ cars: [], chargerVins: [null, null], loggedIn: false, tesla: { clientId: "", redirectUri: "" } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await rig?.stop();
  });

  test("explains what to set up, and step 1 says login is not configured", async () => {
    const g = await openPage(browser, rig.origin, "desktop");
    try {
      await g.page.goto(`${rig.origin}/teslaAccount`);
      await waitForText(g.page, "[data-testid=not-configured]", /teslaApiClientID.*teslaApiRedirectUri/);
      assert.equal(await g.page.getByTestId("login-link").count(), 0);
      // The server's own answer for a login started anyway (an old bookmark).
      await g.page.goto(`${rig.origin}/teslaAccount/login`);
      await g.page.waitForURL((u) => u.pathname === "/teslaAccount/not_configured");
      await waitForText(g.page, "[data-testid=login-result]", /Login is not configured: set teslaApiClientID and teslaApiRedirectUri/);
      // The link to developer.tesla.com is offered but not loaded.
      assert.deepEqual(g.foreign(), []);
      assert.deepEqual(g.errors(), []);
    } finally {
      await g.context.close();
    }
  });
});
