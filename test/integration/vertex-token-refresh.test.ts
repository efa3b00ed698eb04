/**
 * Translated Vertex AI calls: a token Vertex AI stops taking (revoked, or the service account's keys
 * rotated) fails the call with 401 once; the gateway forgets it, so the next call exchanges for a fresh
 * token instead of sending the refused one until it expires. (Pass-through: test/passthrough/.)
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import type { GeneratedKeyJson } from "../../src/admin/responses.ts";
import { startAccountsGateway, type AccountsGateway } from "../support/accounts.ts";
import { startMockVertex, type MockVertex } from "../support/mock-vertex.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-vertex-translated-refresh-");

let vertex: MockVertex;
let gateway: AccountsGateway;
let key: string;

beforeAll(async () => {
  vertex = await startMockVertex();
  // An account of its own: token sources are shared by account across the process.
  const account = await vertex.account("translated-refresh");
  gateway = await startAccountsGateway(
    {
      models: [{ model_name: "vx-flash", model: "vertex_ai/gemini-2.0-flash", vertex_credentials: account.json, vertex_project: "p", vertex_location: "us-central1", api_base: vertex.url }],
      router: { num_retries: 0 },
    },
    { dataDir: dirname(await tmp.file("marker", "")) },
  );
  key = (await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", {})).body.key;
});
afterAll(async () => {
  await gateway?.stop();
  await vertex?.stop();
});

const chat = () =>
  fetch(`${gateway.baseURL}/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "vx-flash", messages: [{ role: "user", content: "Hello Vertex" }] }),
  });
const lastBearer = () => /^Bearer (\S+)$/.exec(vertex.requests.at(-1)?.headers.authorization ?? "")?.[1] as string;

describe("a token Vertex AI refuses, on a translated call", () => {
  test("fails that call with 401; the next call exchanges for a new token and succeeds", async () => {
    expect((await chat()).status).toBe(200);
    const first = lastBearer();
    vertex.revoke(first);
    const refused = await chat();
    expect(refused.status).toBe(401);
    await refused.text();
    expect(lastBearer()).toBe(first);

    const again = await chat();
    expect(again.status).toBe(200);
    expect(lastBearer()).not.toBe(first);
    expect(vertex.issued.has(lastBearer())).toBe(true);
  });
});
