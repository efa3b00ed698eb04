/**
 * The path-traversal matrix, over raw HTTP (so nothing normalises the request line before the
 * gateway does): every pass-through prefix (a config endpoint's included) × every way of writing an escape. Each provider's root
 * is under `/base` on a mock upstream; a canary listens on another port. Zero escapes: the canary
 * sees no connection, and every request that reached the mock reached it under `/base/` with a
 * plain path.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Config } from "../../src/config/schema.ts";
import { startGateway, type TestGateway } from "../support/build-test-app.ts";
import { startCanary, type Canary } from "../support/canary.ts";
import { startMockNative, type MockNative } from "../support/mock-native.ts";
import { startMockVertex, type MockVertex } from "../support/mock-vertex.ts";
import { rawExchange } from "../support/raw-http.ts";

/** The providers' prefixes, and a public config endpoint with subpaths (`custom`: no key is read there). */
const PREFIXES = ["anthropic", "openai", "azure", "gemini", "vertex_ai", "cohere", "mistral", "bedrock", "custom"] as const;
const UPSTREAM_KEY = "sk-upstream-traversal-0123456789";

let mock: MockNative;
/** Vertex AI's token endpoint only: its API calls go to `mock` under /base/ like every other prefix's. */
let google: MockVertex;
let canary: Canary;
let gateway: TestGateway;

beforeAll(async () => {
  mock = await startMockNative();
  google = await startMockVertex();
  canary = await startCanary();
  const base = `${mock.url}/base`;
  const account = await google.account("traversal");
  const config: Config = {
    models: [
      { model_name: "a", model: "anthropic/m", api_base: `${base}/v1`, api_key: UPSTREAM_KEY, use_in_pass_through: true },
      { model_name: "o", model: "openai/m", api_base: `${base}/v1`, api_key: UPSTREAM_KEY, use_in_pass_through: true },
      { model_name: "z", model: "azure/m", api_base: base, api_key: UPSTREAM_KEY, use_in_pass_through: true },
      { model_name: "g", model: "gemini/m", api_base: `${base}/v1beta`, api_key: UPSTREAM_KEY, use_in_pass_through: true },
      { model_name: "s", model: "mistral/m", api_base: `${base}/v1`, api_key: UPSTREAM_KEY, use_in_pass_through: true },
      { model_name: "v", model: "vertex_ai/m", api_base: base, vertex_credentials: account.json, vertex_project: "p", vertex_location: "us-central1", use_in_pass_through: true },
      // Bedrock reads an escaped '/' inside a segment (ARNs): the escapes below must still get nowhere.
      { model_name: "b", model: "bedrock/m", api_base: base, aws_access_key_id: "AKIATRAVERSAL0000000", aws_secret_access_key: "secret", aws_region_name: "us-east-1", use_in_pass_through: true },
    ],
    pass_through_endpoints: [{ path: "/custom", target: `${base}/custom`, include_subpath: true, auth: false, forward_headers: true, headers: { authorization: `Bearer ${UPSTREAM_KEY}` } }],
  };
  // Cohere has no deployments here: its credential and base come from the environment.
  gateway = await startGateway(config, { env: { COHERE_API_KEY: UPSTREAM_KEY, COHERE_API_BASE: base } });
});
afterAll(async () => {
  await gateway.stop();
  await mock.stop();
  await google.stop();
  await canary.stop();
});

/** Escapes, as written on the request line after `/<prefix>/`; `C` is the canary's host:port. */
const ESCAPES = (c: string): string[] => [
  "..%2f..%2fx",
  "%2e%2e/x",
  "%2E%2E/%2E%2E/x",
  ".%2e/x",
  "v1/%2e%2e/%2e%2e/%2e%2e/x",
  "v1/../../../x",
  "../../x",
  "./../x",
  "..;/x",
  "v1/..;/..;/x",
  `/${c}/x`,
  `//${c}/x`,
  `%2f%2f${c}/x`,
  `%2F${c}`,
  `model/..%2F..%2F..%2Fx/converse`,
  `model/x%2F%2F${c}/converse`,
  `@${c}/x`,
  `%40${c}/x`,
  `v1/@${c}`,
  "..\\..\\x",
  "v1\\..\\..\\x",
  "%5c..%5cx",
  "%252e%252e/x",
  "%252f%252fx",
  "%25%32%65%25%32%65/x",
  "v1/%3f/../x",
  "v1/%23/../x",
  "%00/x",
  "%0d%0aHost:%20evil/x",
  "%c0%ae%c0%ae/x",
  "%e0%80%ae%e0%80%ae/x",
  "%ef%bc%8f%ef%bc%8fx",
  `v1/x?u=http://${c}/`,
  `v1/x#@${c}`,
];

