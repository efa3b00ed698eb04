/**
 * A token Vertex AI stops taking (revoked, or the service account's keys rotated) is answered 401; the
 * gateway then forgets it, so the next pass-through call exchanges for a fresh one instead of sending
 * the refused token until it expires.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import type { GeneratedKeyJson } from "../../src/admin/responses.ts";
import { startAccountsGateway, type AccountsGateway } from "../support/accounts.ts";
import { startMockVertex, type MockVertex } from "../support/mock-vertex.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-vertex-token-refresh-");
const PATH = "v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.0-flash:generateContent";
const BODY = JSON.stringify({ contents: [{ role: "user", parts: [{ text: "Hello Vertex" }] }] });

let vertex: MockVertex;
let gateway: AccountsGateway;
let key: string;

beforeAll(async () => {
  vertex = await startMockVertex();
  // An account of its own: token sources are shared by account across the process.
  const account = await vertex.account("token-refresh");
  gateway = await startAccountsGateway(
    { models: [{ model_name: "vx-flash", model: "vertex_ai/gemini-2.0-flash", vertex_credentials: account.json, vertex_project: "p", vertex_location: "us-central1", api_base: vertex.url }] },
    { dataDir: dirname(await tmp.file("marker", "")) },
  );
  key = (await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", {})).body.key;
});
afterAll(async () => {
  await gateway?.stop();
  await vertex?.stop();
});

const call = () => fetch(`${gateway.origin}/vertex_ai/${PATH}`, { method: "POST", headers: { "content-type": "application/json", "x-litellm-api-key": `Bearer ${key}` }, body: BODY });
const bearerOf = (index: number) => /^Bearer (\S+)$/.exec(vertex.requests[index]?.headers.authorization ?? "")?.[1] as string;

describe("a token Vertex AI refuses", () => {
  test("is answered 401 once; the next call exchanges for a new token and succeeds", async () => {
    expect((await call()).status).toBe(200);
    const first = bearerOf(vertex.requests.length - 1);
    expect((await call()).status).toBe(200);
    // Cached: the second call sent the same token.
    expect(bearerOf(vertex.requests.length - 1)).toBe(first);
    const exchanged = vertex.issued.size;

    vertex.revoke(first);
    const refused = await call();
    expect(refused.status).toBe(401);
    await refused.text();
    expect(bearerOf(vertex.requests.length - 1)).toBe(first);

    const again = await call();
    expect(again.status).toBe(200);
    const fresh = bearerOf(vertex.requests.length - 1);
    expect(fresh).not.toBe(first);
    expect(vertex.issued.has(fresh)).toBe(true);
    expect(vertex.issued.size).toBe(exchanged + 1);
  });
});
