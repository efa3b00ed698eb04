import { describe, expect, test } from "bun:test";
import { fromBedrockUsage, mapBedrockStopReason, parseBedrockResponse } from "../../../src/providers/bedrock/response.ts";
import type { BedrockState } from "../../../src/providers/bedrock/state.ts";
import { GatewayError } from "../../../src/canonical/errors.ts";
import { CLAUDE } from "./helpers.ts";

const STATE: BedrockState = { model: CLAUDE, reverseNames: new Map() };
const answer = (content: unknown[], fields: Record<string, unknown> = {}) =>
  JSON.stringify({ output: { message: { role: "assistant", content } }, stopReason: "end_turn", usage: { inputTokens: 12, outputTokens: 5, totalTokens: 17 }, metrics: { latencyMs: 431 }, ...fields });

describe("parseBedrockResponse", () => {
  test("text: the model is the one the request went to; the id is left for the caller; latency in providerMetadata", () => {
    expect(parseBedrockResponse(answer([{ text: "Hello!" }]), STATE)).toEqual({
      id: "",
      model: CLAUDE,
      content: [{ type: "text", text: "Hello!" }],
      finishReason: "stop",
      usage: { input: 12, output: 5 },
      providerMetadata: { bedrock: { stopReason: "end_turn", latencyMs: 431 } },
    });
  });

  test("tool use, parallel calls, rewritten names restored", () => {
    const state: BedrockState = { model: CLAUDE, reverseNames: new Map([["files_read", "files.read"]]) };
    const result = parseBedrockResponse(
      answer(
        [
          { text: "Let me look." },
          { toolUse: { toolUseId: "tooluse_1", name: "get_weather", input: { city: "Paris" } } },
          { toolUse: { toolUseId: "tooluse_2", name: "files_read", input: { path: "/tmp/a" } } },
        ],
        { stopReason: "tool_use" },
      ),
      state,
    );
    expect(result.content).toEqual([
      { type: "text", text: "Let me look." },
      { type: "tool-call", id: "tooluse_1", name: "get_weather", arguments: '{"city":"Paris"}' },
      { type: "tool-call", id: "tooluse_2", name: "files.read", arguments: '{"path":"/tmp/a"}' },
    ]);
    expect(result.finishReason).toBe("tool-calls");
  });

  test("reasoning with its signature, and redacted reasoning, in order", () => {
    const result = parseBedrockResponse(
      answer([
        { reasoningContent: { reasoningText: { text: "27 * 453 = 12231.", signature: "EqQBCgIYAhIM" } } },
        { reasoningContent: { redactedContent: "EmwKAhgBEgy3" } },
        { text: "12,231" },
      ]),
      STATE,
    );
    expect(result.content).toEqual([
      { type: "thinking", text: "27 * 453 = 12231.", signature: "EqQBCgIYAhIM" },
      { type: "redacted-thinking", data: "EmwKAhgBEgy3" },
      { type: "text", text: "12,231" },
    ]);
  });

  test("cache reads and writes: Bedrock's inputTokens excludes them, the spec's input includes them", () => {
    const result = parseBedrockResponse(answer([{ text: "ok" }], { usage: { inputTokens: 21, outputTokens: 9, totalTokens: 3942, cacheReadInputTokens: 1860, cacheWriteInputTokens: 2052 } }), STATE);
    expect(result.usage).toEqual({ input: 3933, output: 9, cacheRead: 1860, cacheWrite: 2052 });
  });

  test("guardrail intervention -> content-filter, with the trace; max_tokens -> length", () => {
    const trace = { guardrail: { outputAssessments: { gr1: [{ topicPolicy: { topics: [{ name: "Finance", type: "DENY", action: "BLOCKED" }] } }] } } };
    const guarded = parseBedrockResponse(answer([{ text: "Sorry." }], { stopReason: "guardrail_intervened", trace }), STATE);
    expect(guarded.finishReason).toBe("content-filter");
    expect(guarded.providerMetadata?.bedrock?.trace).toEqual(trace);
    expect(parseBedrockResponse(answer([{ text: "Once upon" }], { stopReason: "max_tokens" }), STATE).finishReason).toBe("length");
  });

  test("the forced response_format tool's input comes back as text and the finish is stop", () => {
    const result = parseBedrockResponse(answer([{ toolUse: { toolUseId: "t", name: "json_output", input: { answer: 42 } } }], { stopReason: "tool_use" }), { ...STATE, jsonTool: "json_output" });
    expect(result.content).toEqual([{ type: "text", text: '{"answer":42}' }]);
    expect(result.finishReason).toBe("stop");
  });

  test("blocks with no spec part are kept in providerMetadata; extra response fields too", () => {
    const citations = { citationsContent: { content: [{ text: "The grass is green." }], citations: [] } };
    const result = parseBedrockResponse(answer([citations], { additionalModelResponseFields: { stop_sequence: null }, performanceConfig: { latency: "optimized" } }), STATE);
    expect(result.providerMetadata?.bedrock).toEqual({ stopReason: "end_turn", latencyMs: 431, additionalModelResponseFields: { stop_sequence: null }, performanceConfig: { latency: "optimized" }, otherContent: [citations] });
  });

  test("a body that is not JSON, or has no content list, is a bad response", () => {
    for (const body of ["<html>", JSON.stringify({ output: {} })]) {
      let caught: unknown;
      try {
        parseBedrockResponse(body, STATE);
      } catch (error) {
        caught = error;
      }
      expect(caught instanceof GatewayError && caught.code).toBe("provider.bad_response");
    }
  });
});

describe("stop reasons and usage", () => {
  test("every documented stop reason maps", () => {
    const table: [string | undefined, string][] = [
      ["end_turn", "stop"],
      ["stop_sequence", "stop"],
      ["max_tokens", "length"],
      ["model_context_window_exceeded", "length"],
      ["tool_use", "tool-calls"],
      ["guardrail_intervened", "content-filter"],
      ["content_filtered", "content-filter"],
      ["malformed_model_output", "other"],
      ["malformed_tool_use", "other"],
      [undefined, "other"],
    ];
    for (const [reason, finish] of table) expect([reason, mapBedrockStopReason(reason)]).toEqual([reason, finish as never]);
  });

  test("usage without counts is no usage", () => {
    expect(fromBedrockUsage(undefined)).toBeUndefined();
    expect(fromBedrockUsage({ totalTokens: 3 })).toBeUndefined();
    expect(fromBedrockUsage({ inputTokens: 3 })).toEqual({ input: 3, output: 0 });
  });
});
