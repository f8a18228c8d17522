import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { v2App } from "./v2-app.test-helper.ts";

const LEGACY: readonly (readonly [string, "get" | "post"])[] = [
  ["getStatus", "get"],
  ["getSlaveTWCs", "get"],
  ["getConfig", "get"],
  ["getPolicy", "get"],
  ["getActivePolicyAction", "get"],
  ["getConsumptionOffsets", "get"],
  ["getHistory", "get"],
  ["getLastTWCResponse", "get"],
  ["getUUID", "get"],
  ["chargeNow", "post"],
  ["cancelChargeNow", "post"],
  ["sendStartCommand", "post"],
  ["sendStopCommand", "post"],
  ["addConsumptionOffset", "post"],
  ["deleteConsumptionOffset", "post"],
  ["setConsumptionOffset", "post"],
  ["saveSettings", "post"],
  ["setSetting", "post"],
  ["setScheduledChargingSettings", "post"],
  ["setLatLon", "post"],
  ["setPolicy", "post"],
  ["checkArrival", "post"],
  ["checkDeparture", "post"],
  ["sendDebugCommand", "post"],
  ["sendTeslaAPICommand", "post"],
];
const WITH_BODY = [
  "chargeNow",
  "addConsumptionOffset",
  "deleteConsumptionOffset",
  "setConsumptionOffset",
  "setSetting",
  "setScheduledChargingSettings",
  "setLatLon",
  "setPolicy",
  "sendDebugCommand",
  "sendTeslaAPICommand",
];

type Json = Record<string, unknown>;

function refs(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) refs(x, out);
  else if (typeof v === "object" && v !== null) {
    for (const [k, x] of Object.entries(v)) {
      if (k === "$ref" && typeof x === "string") out.push(x);
      else refs(x, out);
    }
  }
  return out;
}

function resolve(doc: Json, ref: string): unknown {
  assert.ok(ref.startsWith("#/"), ref);
  let cur: unknown = doc;
  for (const seg of ref.slice(2).split("/")) cur = (cur as Json | undefined)?.[seg];
  return cur;
}

async function fetchDoc(): Promise<{
  doc: Json;
  hasRoute: (method: string, url: string) => boolean;
  close: () => Promise<void>;
}> {
  const { app } = v2App({});
  const res = await app.inject({ method: "GET", url: "/api/v2/openapi.json" });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers["content-type"], "application/json; charset=utf-8");
  return {
    doc: res.json<Json>(),
    // OpenAPI path templates ({name}) are fastify parameters (:name).
    hasRoute: (method, url) => app.hasRoute({ method: method.toUpperCase(), url: url.replace(/\{(\w+)\}/g, ":$1") }),
    close: () => app.close(),
  };
}

describe("GET /api/v2/openapi.json", () => {
  it("is an OpenAPI 3.1 document with info, paths and components", async () => {
    const { doc, close } = await fetchDoc();
    assert.equal(doc.openapi, "3.1.0");
    const info = doc.info as Json;
    assert.equal(info.title, "TWCManager");
    assert.equal(info.version, "9.9.9-test");
    assert.equal(typeof doc.paths, "object");
    assert.equal(typeof ((doc.components as Json).schemas as Json).Error, "object");
    await close();
  });

  it("lists every legacy endpoint with its method, the v2 endpoints and /metrics, all served by the app", async () => {
    const { doc, hasRoute, close } = await fetchDoc();
    const paths = doc.paths as Record<string, Record<string, Json>>;
    for (const [name, method] of LEGACY) assert.ok(paths[`/api/${name}`]?.[method], `${method} /api/${name}`);
    for (const p of [
      "/api/v2/state",
      "/api/v2/events",
      "/api/v2/history",
      "/api/v2/sessions",
      "/api/v2/openapi.json",
      "/metrics",
    ])
      assert.ok(paths[p]?.get, p);
    const ids = new Set<string>();
    for (const [path, ops] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(ops)) {
        assert.ok(hasRoute(method, path), `${method} ${path} is documented but not served`);
        assert.equal(typeof op.operationId, "string");
        assert.ok(!ids.has(op.operationId as string), `duplicate operationId ${String(op.operationId)}`);
        ids.add(op.operationId as string);
        const responses = op.responses as Record<string, Json>;
        assert.ok(Object.keys(responses).length > 0);
        for (const [status, r] of Object.entries(responses)) {
          assert.match(status, /^[1-5]\d\d$/);
          assert.equal(typeof r.description, "string");
        }
        if (path.startsWith("/api/")) {
          for (const s of ["401", "403", "405", "500"]) assert.ok(responses[s], `${path} ${s}`);
        }
      }
    }
    await close();
  });

  it("describes request bodies with coercible numbers as oneOf number/string and every error body", async () => {
    const { doc, close } = await fetchDoc();
    const paths = doc.paths as Record<string, Record<string, Json>>;
    for (const name of WITH_BODY) {
      const op = paths[`/api/${name}`]!.post!;
      assert.ok(op.requestBody, name);
      const responses = op.responses as Record<string, Json>;
      for (const s of ["400", "413"]) {
        const schema = ((responses[s]!.content as Json)["application/json"] as Json).schema as Json;
        assert.deepEqual(resolve(doc, schema.$ref as string), {
          type: "object",
          required: ["error"],
          properties: { error: { type: "string", description: "human-readable message naming the field" } },
        });
      }
    }
    const body = (
      ((paths["/api/chargeNow"]!.post!.requestBody as Json).content as Json)["application/json"] as Json
    ).schema as Json;
    const rate = (body.properties as Json).chargeNowRate as { oneOf: Json[] };
    assert.deepEqual(
      rate.oneOf.map((s) => s.type),
      ["number", "string"],
    );
    assert.equal(rate.oneOf[0]?.maximum, 32);
    assert.ok(new RegExp(rate.oneOf[1]!.pattern as string).test(" 16 "));
    assert.ok(!new RegExp(rate.oneOf[1]!.pattern as string).test("0x10"));
    const responses = paths["/api/deleteConsumptionOffset"]!.post!.responses as Json;
    assert.ok(responses["404"]);
    assert.ok((paths["/api/sendTeslaAPICommand"]!.post!.responses as Json)["501"]);
    assert.ok((paths["/api/v2/events"]!.get!.responses as Json)["503"]);
    assert.ok((paths["/api/v2/history"]!.get!.responses as Json)["400"]);
    await close();
  });

  it("every $ref resolves inside the document", async () => {
    const { doc, close } = await fetchDoc();
    const all = refs(doc);
    assert.ok(all.length > 10);
    for (const r of all) assert.ok(resolve(doc, r) !== undefined, r);
    await close();
  });
});