/**
 * The paths the mock saw that are not plain paths under /base/. (The HTTP server resolves dot
 * segments, `%2e` ones too, as URL parsers do, before the gateway sees the path: `/openai/v1/../x`
 * arrives as `/openai/x`, still under the root; what survives that is refused.)
 */
function escaped(): string[] {
  return mock.requests.map((r) => r.path).filter((path) => !path.startsWith("/base/") || /\/\.\.?(\/|$)|\/\/|\\|%2f|%5c|%2e/i.test(path));
}

describe("path traversal: zero escapes", () => {
  for (const prefix of PREFIXES) {
    test(`/${prefix}/*`, async () => {
      const c = `${canary.host}:${canary.port}`;
      const outcomes: string[] = [];
      for (const escape of ESCAPES(c)) {
        const key = prefix === "gemini" ? "x-goog-api-key: anything" : "authorization: Bearer anything";
        const answer = await rawExchange(gateway.port, `GET /${prefix}/${escape} HTTP/1.1\r\nHost: 127.0.0.1:${gateway.port}\r\n${key}\r\nconnection: close\r\n\r\n`);
        outcomes.push(`${escape} -> ${answer.status}`);
        expect(answer.body).not.toContain("canary");
      }
      expect(canary.connections()).toBe(0);
      expect(escaped()).toEqual([]);
      expect(google.requests).toEqual([]);
      // Most are refused by the gateway itself; none is answered by anything but the mock or the gateway.
      expect(outcomes.filter((line) => / -> (400|404)$/.test(line)).length).toBeGreaterThan(ESCAPES(c).length / 2);
    });
  }

  test("an absolute-form request line naming the canary still goes to the configured root", async () => {
    const before = mock.requests.length;
    const answer = await rawExchange(gateway.port, `GET http://${canary.host}:${canary.port}/openai/v1/models HTTP/1.1\r\nHost: ${canary.host}:${canary.port}\r\nauthorization: Bearer anything\r\nconnection: close\r\n\r\n`);
    expect(answer.status).toBeLessThan(500);
    expect(canary.connections()).toBe(0);
    for (const request of mock.requests.slice(before)) expect(request.path).toBe("/base/v1/models");
  });

  test("an upstream redirect to another host is never followed (502), for every prefix", async () => {
    mock.redirectTo = `${canary.url}/stolen`;
    for (const prefix of PREFIXES) {
      const path = prefix === "openai" ? "redirect" : prefix === "azure" ? "openai/redirect" : "v1/redirect";
      const response = await fetch(`${gateway.origin}/${prefix}/${path}`, { method: "POST", headers: { "content-type": "application/json", ...(prefix === "gemini" ? { "x-goog-api-key": "k" } : {}) }, body: "{}" });
      expect(`${prefix}: ${response.status}`).toBe(`${prefix}: 502`);
      const text = await response.text();
      expect(text).toContain("does not follow upstream redirects");
      expect(text).not.toContain("/stolen");
    }
    expect(canary.connections()).toBe(0);
  });

  test("the refusals say why, in the provider's error shape", async () => {
    const anthropic = await rawExchange(gateway.port, `GET /anthropic/v1/..%2fx HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: k\r\nconnection: close\r\n\r\n`);
    expect(anthropic.status).toBe(400);
    expect(JSON.parse(anthropic.body)).toMatchObject({ type: "error", error: { type: "invalid_request_error", message: expect.stringContaining("escapes '/'") } });
    const openai = await rawExchange(gateway.port, `GET /openai/v1//x HTTP/1.1\r\nHost: 127.0.0.1\r\nauthorization: Bearer k\r\nconnection: close\r\n\r\n`);
    expect(openai.status).toBe(400);
    expect(JSON.parse(openai.body).error.message).toContain("empty segment");
  });
});
