/**
 * Errors that quote client input (model names, paths, field names and values, ids) quote at most
 * MAX_ECHO_CHARS of it, with an ellipsis: a 1 MB model name made a 1 MB 404.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import OpenAI, { APIError } from "openai";
import { MAX_ECHO_CHARS } from "../../src/canonical/echo.ts";
import { startGateway, type TestGateway } from "../support/build-test-app.ts";
import { startAccountsGateway, type AccountsGateway, type ErrorBody } from "../support/accounts.ts";
import { useTempDir } from "../support/temp-dir.ts";

const MB = "m".repeat(1024 * 1024);
/** Long enough to cap, short enough for a request line Bun takes. */
const LONG = "p".repeat(8 * 1024);
/** What a capped echo of `text` looks like. */
const capped = (text: string) => `${text.slice(0, MAX_ECHO_CHARS)}… (${text.length} characters)`;
/** Longer than any error message needs; a full echo of the inputs above is far longer. */
const SHORT = 1000;

let gateway: TestGateway;
let client: OpenAI;
beforeAll(async () => {
  gateway = await startGateway({
    models: [
      { model_name: "tagged", model: "mock/echo", tags: ["eu"] },
      { model_name: "mock/echo", model: "mock/echo" },
      // Translated from OpenAI's format (the request fails to decode before any upstream call).
      { model_name: "claude", model: "anthropic/claude-x", api_key: "sk-ant-unused", api_base: "http://127.0.0.1:9/v1" },
    ],
  });
  client = new OpenAI({ baseURL: gateway.baseURL, apiKey: "x", maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.stop();
});

const post = async (path: string, body: unknown) => {
  const response = await fetch(`${gateway.origin}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, text: await response.text() };
};

describe("a 1 MB model name", () => {
  test("chat (OpenAI SDK): 404 quotes the first characters and the length", async () => {
    const error = (await client.chat.completions.create({ model: MB, messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e)) as APIError;
    expect(error).toBeInstanceOf(APIError);
    expect(error.status).toBe(404);
    expect(error.message).toContain(`The model '${capped(MB)}' does not exist`);
    expect(error.message.length).toBeLessThan(SHORT);
  });

  test("embeddings, /v1/messages and count_tokens too", async () => {
    for (const [path, body] of [
      ["/v1/embeddings", { model: MB, input: "x" }],
      ["/v1/messages", { model: MB, max_tokens: 5, messages: [{ role: "user", content: "hi" }] }],
      ["/v1/messages/count_tokens", { model: MB, messages: [{ role: "user", content: "hi" }] }],
    ] as const) {
      const answer = await post(path, body);
      expect({ path, status: answer.status }).toEqual({ path, status: 404 });
      expect(answer.text).toContain(capped(MB));
      expect(answer.text.length).toBeLessThan(SHORT);
    }
  });

  test("GET /v1/models/{id} with a long id", async () => {
    const error = (await client.models.retrieve(LONG).catch((e: unknown) => e)) as APIError;
    expect(error.status).toBe(404);
    expect(error.message).toContain(capped(LONG));
    expect(error.message.length).toBeLessThan(SHORT);
  });
});

describe("other echoed input", () => {
  test("an unknown route's path", async () => {
    const response = await fetch(`${gateway.origin}/v1/${LONG}`);
    expect(response.status).toBe(404);
    const text = await response.text();
    expect(text).toContain("…");
    expect(text.length).toBeLessThan(SHORT);
  });

  test("request tags no deployment serves", async () => {
    const answer = await post("/v1/chat/completions", { model: "tagged", messages: [{ role: "user", content: "hi" }], metadata: { tags: [MB] } });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain("…");
    expect(answer.text.length).toBeLessThan(SHORT);
  });

  test("a message role and a content part type the gateway does not take", async () => {
    for (const messages of [[{ role: MB, content: "hi" }], [{ role: "user", content: [{ type: MB }] }]]) {
      const answer = await post("/v1/chat/completions", { model: "claude", messages });
      expect(answer.status).toBe(400);
      expect(answer.text.length).toBeLessThan(SHORT);
    }
  });
});

describe("the management API", () => {
  const tmp = useTempDir("switchboard-echo-cap-");
  let admin: AccountsGateway;
  beforeAll(async () => {
    admin = await startAccountsGateway({}, { dataDir: dirname(await tmp.file("marker", "")) });
  });
  afterAll(async () => {
    await admin?.stop();
  });

  test("an unknown field name: message and param are capped", async () => {
    const answer = await admin.admin<ErrorBody>("POST", "/key/generate", { [MB]: 1 });
    expect(answer.status).toBe(400);
    expect(answer.body.error.param).toBe(capped(MB));
    expect(JSON.stringify(answer.body).length).toBeLessThan(SHORT);
  });

  test("a key allowed only some models, calling a 1 MB name: 403 capped", async () => {
    const created = await admin.admin<{ key: string }>("POST", "/key/generate", { models: ["mock/echo"] });
    const response = await fetch(`${admin.origin}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${created.body.key}` },
      body: JSON.stringify({ model: MB, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(response.status).toBe(403);
    expect((await response.text()).length).toBeLessThan(SHORT);
  });

  test("ids, durations and query values", async () => {
    for (const [method, path, body] of [
      ["GET", `/team/info?team_id=${LONG}`, undefined],
      ["GET", `/user/info?user_id=${LONG}`, undefined],
      ["POST", "/key/generate", { team_id: "t".repeat(256) + LONG }],
      ["POST", "/key/generate", { duration: LONG }],
      ["GET", `/spend/logs?limit=${LONG}`, undefined],
      ["GET", `/spend/logs?start_date=2025-01-02&end_date=2025-01-01${LONG}`, undefined],
      ["POST", "/team/delete", { team_ids: [LONG, `${LONG}x`] }],
    ] as const) {
      const answer = await admin.admin<ErrorBody>(method, path, body);
      expect({ path, status: answer.status >= 400 }).toEqual({ path, status: true });
      expect({ path, length: JSON.stringify(answer.body).length < SHORT }).toEqual({ path, length: true });
    }
  });
});
