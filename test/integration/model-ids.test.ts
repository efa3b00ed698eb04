/**
 * `GET /v1/models/{id}` for ids that contain `/` (every `provider/model` name): sent escaped
 * (`mock%2Fecho`, what the official OpenAI SDK sends) or as plain path segments (curl, older SDKs).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { startGateway, type TestGateway } from "../support/build-test-app.ts";

let gateway: TestGateway;
let client: OpenAI;
beforeAll(async () => {
  gateway = await startGateway({
    models: [
      { model_name: "mock/echo", model: "mock/echo" },
      { model_name: "vendor/*", model: "mock/*" },
    ],
  });
  client = new OpenAI({ baseURL: gateway.baseURL, apiKey: "x", maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.stop();
});

const get = async (path: string) => {
  const response = await fetch(`${gateway.origin}${path}`);
  return { status: response.status, body: (await response.json()) as { id?: string; error?: { code: string } } };
};

describe("model ids with a slash", () => {
  test("what the OpenAI SDK sends for retrieve('openai/gpt-4o'): the slash escaped", async () => {
    const seen: string[] = [];
    const capture = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (request) => (seen.push(new URL(request.url).pathname), Response.json({ id: "x", object: "model", created: 0, owned_by: "x" })) });
    try {
      await new OpenAI({ baseURL: `http://127.0.0.1:${capture.port}/v1`, apiKey: "x", maxRetries: 0 }).models.retrieve("openai/gpt-4o");
    } finally {
      await capture.stop(true);
    }
    expect(seen).toEqual(["/v1/models/openai%2Fgpt-4o"]);
  });

  test("the SDK's escaped form resolves", async () => {
    expect(await client.models.retrieve("mock/echo")).toMatchObject({ id: "mock/echo", object: "model", owned_by: "mock" });
  });

  test("the slash unescaped resolves too, with and without /v1", async () => {
    for (const prefix of ["/v1", ""]) {
      const answer = await get(`${prefix}/models/mock/echo`);
      expect({ prefix, ...answer }).toMatchObject({ prefix, status: 200, body: { id: "mock/echo", object: "model", owned_by: "mock" } });
    }
  });

  test("an id served through a pattern, with several slashes", async () => {
    expect((await get("/v1/models/vendor/family/echo")).body).toMatchObject({ id: "vendor/family/echo", object: "model" });
    expect((await client.models.retrieve("vendor/family/echo")).id).toBe("vendor/family/echo");
  });

  test("unknown ids and malformed escapes are 404s, not 500s", async () => {
    expect(await get("/v1/models/nobody/nope")).toMatchObject({ status: 404, body: { error: { code: "model_not_found" } } });
    expect(await get("/v1/models/%E0%A4%A")).toMatchObject({ status: 404, body: { error: { code: "model_not_found" } } });
    expect(gateway.loggedErrors).toEqual([]);
  });

  test("the OpenAPI document still names the parameter", async () => {
    const document = (await (await fetch(`${gateway.origin}/openapi.json`)).json()) as { paths: Record<string, { get?: { parameters?: { name: string }[] } }> };
    expect(document.paths["/v1/models/{model}"]?.get?.parameters?.map((p) => p.name)).toEqual(["model"]);
  });
});
