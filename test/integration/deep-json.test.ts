/**
 * Hostile nesting: JSON that nests far deeper than any request needs must be refused with a quick
 * 400 on every route that reads a body, before anything walks it recursively (JSON.stringify
 * overflows the stack at a few ten thousand levels, and unwinding that took the process ~0.5 s per
 * request). The same holds for JSON nested inside strings (tool-call arguments) and for upstream
 * answers the gateway re-encodes.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import type { Server } from "bun";
import OpenAI, { APIError } from "openai";
import { MAX_JSON_DEPTH } from "../../src/json/depth.ts";
import { translatedStage } from "../../src/calls/translated-stage.ts";
import { toAnthropicToolInput } from "../../src/dialects/anthropic/encode.ts";
import { GatewayError } from "../../src/canonical/errors.ts";
import { startGateway, type TestGateway } from "../support/build-test-app.ts";
import { startAccountsGateway, type AccountsGateway, type ErrorBody } from "../support/accounts.ts";
import { useTempDir } from "../support/temp-dir.ts";

/** `depth` nested arrays: `[[[...]]]`. */
const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
/** An object whose `value` is nested `depth` levels in total, counting the object itself. */
const objectOfDepth = (depth: number) => `{"value":${nested(depth - 1)}}`;
const HOSTILE = 100_000;

const chat = (extra: string) => `{"model":"mock/echo","messages":[{"role":"user","content":"hi"}],"x":${extra}}`;
const messages = (extra: string) => `{"model":"mock/echo","max_tokens":10,"messages":[{"role":"user","content":"hi"}],"x":${extra}}`;
const embeddings = (extra: string) => `{"model":"mock/embed","input":"hi","x":${extra}}`;

/** Proxy routes and a body for each, with `extra` as an unknown member (forwarded as a vendor field). */
const ROUTES: { path: string; body: (extra: string) => string; anthropic: boolean }[] = [
  { path: "/v1/chat/completions", body: chat, anthropic: false },
  { path: "/chat/completions", body: chat, anthropic: false },
  { path: "/v1/embeddings", body: embeddings, anthropic: false },
  { path: "/v1/messages", body: messages, anthropic: true },
  { path: "/v1/messages/count_tokens", body: (extra) => `{"model":"mock/echo","messages":[{"role":"user","content":"hi"}],"x":${extra}}`, anthropic: true },
];

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startGateway({});
});
afterAll(async () => {
  await gateway?.stop();
});

const post = (path: string, body: string) => fetch(`${gateway.origin}${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer x" }, body });

describe("request bodies nested too deep", () => {
  for (const route of ROUTES) {
    test(`${route.path}: a 100k-deep member -> 400 in the route's shape, naming the limit and the member`, async () => {
      const response = await post(route.path, route.body(nested(HOSTILE)));
      expect(response.status).toBe(400);
      const body = (await response.json()) as Record<string, any>;
      const message: string = route.anthropic ? body.error.message : body.error.message;
      if (route.anthropic) expect(body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
      else expect(body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_json", param: "x" });
      expect(message).toContain(`${MAX_JSON_DEPTH} levels`);
      expect(message).toContain("'x'");
      expect(gateway.loggedErrors).toEqual([]);
    });
  }

  test("a whole body that is only nesting -> 400 (no member to name)", async () => {
    const response = await post("/v1/chat/completions", nested(HOSTILE));
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe("invalid_json");
    expect(body.error.param).toBeNull();
    expect(body.error.message).toContain(`at most ${MAX_JSON_DEPTH}`);
  });

  test(`exactly ${MAX_JSON_DEPTH} levels is served; one more is refused`, async () => {
    // The body object is level 1 and "x" holds the rest.
    const at = (depth: number) => chat(nested(depth - 1));
    expect((await post("/v1/chat/completions", at(MAX_JSON_DEPTH))).status).toBe(200);
    expect((await post("/v1/chat/completions", at(MAX_JSON_DEPTH + 1))).status).toBe(400);
  });

  test("a tool whose JSON schema nests 63 levels (31 nested objects) is served", async () => {
    let schema: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 31; i++) schema = { type: "object", properties: { inner: schema } };
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: "x", maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: "mock/echo",
      messages: [{ role: "user", content: "deep schema" }],
      tools: [{ type: "function", function: { name: "deep", parameters: schema } }],
    });
    expect(completion.choices[0]?.message.content).toBe("Echo: deep schema");
  });

  test("brackets inside strings do not count as nesting", async () => {
    const response = await post("/v1/chat/completions", `{"model":"mock/echo","messages":[{"role":"user","content":${JSON.stringify(`\\"${"[".repeat(5000)}`)}}]}`);
    expect(response.status).toBe(200);
  });

  test("through app.handle() (the Elysia-mounted routes) as well", async () => {
    const response = await gateway.app.handle(new Request("http://localhost/v1/messages", { method: "POST", headers: { "content-type": "application/json" }, body: messages(nested(HOSTILE)) }));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(`${MAX_JSON_DEPTH} levels`);
  });
});

describe("a body that fails validation in many places", () => {
  test("is answered with the first error (one message, one param)", async () => {
    const body = `{"model":"mock/echo","messages":[${Array(10_000).fill("1").join(",")}]}`;
    const response = await post("/v1/chat/completions", body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error).toMatchObject({ param: "messages.0", code: "invalid_request" });
  });
});

