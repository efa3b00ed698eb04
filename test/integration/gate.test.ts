/**
 * What happens around the routes, through app.handle() (the Elysia-mounted path): refusals before
 * routing in the route's own shape, and internal errors reported by message (never to the client).
 */
import { describe, expect, test } from "bun:test";
import { buildApp } from "../../src/app.ts";
import { buildModelTable, type Deployment } from "../../src/router/models.ts";
import { newLifecycle } from "../../src/server/lifecycle.ts";

function appWith(logged: { message: string; error: unknown }[] = []) {
  const { table } = buildModelTable({}, {});
  const echo = table.resolve("mock/echo")?.deployment as Deployment;
  // A deployment whose translation has a bug: a TypeError, not a GatewayError.
  const chat = { ...echo.provider.chat, buildRequest: () => { throw new TypeError("cannot read 'x' of undefined"); } };
  const { buildPassthrough: _sameFormat, ...rest } = echo.provider;
  table.add("broken", { ...echo, id: "broken", modelName: "broken", provider: { ...rest, chat } });
  const lifecycle = newLifecycle();
  const app = buildApp({ models: table, observer: { onCall() {} }, lifecycle, dropParams: false, maxBodyBytes: 1 << 20, logError: (message, error) => logged.push({ message, error }) });
  return { app, lifecycle };
}

const post = (path: string, body: unknown) => new Request(`http://localhost${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("refusals before routing", () => {
  test("a draining gateway answers /v1/messages in Anthropic's shape and closes the connection", async () => {
    const { app, lifecycle } = appWith();
    lifecycle.draining = true;
    const response = await app.handle(post("/v1/messages", { model: "mock/echo", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }));
    expect(response.status).toBe(503);
    expect(response.headers.get("connection")).toBe("close");
    expect(await response.json()).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
    const openai = await app.handle(post("/v1/chat/completions", { model: "mock/echo", messages: [{ role: "user", content: "hi" }] }));
    expect(((await openai.json()) as { error: { code: string } }).error.code).toBe("draining");
  });
});

describe("internal errors inside a call", () => {
  test("are answered 500 without detail and logged by message", async () => {
    const logged: { message: string; error: unknown }[] = [];
    const { app } = appWith(logged);
    for (const [path, body] of [
      ["/v1/messages", { model: "broken", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }],
      ["/v1/chat/completions", { model: "broken", messages: [{ role: "user", content: "hi" }] }],
    ] as const) {
      const response = await app.handle(post(path, body));
      expect(response.status).toBe(500);
      expect(await response.text()).not.toContain("cannot read");
    }
    expect(logged.map((l) => [l.message, (l.error as Error).message])).toEqual([
      ["internal error", "cannot read 'x' of undefined"],
      ["internal error", "cannot read 'x' of undefined"],
    ]);
  });
});
