/**
 * Pass-through attacks found in review, over a live gateway and a mock upstream: a client's key
 * smuggled past the query filter, models run without being named, bodies read one way by the
 * gateway and another by the upstream, headers that pick whose account is billed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import type { GeneratedKeyJson } from "../../src/admin/responses.ts";
import { startAccountsGateway, type AccountsGateway } from "../support/accounts.ts";
import { startMockNative, type MockNative } from "../support/mock-native.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-passthrough-hardening-");
const UPSTREAM_KEY = "sk-upstream-hardening-0123456789";
const PRICE = { input: 1, output: 2 };

let mock: MockNative;
let gateway: AccountsGateway;

beforeAll(async () => {
  mock = await startMockNative();
  gateway = await startAccountsGateway(
    {
      models: [
        { model_name: "flash", model: "gemini/gemini-2.0-flash", api_base: `${mock.url}/v1beta`, api_key: UPSTREAM_KEY, price: PRICE, use_in_pass_through: true },
        { model_name: "mini", model: "openai/gpt-4o-mini", api_base: `${mock.url}/v1`, api_key: UPSTREAM_KEY, price: PRICE, use_in_pass_through: true },
        { model_name: "small", model: "mistral/mistral-small", api_base: `${mock.url}/v1`, api_key: UPSTREAM_KEY, price: PRICE, use_in_pass_through: true },
      ],
    },
    { dataDir: dirname(await tmp.file("marker", "")) },
  );
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.stop();
});

const newKey = async (body: Record<string, unknown>) => (await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", body)).body.key;
const post = (path: string, key: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${gateway.origin}${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers }, body });

describe("the client's key never reaches the upstream", () => {
  test("a `key` query parameter is dropped however its name is escaped (Gemini reads `k%65y` as `key`)", async () => {
    const key = await newKey({});
    for (const query of [`k%65y=${key}`, `%6B%65%79=${key}`, `alt=sse&%6bey=${key}`]) {
      const before = mock.requests.length;
      const response = await fetch(`${gateway.origin}/gemini/v1beta/models/gemini-2.0-flash:countTokens?${query}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(response.status).toBe(200);
      expect(mock.requests.length).toBe(before + 1);
      const sent = mock.requests.at(-1);
      expect(sent?.search ?? "").not.toContain(key);
      expect(sent?.headers["x-goog-api-key"]).toBe(UPSTREAM_KEY);
    }
    // Other parameters go up as the client wrote them.
    await fetch(`${gateway.origin}/gemini/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse&k%65y=${key}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(mock.requests.at(-1)?.search).toBe("?alt=sse");
  });
});
