import { describe, expect, test } from "bun:test";
import { fromGeminiUsage, mapGeminiFinishReason } from "../../../src/providers/gemini/answer.ts";
import { parseGeminiResponse } from "../../../src/providers/gemini/response.ts";
import type { GeminiState } from "../../../src/providers/gemini/state.ts";
import { GatewayError } from "../../../src/canonical/errors.ts";
import { fixtureText, NO_STATE } from "./helpers.ts";

const parse = async (name: string, state: GeminiState = NO_STATE) => parseGeminiResponse(await fixtureText(name), state);

const NEGLIGIBLE = [
  { category: "HARM_CATEGORY_HATE_SPEECH", probability: "NEGLIGIBLE" },
  { category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "NEGLIGIBLE" },
  { category: "HARM_CATEGORY_HARASSMENT", probability: "NEGLIGIBLE" },
  { category: "HARM_CATEGORY_SEXUALLY_EXPLICIT", probability: "NEGLIGIBLE" },
];

describe("parseGeminiResponse over recorded-shape answers", () => {
  test("text: id, model, text, stop, usage, and Gemini-only fields in providerMetadata", async () => {
    expect(await parse("text.json")).toEqual({
      id: "kHsNaZ6wJPuWz7IPk4SRsQk",
      model: "gemini-2.0-flash",
      content: [{ type: "text", text: "Bonjour ! Un café ☕ et un croissant 🥐, c'est parfait.\n" }],
      finishReason: "stop",
      usage: { input: 11, output: 17 },
      providerMetadata: {
        gemini: { finishReason: "STOP", safetyRatings: NEGLIGIBLE, avgLogprobs: -0.21843913197517395, modelVersion: "gemini-2.0-flash", responseId: "kHsNaZ6wJPuWz7IPk4SRsQk" },
      },
    });
  });

  test("thinking: thought parts are reasoning; output counts thoughts, reasoning says how many; cached tokens stay inside input", async () => {
    const result = await parse("thinking.json");
    expect(result.content).toEqual([
      { type: "thinking", text: "**Multiplying the numbers**\n\nI need 27 × 453. 27 × 400 = 10,800 and 27 × 53 = 1,431, so the total is 12,231.\n" },
      { type: "text", text: "27 × 453 = **12,231**." },
    ]);
    expect(result.usage).toEqual({ input: 2051, output: 326, cacheRead: 2012, reasoning: 312 });
    expect(result.finishReason).toBe("stop");
  });

  test("one tool call (Gemini 3): signed thinking before it, an id from the response id, STOP -> tool-calls", async () => {
    const result = await parse("tool-call.json");
    expect(result.content).toEqual([
      { type: "thinking", text: "", signature: "CtoBAdHtim9KvX6l2Nq8X0mJ1dTzNbQ4LqN3eWJg7u9RkE0p2Hb1qYlZfC3sVtA8xMdO5iPnGwUaKyRjS6hBoE4c7uLzT1vQmXa9F2pWbNkD0eHgYIr3sJtCfAOl8KnMPxV5UiZwGdqR7yBhS4aT==" },
      { type: "tool-call", id: "call_J3kNaeSlDOfSz7IP6q-vqQU_0", name: "get_weather", arguments: '{"city":"Paris","unit":"celsius"}' },
    ]);
    expect(result.finishReason).toBe("tool-calls");
    expect(result.usage).toEqual({ input: 74, output: 162, reasoning: 141 });
    expect(result.providerMetadata?.gemini?.finishMessage).toBe("Model generated function call(s).");
  });

  test("parallel tool calls: text first, ids numbered, names mapped back, a call without args gets {}", async () => {
    const result = await parse("parallel-tools.json", { model: "gemini-2.5-flash", reverseNames: new Map([["files_read", "files read"]]) });
    expect(result.content.map((part) => (part.type === "thinking" ? { type: part.type, signed: part.signature?.slice(0, 8) } : part))).toEqual([
      { type: "text", text: "I'll check both cities." },
      { type: "thinking", signed: "CsYCAdHt" },
      { type: "tool-call", id: "call_UIENab-iLbLjz7IPtZ6n4Qo_0", name: "get_weather", arguments: '{"city":"Paris"}' },
      { type: "tool-call", id: "call_UIENab-iLbLjz7IPtZ6n4Qo_1", name: "files read", arguments: '{"path":"/tmp/notes — été.txt"}' },
      { type: "tool-call", id: "call_UIENab-iLbLjz7IPtZ6n4Qo_2", name: "list_files", arguments: "{}" },
    ]);
    expect(result.finishReason).toBe("tool-calls");
  });

  test("a safety stop: no content, content-filter, the ratings (with the blocked one) in providerMetadata", async () => {
    const result = await parse("safety.json");
    expect(result.content).toEqual([]);
    expect(result.finishReason).toBe("content-filter");
    expect(result.usage).toEqual({ input: 19, output: 0 });
    expect((result.providerMetadata?.gemini?.safetyRatings as unknown[])[3]).toEqual({ category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "HIGH", blocked: true });
  });

  test("a blocked prompt: no candidates, an empty content-filter answer (not an error), promptFeedback kept", async () => {
    expect(await parse("prompt-blocked.json")).toEqual({
      id: "EXCPaRjyHqDVjMcP656rqAk",
      model: "gemini-2.5-flash",
      content: [],
      finishReason: "content-filter",
      usage: { input: 9, output: 0 },
      providerMetadata: { gemini: { finishReason: null, promptFeedback: { blockReason: "PROHIBITED_CONTENT" }, modelVersion: "gemini-2.5-flash", responseId: "EXCPaRjyHqDVjMcP656rqAk" } },
    });
  });

  test("MAX_TOKENS spent on thinking: a content without parts, length, the thoughts as output", async () => {
    const result = await parse("max-tokens.json");
    expect([result.content, result.finishReason, result.usage]).toEqual([[], "length", { input: 12, output: 99, reasoning: 99 }]);
  });

  test("Gemini's own call id is kept; without a response id ids are call_<n>; the state's model stands in for modelVersion", () => {
    const body = { candidates: [{ content: { parts: [{ functionCall: { id: "fc_9", name: "f", args: { a: 1 } } }, { functionCall: { name: "g" } }] }, finishReason: "STOP" }] };
    const result = parseGeminiResponse(JSON.stringify(body), NO_STATE);
    expect(result.content).toEqual([
      { type: "tool-call", id: "fc_9", name: "f", arguments: '{"a":1}' },
      { type: "tool-call", id: "call_1", name: "g", arguments: "{}" },
    ]);
    expect([result.id, result.model, result.usage]).toEqual(["", "gemini-2.5-flash", undefined]);
  });

  test("parts the spec cannot hold (an image the model drew) are kept in providerMetadata.gemini.otherParts", () => {
    const body = { candidates: [{ content: { parts: [{ text: "Here:" }, { inlineData: { mimeType: "image/png", data: "iVBO" } }] }, finishReason: "STOP" }] };
    const result = parseGeminiResponse(JSON.stringify(body), NO_STATE);
    expect(result.content).toEqual([{ type: "text", text: "Here:" }]);
    expect(result.providerMetadata?.gemini?.otherParts).toEqual([{ inlineData: { mimeType: "image/png", data: "iVBO" } }]);
  });

  test("an error inside a 200 body is thrown as that error; a body that is not JSON is a bad response", () => {
    const inBand = () => parseGeminiResponse('{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}', NO_STATE);
    expect(inBand).toThrow("Gemini answered 200 with an error (RESOURCE_EXHAUSTED): Resource has been exhausted (e.g. check quota).");
    try {
      parseGeminiResponse("<html>", NO_STATE);
      throw new Error("expected a GatewayError");
    } catch (error) {
      expect([(error as GatewayError).code, (error as GatewayError).status]).toEqual(["provider.bad_response", 502]);
    }
  });
});