describe("management API bodies nested too deep", () => {
  const tmp = useTempDir("switchboard-deep-json-");
  let admin: AccountsGateway;
  beforeAll(async () => {
    admin = await startAccountsGateway({}, { dataDir: dirname(await tmp.file("marker", "")) });
  });
  afterAll(async () => {
    await admin?.stop();
  });

  test("POST /key/generate with deeply nested metadata -> 400 naming metadata", async () => {
    const answer = await admin.admin<ErrorBody>("POST", "/key/generate", `{"metadata":{"a":${nested(HOSTILE)}}}`);
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toContain(`${MAX_JSON_DEPTH} levels`);
    expect(answer.body.error.param).toBe("metadata");
    expect(admin.loggedErrors).toEqual([]);
  });

  test("POST /key/{key}/regenerate (optional body) with a deep body -> 400", async () => {
    const created = await admin.admin<{ key: string }>("POST", "/key/generate", {});
    const answer = await admin.admin<ErrorBody>("POST", `/key/${created.body.key}/regenerate`, `{"metadata":${objectOfDepth(HOSTILE)}}`);
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toContain(`${MAX_JSON_DEPTH} levels`);
  });
});

/** An Anthropic-wire upstream on 127.0.0.1 that answers every call with one tool_use whose input nests `depth` levels. */
function deepAnthropicUpstream(depth: number): Server<unknown> {
  return Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: async (request) => {
      const body = (await request.json()) as { model: string };
      const input = `{"a":${nested(depth)}}`;
      return new Response(
        `{"id":"msg_1","type":"message","role":"assistant","model":"${body.model}","content":[{"type":"tool_use","id":"toolu_1","name":"lookup","input":${input}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":4}}`,
        { headers: { "content-type": "application/json" } },
      );
    },
  });
}

describe("JSON nested too deep inside strings and upstream answers", () => {
  let upstream: Server<unknown>;
  let translated: TestGateway;
  let client: OpenAI;
  beforeAll(async () => {
    upstream = deepAnthropicUpstream(HOSTILE);
    translated = await startGateway({
      models: [{ model_name: "claude-deep", model: "anthropic/claude-deep", api_base: `http://127.0.0.1:${upstream.port}/v1`, api_key: "sk-ant-test" }],
      router: { num_retries: 0 },
    });
    client = new OpenAI({ baseURL: translated.baseURL, apiKey: "x", maxRetries: 0 });
  });
  afterAll(async () => {
    await translated?.stop();
    await upstream?.stop(true);
  });

  test("tool-call arguments (a JSON string) nested too deep -> 400 naming the message, before any upstream call", async () => {
    const error = (await client.chat.completions
      .create({
        model: "claude-deep",
        messages: [
          { role: "user", content: "look it up" },
          { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "lookup", arguments: objectOfDepth(HOSTILE) } }] },
          { role: "tool", tool_call_id: "call_1", content: "found" },
        ],
      })
      .catch((e: unknown) => e)) as APIError;
    expect(error).toBeInstanceOf(APIError);
    expect(error.status).toBe(400);
    expect(error.message).toContain(`${MAX_JSON_DEPTH} levels`);
    expect(error.param).toBe("messages[1]");
    expect(translated.loggedErrors).toEqual([]);
  });

  test("an upstream answer nested too deep -> 502 bad_response, not a 500", async () => {
    const error = (await client.chat.completions.create({ model: "claude-deep", messages: [{ role: "user", content: "go" }] }).catch((e: unknown) => e)) as APIError;
    expect(error).toBeInstanceOf(APIError);
    expect(error.status).toBe(502);
    expect(error.code).toBe("bad_response");
    expect(error.message).toContain(`${MAX_JSON_DEPTH} levels`);
  });
});

describe("translated answers are bounded before they are read", () => {
  test("a stream event nested too deep ends the stream as bad_response; the reader never sees it", () => {
    const seen: string[] = [];
    const stage = translatedStage(
      { event: (event) => (seen.push(event.data), []), end: () => [] },
      { part: () => "", end: () => "", fail: (error) => `fail:${error.code}`, answerId: () => undefined },
      (error) => (error instanceof GatewayError ? error : new GatewayError("gateway.internal", String(error))),
      () => {},
      0,
      "",
      "Gemini",
    );
    stage.event({ data: `{"candidates":[{"content":{"parts":[{"text":"hi"}]}}]}` });
    let thrown: unknown;
    try {
      stage.event({ data: `{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{"a":${nested(HOSTILE)}}}}]}}]}` });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GatewayError);
    expect((thrown as GatewayError).code).toBe("provider.bad_response");
    expect((thrown as GatewayError).message).toContain(`Gemini sent an answer that nests JSON more than ${MAX_JSON_DEPTH} levels deep`);
    expect(seen).toHaveLength(1);
  });

  test("tool arguments from an OpenAI-wire answer nested too deep reach an Anthropic client as text, not re-serialised", () => {
    const args = objectOfDepth(HOSTILE);
    expect(toAnthropicToolInput(args)).toEqual({ _raw: args });
    expect(toAnthropicToolInput(objectOfDepth(3))).toEqual({ value: [[]] });
  });
});
