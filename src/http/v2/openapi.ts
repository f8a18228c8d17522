/**
 * `GET /api/v2/openapi.json` (http-api.md §8.5): an OpenAPI 3.1 document of every legacy endpoint, the
 * v2 API and /metrics, generated from the TypeBox schemas in schemas.ts. Pure.
 */
import { endpoints, JSON_TYPE, plain, type Json } from "./openapi-endpoints.ts";
import { ErrorBodySchema, StateDocumentSchema } from "./schemas.ts";

const ERROR_TEXT: Readonly<Record<number, string>> = {
  400: "Malformed JSON, non-object body or invalid field",
  401: "Authentication required or failed",
  403: "Cross-origin request, host not allowed, or action refused",
  404: "Not found",
  405: "Method not allowed",
  409: "Impossible in the current state",
  413: "Request body too large",
  429: "Too many failed authentication attempts",
  500: "Internal error (details in the log, correlated by X-Request-Id)",
  501: "Feature not available",
  503: "Transmit queue full or too many event streams",
};

const errorResponse = (status: number, text?: string): Json => ({
  description: text ?? ERROR_TEXT[status] ?? "Error",
  content: { [JSON_TYPE]: { schema: { $ref: "#/components/schemas/Error" } } },
});

const COMMON = [401, 403, 405, 500];

/** Options of the document. */
export interface OpenApiOptions {
  version: string;
  /** config.wiringMaxAmpsAllTWCs (maximum of chargeNowRate). */
  wiringMaxAmpsAllTWCs?: number;
}

/** The OpenAPI 3.1 document. */
export function buildOpenApi(o: OpenApiOptions): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const e of endpoints(o.wiringMaxAmpsAllTWCs)) {
    const responses: Record<string, Json> = { ...e.ok };
    for (const s of [...(e.errors ?? []), ...COMMON].sort((a, b) => a - b))
      responses[String(s)] ??= errorResponse(s);
    if (e.path.startsWith("/api/")) responses["429"] ??= errorResponse(429);
    const op: Json = {
      operationId: `${e.method}${e.path.replace(/^\/api\//, "").replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? "").toUpperCase())}`,
      summary: e.summary,
      tags: [e.tag],
      responses,
      ...(e.parameters ? { parameters: e.parameters } : {}),
    };
    if (e.body) {
      op.requestBody = {
        required: false,
        description:
          "JSON whatever the Content-Type; an empty body counts as {}. Numbers may be sent as numeric strings.",
        content: { [JSON_TYPE]: { schema: plain(e.body) } },
      };
    }
    (paths[e.path] ??= {})[e.method] = op;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "TWCManager",
      version: o.version,
      description: "Legacy TWCManager endpoints under /api/, the modern API under /api/v2/ and /metrics.",
    },
    jsonSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base",
    tags: [
      { name: "legacy", description: "TWCManager-compatible endpoints" },
      { name: "v2", description: "Typed API for the web UI and new clients" },
      { name: "metrics", description: "Prometheus" },
    ],
    paths,
    components: {
      schemas: { Error: plain(ErrorBodySchema), StateDocument: plain(StateDocumentSchema) },
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "control.HTTP.auth.tokens" },
        basic: { type: "http", scheme: "basic", description: "control.HTTP.auth username and password" },
        session: { type: "apiKey", in: "cookie", name: "twcm_session", description: "Issued by POST /login" },
      },
    },
    // Authentication is optional (control.HTTP.auth); when configured, POSTs always need it and reads only with protectReads.
    security: [{}, { bearer: [] }, { basic: [] }, { session: [] }],
  };
}
