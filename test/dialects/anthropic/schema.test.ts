import { Value } from "@sinclair/typebox/value";
import { describe, expect, test } from "bun:test";
import { CountTokensRequestSchema, MessagesRequestSchema } from "../../../src/dialects/anthropic/schema.ts";

const valid = {
  model: "claude-sonnet-4-5",
  max_tokens: 1024,
  messages: [{ role: "user", content: [{ type: "text", text: "hi", cache_control: { type: "ephemeral" } }] }],
  system: [{ type: "text", text: "sys", cache_control: { type: "ephemeral" } }],
  tools: [
    { name: "get_weather", input_schema: { type: "object" } },
    { type: "web_search_20250305", name: "web_search", max_uses: 3 },
  ],
  tool_choice: { type: "any", disable_parallel_tool_use: true },
  temperature: 1,
  thinking: { type: "enabled", budget_tokens: 2048 },
  metadata: { user_id: null },
  some_future_field: { kept: true },
};

describe("Anthropic request schemas", () => {
  test("a rich request passes, unknown fields included", () => {
    expect(Value.Errors(MessagesRequestSchema, valid).First()).toBeUndefined();
  });

  test("what Anthropic itself rejects fails validation, at the field", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ max_tokens: undefined }, "/max_tokens"],
      [{ max_tokens: 0 }, "/max_tokens"],
      [{ max_tokens: 1.5 }, "/max_tokens"],
      [{ messages: [] }, "/messages"],
      [{ messages: [{ role: "system", content: "x" }] }, "/messages/0/role"],
      [{ messages: [{ role: "user", content: [{ text: "no type" }] }] }, "/messages/0/content"],
      [{ temperature: 1.2 }, "/temperature"],
      [{ tools: [{ name: "", input_schema: {} }] }, "/tools/0/name"],
      [{ tool_choice: { type: "required" } }, "/tool_choice/type"],
      [{ system: [{ type: "image" }] }, "/system"],
    ];
    for (const [change, path] of cases) {
      const body = { ...valid, ...change };
      if ("max_tokens" in change && change.max_tokens === undefined) delete (body as Record<string, unknown>).max_tokens;
      const error = Value.Errors(MessagesRequestSchema, body).First();
      expect([path, error?.path]).toEqual([path, path]);
    }
  });

  test("count_tokens takes the same body without max_tokens", () => {
    const { max_tokens: _max, ...body } = valid;
    expect(Value.Check(CountTokensRequestSchema, body)).toBe(true);
    expect(Value.Check(MessagesRequestSchema, body)).toBe(false);
  });
});
