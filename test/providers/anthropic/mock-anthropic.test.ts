import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { countTokens, startMockAnthropic, type MockAnthropic } from "../../support/mock-anthropic.ts";

/**
 * The mock's strictness is what makes the round-trip tests mean something: each rule Anthropic
 * enforces is checked here by sending a request that breaks it.
 */
let mock: MockAnthropic;
beforeAll(async () => {
  mock = await startMockAnthropic();
});
afterAll(async () => {
  await mock.stop();
});

const HEADERS = { "content-type": "application/json", "x-api-key": "k", "anthropic-version": "2023-06-01" };
const VALID = { model: "text", max_tokens: 64, messages: [{ role: "user", content: "Hi" }] };

async function post(body: unknown, headers: Record<string, string> = HEADERS, path = "/messages") {
  const response = await fetch(`${mock.url}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as { type: string; error?: { type: string; message: string } } };
}

const tool = (name: string) => ({ name, input_schema: { type: "object" } });
const toolUse = (id: string, name = "t") => ({ type: "tool_use", id, name, input: {} });
const toolResult = (id: string) => ({ type: "tool_result", tool_use_id: id, content: "ok" });

describe("the mock validates like Anthropic", () => {
  test("a valid request is answered 200", async () => {
    expect((await post(VALID)).status).toBe(200);
  });

  const cases: [string, unknown, string, Record<string, string>?][] = [
    ["missing anthropic-version", VALID, "anthropic-version", { "content-type": "application/json", "x-api-key": "k" }],
    ["missing max_tokens", { ...VALID, max_tokens: undefined }, "max_tokens"],
    ["empty messages", { ...VALID, messages: [] }, "at least one message"],
    ["first turn from the assistant", { ...VALID, messages: [{ role: "assistant", content: "x" }] }, "alternate"],
    ["two user turns in a row", { ...VALID, messages: [{ role: "user", content: "a" }, { role: "user", content: "b" }] }, "alternate"],
    ["an empty text block", { ...VALID, messages: [{ role: "user", content: [{ type: "text", text: "" }] }] }, "non-whitespace"],
    ["a whitespace-only text block", { ...VALID, messages: [{ role: "user", content: [{ type: "text", text: " \n" }] }] }, "non-whitespace"],
    ["an empty string message", { ...VALID, messages: [{ role: "user", content: "" }, { role: "assistant", content: "x" }, { role: "user", content: "y" }] }, "non-empty content"],
    ["an invalid tool name", { ...VALID, tools: [tool("files.read")] }, "String should match pattern"],
    ["a 129-character tool name", { ...VALID, tools: [tool("x".repeat(129))] }, "String should match pattern"],
    ["duplicate tool names", { ...VALID, tools: [tool("a"), tool("a")] }, "unique"],
    ["input_schema without type object", { ...VALID, tools: [{ name: "a", input_schema: {} }] }, "input_schema.type"],
    ["an invalid name in a tool_use block", { ...VALID, messages: [{ role: "user", content: "x" }, { role: "assistant", content: [toolUse("toolu_1", "a.b")] }] }, "String should match pattern"],
    [
      "a tool_result in an assistant turn",
      { ...VALID, messages: [{ role: "user", content: "x" }, { role: "assistant", content: [toolResult("toolu_1")] }] },
      "not allowed in assistant messages",
    ],
    ["a tool_result without its tool_use", { ...VALID, messages: [{ role: "user", content: [toolResult("toolu_9")] }] }, "corresponding `tool_use`"],
    [
      "a tool_use without its tool_result",
      { ...VALID, messages: [{ role: "user", content: "x" }, { role: "assistant", content: [toolUse("toolu_1")] }, { role: "user", content: "y" }] },
      "without `tool_result`",
    ],
    [
      "text before a tool_result",
      { ...VALID, messages: [{ role: "user", content: "x" }, { role: "assistant", content: [toolUse("toolu_1")] }, { role: "user", content: [{ type: "text", text: "y" }, toolResult("toolu_1")] }] },
      "must come before",
    ],
    ["temperature with thinking", { ...VALID, max_tokens: 4000, thinking: { type: "enabled", budget_tokens: 1024 }, temperature: 0.5 }, "temperature"],
    ["a budget not under max_tokens", { ...VALID, thinking: { type: "enabled", budget_tokens: 1024 } }, "max_tokens"],
    ["a forced tool with thinking", { ...VALID, max_tokens: 4000, thinking: { type: "enabled", budget_tokens: 1024 }, tools: [tool("a")], tool_choice: { type: "any" } }, "forces tool use"],
    [
      "a tool loop with thinking on whose assistant turn does not start with its thinking block",
      {
        ...VALID,
        max_tokens: 4000,
        thinking: { type: "enabled", budget_tokens: 1024 },
        tools: [tool("t")],
        messages: [{ role: "user", content: "x" }, { role: "assistant", content: [toolUse("toolu_1")] }, { role: "user", content: [toolResult("toolu_1")] }],
      },
      "must start with a thinking block",
    ],
    ["tool_choice without tools", { ...VALID, tool_choice: { type: "auto" } }, "providing tools"],
    ["an unsigned thinking block", { ...VALID, messages: [{ role: "user", content: "x" }, { role: "assistant", content: [{ type: "thinking", thinking: "t" }] }] }, "signature"],
    ["an unknown top-level field", { ...VALID, logit_bias: {} }, "Extra inputs"],
    ["a whitespace stop sequence", { ...VALID, stop_sequences: ["\n"] }, "non-whitespace"],
    ["metadata other than user_id", { ...VALID, metadata: { session: "s" } }, "metadata.session"],
    ["five cache breakpoints", { ...VALID, system: [1, 2, 3, 4, 5].map((n) => ({ type: "text", text: `s${n}`, cache_control: { type: "ephemeral" } })) }, "maximum of 4"],
  ];
  for (const [name, body, reason, headers] of cases) {
    test(`rejects ${name}`, async () => {
      const answer = await post(body, headers);
      expect(answer.status).toBe(400);
      expect(answer.body.type).toBe("error");
      expect(answer.body.error?.type).toBe("invalid_request_error");
      expect(answer.body.error?.message).toContain(reason);
      expect(mock.requests.at(-1)?.invalid).toContain(reason);
    });
  }

  test("a tool loop with thinking on is valid when the assistant turn starts with its signed thinking block", async () => {
    const body = {
      ...VALID,
      max_tokens: 4000,
      thinking: { type: "enabled", budget_tokens: 1024 },
      tools: [tool("t")],
      messages: [
        { role: "user", content: "x" },
        { role: "assistant", content: [{ type: "thinking", thinking: "t", signature: "sig" }, toolUse("toolu_1")] },
        { role: "user", content: [toolResult("toolu_1")] },
      ],
    };
    expect((await post(body)).status).toBe(200);
  });

  test("rejects a missing key with 401", async () => {
    const answer = await post(VALID, { "content-type": "application/json", "anthropic-version": "2023-06-01" });
    expect([answer.status, answer.body.error?.type]).toEqual([401, "authentication_error"]);
  });

  test("an unknown model is a 404 not_found_error", async () => {
    const answer = await post({ ...VALID, model: "claude-9" });
    expect([answer.status, answer.body.error?.type]).toEqual([404, "not_found_error"]);
  });
});

describe("/v1/messages/count_tokens", () => {
  const COUNT = { model: "text", system: "be brief", messages: [{ role: "user", content: "count these five words please" }], tools: [tool("a")] };

  test("answers input_tokens: words plus 3 per message and 10 per tool", async () => {
    const answer = await post(COUNT, HEADERS, "/messages/count_tokens");
    expect(answer.status).toBe(200);
    expect(answer.body as unknown).toEqual({ input_tokens: 2 + 5 + 3 + 10 });
    expect(countTokens(COUNT)).toBe(20);
  });

  test("the official SDK's API version is accepted", async () => {
    const answer = await post(COUNT, { ...HEADERS, "anthropic-version": "2026-10-21" }, "/messages/count_tokens");
    expect(answer.status).toBe(200);
  });

  const cases: [string, unknown, string][] = [
    ["max_tokens (a generation setting)", { ...COUNT, max_tokens: 64 }, "max_tokens: Extra inputs"],
    ["stream", { ...COUNT, stream: false }, "stream: Extra inputs"],
    ["two user turns in a row", { ...COUNT, messages: [{ role: "user", content: "a" }, { role: "user", content: "b" }] }, "alternate"],
    ["an invalid tool name", { ...COUNT, tools: [tool("files.read")] }, "String should match pattern"],
    ["a missing model", { ...COUNT, model: undefined }, "model: Field required"],
  ];
  for (const [name, body, reason] of cases) {
    test(`rejects ${name}`, async () => {
      const answer = await post(body, HEADERS, "/messages/count_tokens");
      expect([answer.status, answer.body.error?.type]).toEqual([400, "invalid_request_error"]);
      expect(answer.body.error?.message).toContain(reason);
    });
  }

  test("an unknown model is a 404 not_found_error", async () => {
    const answer = await post({ ...COUNT, model: "claude-9" }, HEADERS, "/messages/count_tokens");
    expect([answer.status, answer.body.error?.type]).toEqual([404, "not_found_error"]);
  });
});
