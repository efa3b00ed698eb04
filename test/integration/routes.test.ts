import { describe, expect, test } from "bun:test";
import { buildApp } from "../../src/app.ts";
import { AnthropicErrorResponseSchema, MessagesRequestSchema } from "../../src/dialects/anthropic/schema.ts";
import { ChatCompletionRequestSchema, EmbeddingRequestSchema, ErrorResponseSchema } from "../../src/dialects/openai/schema.ts";
import { buildModelTable } from "../../src/router/models.ts";
import { newLifecycle } from "../../src/server/lifecycle.ts";

// These go through app.handle(), i.e. the Elysia-registered routes (the server also mounts the
// proxy routes natively; the integration tests cover that path over real HTTP).
const lifecycle = newLifecycle();
const app = buildApp({ models: buildModelTable({}, {}).table, observer: { onCall() {} }, lifecycle, dropParams: false, maxBodyBytes: 1 << 20 });
const call = (method: string, path: string, body?: unknown) =>
  app.handle(new Request(`http://localhost${path}`, body === undefined ? { method } : { method, body: JSON.stringify(body), headers: { "content-type": "application/json" } }));
const chat = { model: "mock/echo", messages: [{ role: "user", content: "route check" }] };

describe("routes", () => {
  test("chat, embeddings and models answer with and without the /v1 prefix", async () => {
    for (const prefix of ["/v1", ""]) {
      const completion = await call("POST", `${prefix}/chat/completions`, chat);
      expect(completion.status).toBe(200);
      expect(((await completion.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe("Echo: route check");
      const embedding = await call("POST", `${prefix}/embeddings`, { model: "mock/embed", input: "x" });
      expect(embedding.status).toBe(200);
      const models = (await (await call("GET", `${prefix}/models`)).json()) as { data: { id: string }[] };
      expect(models.data.map((m) => m.id)).toContain("mock/tool-call");
      const one = await call("GET", `${prefix}/models/${encodeURIComponent("mock/echo")}`);
      expect(await one.json()).toMatchObject({ id: "mock/echo", object: "model", owned_by: "mock" });
    }
  });

  test("health endpoints", async () => {
    expect(await (await call("GET", "/health/liveliness")).json()).toEqual({ status: "alive" });
    // LiteLLM's words: "healthy" without a store ("connected" with one), and its licence field.
    expect(await (await call("GET", "/health/readiness")).json()).toMatchObject({ status: "healthy", db: "Not connected", license: { has_license: false }, models: 7 });
  });

  test("unknown routes and methods get an OpenAI-shape 404 that names them", async () => {
    const response = await call("POST", "/v1/completions-typo", chat);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { message: "No route for POST /v1/completions-typo. GET /openapi.json lists the routes.", type: "not_found_error", param: null, code: "route_not_found" },
    });
    expect((await call("DELETE", "/v1/models")).status).toBe(404);
  });

  test("/openapi.json is generated from the schemas that validate requests", async () => {
    const document = (await (await call("GET", "/openapi.json")).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> }; responses: Record<string, unknown> }>>;
    };
    expect(document.openapi).toBe("3.1.0");
    const chatOp = document.paths["/v1/chat/completions"]?.post;
    expect(chatOp?.requestBody?.content["application/json"]?.schema).toEqual(JSON.parse(JSON.stringify(ChatCompletionRequestSchema)));
    expect(document.paths["/embeddings"]?.post?.requestBody?.content["application/json"]?.schema).toEqual(JSON.parse(JSON.stringify(EmbeddingRequestSchema)));
    expect(Object.keys(chatOp?.responses ?? {})).toEqual(["200", "4XX", "5XX"]);
    expect(document.paths["/v1/models/{model}"]?.get).toBeDefined();
    // Anthropic-format routes document Anthropic's request and error shapes.
    const messagesOp = document.paths["/v1/messages"]?.post;
    expect(messagesOp?.requestBody?.content["application/json"]?.schema).toEqual(JSON.parse(JSON.stringify(MessagesRequestSchema)));
    expect((messagesOp?.responses["4XX"] as { content: Record<string, { schema: unknown }> }).content["application/json"]?.schema).toEqual(
      JSON.parse(JSON.stringify(AnthropicErrorResponseSchema)),
    );
    expect((chatOp?.responses["4XX"] as { content: Record<string, { schema: unknown }> }).content["application/json"]?.schema).toEqual(
      JSON.parse(JSON.stringify(ErrorResponseSchema)),
    );
  });

  test("while draining, readiness is 503 and new calls are refused with Connection: close", async () => {
    const draining = newLifecycle();
    const drainingApp = buildApp({ models: buildModelTable({}, {}).table, observer: { onCall() {} }, lifecycle: draining, dropParams: false, maxBodyBytes: 1 << 20 });
    draining.draining = true;
    const ready = await drainingApp.handle(new Request("http://localhost/health/readiness"));
    expect(ready.status).toBe(503);
    const refused = await drainingApp.handle(new Request("http://localhost/v1/chat/completions", { method: "POST", body: JSON.stringify(chat) }));
    expect(refused.status).toBe(503);
    expect(refused.headers.get("connection")).toBe("close");
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("draining");
  });
});
