import { describe, expect, test } from "bun:test";
import { toAnthropicMessageId, toAnthropicToolInput } from "../../../src/dialects/anthropic/encode.ts";
import { anthropicDialect } from "../../../src/dialects/anthropic/index.ts";
import type { ChatRequest, ChatResult, FinishReason } from "../../../src/canonical/chat.ts";
import { clientAnswering } from "./sdk-stream.ts";

const request: ChatRequest = { model: "gpt-4o", messages: [], stream: false, extra: {} };
const encode = (result: ChatResult) => anthropicDialect.encodeResult(result, request, "claude-via-gpt");
const base: ChatResult = { id: "chatcmpl-AbC123", model: "gpt-4o-2024-08-06", content: [], finishReason: "stop" };

describe("spec result -> Anthropic Message", () => {
  test("text, thinking (with and without signature), redacted thinking and tool use, in order; usage without the cached part", () => {
    const result: ChatResult = {
      ...base,
      content: [
        { type: "thinking", text: "Plan: call the tool.", signature: "sig-A" },
        { type: "thinking", text: "No signature here." },
        { type: "redacted-thinking", data: "EmwKAhgB" },
        { type: "text", text: "Let me check." },
        { type: "text", text: "" },
        { type: "tool-call", id: "call_1", name: "get_weather", arguments: '{"city":"Paris","days":[1,2]}' },
        { type: "tool-call", id: "call_2", name: "now", arguments: "" },
      ],
      finishReason: "tool-calls",
      usage: { input: 2000, output: 150, cacheRead: 1500, cacheWrite: 300, reasoning: 40 },
    };
    expect(encode(result)).toEqual({
      id: "msg_chatcmpl_AbC123",
      type: "message",
      role: "assistant",
      model: "claude-via-gpt",
      content: [
        { type: "thinking", thinking: "Plan: call the tool.", signature: "sig-A" },
        { type: "thinking", thinking: "No signature here.", signature: "" },
        { type: "redacted_thinking", data: "EmwKAhgB" },
        { type: "text", text: "Let me check." },
        { type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris", days: [1, 2] } },
        { type: "tool_use", id: "call_2", name: "now", input: {} },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: { input_tokens: 200, output_tokens: 150, cache_creation_input_tokens: 300, cache_read_input_tokens: 1500 },
    });
  });

  test("keys come out in Anthropic's order", () => {
    expect(Object.keys(encode(base) as object)).toEqual(["id", "type", "role", "model", "content", "stop_reason", "stop_sequence", "usage"]);
  });

  test("a stop sequence the upstream reported; an empty answer; no usage reads as zeroes", () => {
    expect(encode({ ...base, finishReason: "stop", providerMetadata: { anthropic: { stop_sequence: "\n\nHuman:" } } })).toMatchObject({
      stop_reason: "stop_sequence",
      stop_sequence: "\n\nHuman:",
      content: [],
      usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  });

  test("finish reasons", () => {
    const table: [FinishReason, boolean, string][] = [
      ["stop", false, "end_turn"],
      ["stop", true, "tool_use"],
      ["length", false, "max_tokens"],
      ["length", true, "max_tokens"],
      ["tool-calls", true, "tool_use"],
      ["content-filter", false, "refusal"],
      ["other", false, "end_turn"],
      ["other", true, "tool_use"],
      ["error", true, "end_turn"],
    ];
    for (const [finishReason, withTool, stopReason] of table) {
      const content: ChatResult["content"] = withTool ? [{ type: "tool-call", id: "c", name: "f", arguments: "{}" }] : [{ type: "text", text: "x" }];
      expect([finishReason, withTool, (encode({ ...base, content, finishReason }) as { stop_reason: string }).stop_reason]).toEqual([finishReason, withTool, stopReason]);
    }
  });

  test("message ids: an upstream msg_ id is kept, any other is prefixed, the same way every time", () => {
    expect(toAnthropicMessageId("msg_01XFDUDYJgAACzvnptvVoYEL")).toBe("msg_01XFDUDYJgAACzvnptvVoYEL");
    expect(toAnthropicMessageId("chatcmpl-9x.y/z")).toBe("msg_chatcmpl_9x_y_z");
    expect(toAnthropicMessageId("chatcmpl-9x.y/z")).toBe(toAnthropicMessageId("chatcmpl-9x.y/z"));
  });

  test("tool arguments that are not a JSON object are kept whole under _raw", () => {
    expect(toAnthropicToolInput('{"a":1}')).toEqual({ a: 1 });
    expect(toAnthropicToolInput("  ")).toEqual({});
    expect(toAnthropicToolInput('{"a":1')).toEqual({ _raw: '{"a":1' });
    expect(toAnthropicToolInput("[1,2]")).toEqual({ _raw: "[1,2]" });
    expect(toAnthropicToolInput('"text"')).toEqual({ _raw: '"text"' });
  });

  test("the official SDK reads the encoded Message as is", async () => {
    const body = encode({ ...base, content: [{ type: "text", text: "hi" }], usage: { input: 5, output: 1 } });
    const client = clientAnswering(Response.json(body));
    const message = await client.messages.create({ model: "claude-via-gpt", max_tokens: 10, messages: [{ role: "user", content: "hi" }] });
    expect(message as unknown).toEqual(body);
  });
});
