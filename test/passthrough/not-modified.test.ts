/**
 * A 3xx that is not a redirect to follow is the upstream's answer to the client: a 304 to the
 * client's own conditional GET, or a 3xx naming no place to go, is relayed as sent. A 3xx with a
 * Location stays refused (redirects are never followed; configured.test.ts checks where they point).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import type { GeneratedKeyJson } from "../../src/admin/responses.ts";
import { startAccountsGateway, type AccountsGateway } from "../support/accounts.ts";
import { recordsSettled } from "../support/build-test-app.ts";
import { FILES_ETAG, startMockNative, type MockNative } from "../support/mock-native.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-passthrough-not-modified-");
const UPSTREAM_KEY = "sk-upstream-not-modified-0123456789";

let mock: MockNative;
let gateway: AccountsGateway;
let key: string;

beforeAll(async () => {
  mock = await startMockNative();
  gateway = await startAccountsGateway(
    { models: [{ model_name: "mini", model: "openai/gpt-4o-mini", api_base: `${mock.url}/v1`, api_key: UPSTREAM_KEY, use_in_pass_through: true }] },
    { dataDir: dirname(await tmp.file("marker", "")) },
  );
  key = (await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", {})).body.key;
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.stop();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${gateway.origin}${path}`, { headers: { authorization: `Bearer ${key}`, ...headers } });

describe("an upstream 3xx that points nowhere", () => {
  test("a 304 to the client's If-None-Match reaches the client as a 304 with its ETag, recorded as answered", async () => {
    const first = await get("/openai/v1/files");
    expect(first.status).toBe(200);
    expect(first.headers.get("etag")).toBe(FILES_ETAG);
    await first.arrayBuffer();
    const records = gateway.records.length;
    const again = await get("/openai/v1/files", { "if-none-match": FILES_ETAG });
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(FILES_ETAG);
    expect(await again.text()).toBe("");
    expect(mock.requests.at(-1)?.headers["if-none-match"]).toBe(FILES_ETAG);
    await recordsSettled(gateway, records + 1);
    expect(gateway.records.at(-1)).toMatchObject({ status: 304, outcome: "ok" });
  });

  test("a 302 with no Location is relayed with its body; one with a Location is still refused", async () => {
    const nowhere = await get("/openai/v1/moved-nowhere");
    expect(nowhere.status).toBe(302);
    expect(await nowhere.text()).toBe("moved, but nowhere");
    const elsewhere = await get("/openai/v1/redirect");
    expect(elsewhere.status).toBe(502);
  });
});