describe("usage and finish reasons", () => {
  test("tool-use prompt tokens are input; audio tokens are reported per direction; no metadata is no usage", () => {
    const usage = fromGeminiUsage({
      promptTokenCount: 12,
      candidatesTokenCount: 60,
      toolUsePromptTokenCount: 65,
      thoughtsTokenCount: 82,
      totalTokenCount: 219,
      promptTokensDetails: [{ modality: "TEXT", tokenCount: 4 }, { modality: "AUDIO", tokenCount: 8 }],
      candidatesTokensDetails: [{ modality: "AUDIO", tokenCount: 60 }],
    });
    expect(usage).toEqual({ input: 77, output: 142, reasoning: 82, audioInput: 8, audioOutput: 60 });
    expect(fromGeminiUsage(undefined)).toBeUndefined();
  });

  test("finish reason table", () => {
    const table: [string | undefined, boolean, string][] = [
      ["STOP", false, "stop"],
      ["STOP", true, "tool-calls"],
      ["MAX_TOKENS", true, "length"],
      ["SAFETY", false, "content-filter"],
      ["RECITATION", false, "content-filter"],
      ["BLOCKLIST", false, "content-filter"],
      ["PROHIBITED_CONTENT", false, "content-filter"],
      ["SPII", false, "content-filter"],
      ["IMAGE_SAFETY", false, "content-filter"],
      ["MALFORMED_FUNCTION_CALL", false, "error"],
      ["UNEXPECTED_TOOL_CALL", false, "error"],
      ["OTHER", false, "other"],
      ["FINISH_REASON_UNSPECIFIED", false, "other"],
      [undefined, false, "other"],
    ];
    expect(table.map(([reason, calls]) => mapGeminiFinishReason(reason, calls))).toEqual(table.map(([, , expected]) => expected as never));
  });
});
