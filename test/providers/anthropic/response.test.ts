import { describe, expect, test } from "bun:test";
import { fromAnthropicUsage, mapAnthropicStopReason, parseAnthropicResponse } from "../../../src/providers/anthropic/response.ts";
import type { AnthropicState } from "../../../src/providers/anthropic/state.ts";
import { GatewayError } from "../../../src/canonical/errors.ts";

const NO_STATE: AnthropicState = { reverseNames: new Map() };

/** A recorded-shape Messages API answer (claude-sonnet-4-5, extended thinking, a server tool, then client tools). */
const RECORDED = {
  id: "msg_01Aq9w938a90dw8q7bx4hdDn",
  type: "message",
  role: "assistant",
  model: "claude-sonnet-4-5-20250929",
  content: [
    { type: "thinking", thinking: "I should look this up, then call both tools.", signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds==" },
    { type: "redacted_thinking", data: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIw" },
    { type: "server_tool_use", id: "srvtoolu_01WYG3ziw53XMcoyKL4XcZmE", name: "web_search", input: { query: "weather paris" } },
    { type: "web_search_tool_result", tool_use_id: "srvtoolu_01WYG3ziw53XMcoyKL4XcZmE", content: [{ type: "web_search_result", url: "https://example.com", title: "Weather" }] },
    { type: "text", text: "Let me check both.", citations: null },
    { type: "tool_use", id: "toolu_01A09q90qw90lq917835lq9", name: "get_weather", input: { city: "Paris", unit: "celsius" } },
    { type: "tool_use", id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", name: "files_read", input: {} },
  ],
  stop_reason: "tool_use",
  stop_sequence: null,
  usage: {
    input_tokens: 2095,
    cache_creation_input_tokens: 1200,
    cache_read_input_tokens: 30000,
    cache_creation: { ephemeral_5m_input_tokens: 1200, ephemeral_1h_input_tokens: 0 },
    output_tokens: 503,
    output_tokens_details: { thinking_tokens: 210 },
    server_tool_use: { web_search_requests: 1 },
    service_tier: "standard",
  },
};

describe("parseAnthropicResponse", () => {
  test("a recorded answer: parts in order, names reverse-mapped, arguments as JSON text, usage, metadata", () => {
    const state: AnthropicState = { reverseNames: new Map([["files_read", "files.read"]]) };
    const result = parseAnthropicResponse(JSON.stringify(RECORDED), state);
    expect(result).toEqual({
      id: "msg_01Aq9w938a90dw8q7bx4hdDn",
      model: "claude-sonnet-4-5-20250929",
      content: [
        { type: "thinking", text: "I should look this up, then call both tools.", signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds==" },
        { type: "redacted-thinking", data: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIw" },
        { type: "text", text: "Let me check both." },
        { type: "tool-call", id: "toolu_01A09q90qw90lq917835lq9", name: "get_weather", arguments: '{"city":"Paris","unit":"celsius"}' },
        { type: "tool-call", id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", name: "files.read", arguments: "{}" },
      ],
      finishReason: "tool-calls",
      usage: { input: 33295, output: 503, cacheRead: 30000, cacheWrite: 1200, reasoning: 210 },
      providerMetadata: {
        anthropic: {
          stop_reason: "tool_use",
          stop_sequence: null,
          server_content: [RECORDED.content[2], RECORDED.content[3]],
          service_tier: "standard",
        },
      },
    });
  });

  test("a stop sequence is reported in provider metadata", () => {
    const result = parseAnthropicResponse(
      JSON.stringify({ ...RECORDED, content: [{ type: "text", text: "1, 2, 3" }], stop_reason: "stop_sequence", stop_sequence: "4", usage: { input_tokens: 10, output_tokens: 6 } }),
      NO_STATE,
    );
    expect(result.finishReason).toBe("stop");
    expect(result.providerMetadata).toEqual({ anthropic: { stop_reason: "stop_sequence", stop_sequence: "4" } });
    expect(result.usage).toEqual({ input: 10, output: 6 });
  });

  test("the forced response_format tool comes back as the text answer, finishing with stop", () => {
    const state: AnthropicState = { reverseNames: new Map(), jsonTool: "json_output" };
    const result = parseAnthropicResponse(
      JSON.stringify({ ...RECORDED, content: [{ type: "tool_use", id: "toolu_01J", name: "json_output", input: { answer: 42, tags: ["a"] } }], stop_reason: "tool_use" }),
      state,
    );
    expect(result.content).toEqual([{ type: "text", text: '{"answer":42,"tags":["a"]}' }]);
    expect(result.finishReason).toBe("stop");
  });

  test("with a response_format, a real tool call still finishes with tool-calls", () => {
    const state: AnthropicState = { reverseNames: new Map(), jsonTool: "json_output" };
    const result = parseAnthropicResponse(JSON.stringify({ ...RECORDED, content: [RECORDED.content[5]] }), state);
    expect(result.finishReason).toBe("tool-calls");
  });

  test("a body that is not a message is a bad response from the provider", () => {
    for (const body of ["<html>", '{"type":"message"}']) {
      try {
        parseAnthropicResponse(body, NO_STATE);
        throw new Error("expected a GatewayError");
      } catch (error) {
        expect((error as GatewayError).code).toBe("provider.bad_response");
      }
    }
  });
});

describe("mapAnthropicStopReason", () => {
  const table: [string | null, string][] = [
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["max_tokens", "length"],
    ["model_context_window_exceeded", "length"],
    ["tool_use", "tool-calls"],
    ["refusal", "content-filter"],
    ["pause_turn", "other"],
    [null, "other"],
  ];
  for (const [reason, finish] of table) test(`${reason} -> ${finish}`, () => expect(mapAnthropicStopReason(reason)).toBe(finish as never));
});

describe("fromAnthropicUsage", () => {
  test("input is input + cache read + cache write; zero and null counts are left out", () => {
    expect(fromAnthropicUsage({ input_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 0, output_tokens: 7 })).toEqual({ input: 105, output: 7, cacheRead: 100 });
    expect(fromAnthropicUsage({ input_tokens: 5, cache_read_input_tokens: null, cache_creation_input_tokens: 40, output_tokens: 1 })).toEqual({ input: 45, output: 1, cacheWrite: 40 });
  });
});
