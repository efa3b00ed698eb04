import { describe, expect, test } from "bun:test";
import type { GeminiState } from "../../../src/providers/gemini/state.ts";
import { geminiStreamReader } from "../../../src/providers/gemini/stream.ts";
import type { StreamPart } from "../../../src/canonical/chat.ts";
import { GatewayError } from "../../../src/canonical/errors.ts";
import { SseParser } from "../../../src/streams/sse-parser.ts";
import { seeded, splitRandomly, splitsAtEveryByte } from "../../support/rechunk.ts";
import { fixtureBytes, NO_STATE } from "./helpers.ts";

/** What a replay produced: the parts, and the error if the reader threw. */
interface Replay {
  parts: StreamPart[];
  error?: { code: string; status: number; message: string };
}

/** Feeds byte pieces through the SSE parser into a fresh reader. */
function replay(pieces: Uint8Array[], state: GeminiState): Replay {
  const parser = new SseParser();
  const reader = geminiStreamReader(state);
  const parts: StreamPart[] = [];
  try {
    for (const piece of pieces) for (const event of parser.push(piece)) parts.push(...reader.event(event));
    for (const event of parser.end()) parts.push(...reader.event(event));
    parts.push(...reader.end());
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    return { parts, error: { code: error.code, status: error.status, message: error.message } };
  }
  return { parts };
}

const NEGLIGIBLE = ["HATE_SPEECH", "DANGEROUS_CONTENT", "HARASSMENT", "SEXUALLY_EXPLICIT"].map((name) => ({ category: `HARM_CATEGORY_${name}`, probability: "NEGLIGIBLE" }));
const finish = (finishReason: string, gemini: Record<string, unknown>): StreamPart => ({ type: "finish", finishReason, providerMetadata: { gemini } }) as StreamPart;
const SIG = "EqUCCqICAdHtim9v1kQe3rXcP8sLmN2bJ4tYwZ6hG0aF5dU7iO9pK1jR3yT8eW2qA4sD6fH0gJ2kL4zX6cV8bN0mQ1wE3rT5yU7iO9pA2sD4fG6hJ8kL0zX2cV4bN6mQ8wE0rT2yU4iO6pA8sD0fG2hJ4kL6zX8cV0bN2mQ4wE6rT8yU0iO2pA4sD6fG8hJ0kL2zX4cV6bN8mQ0wE2rT4yU6iO8pA0sD2fG4hJ6kL8zX0cV2bN4mQ6wE8rT0yU2iO4pA6sD8fG0hJ2kL4zX6cV8bN0mQ2w==";

const FIXTURES: { name: string; state: GeminiState; expected: Replay }[] = [
  {
    name: "text.sse",
    state: { model: "gemini-2.0-flash", reverseNames: new Map() },
    expected: {
      parts: [
        { type: "start", id: "xIcNaZfIHMrEz7IP8NCm0Qk", model: "gemini-2.0-flash" },
        { type: "text-delta", text: "Bonjour" },
        { type: "text-delta", text: " — un café ☕ et" },
        { type: "text-delta", text: " un croissant 🥐.\nOui." },
        { type: "usage", usage: { input: 11, output: 17 } },
        finish("stop", { finishReason: "STOP", safetyRatings: NEGLIGIBLE, modelVersion: "gemini-2.0-flash", responseId: "xIcNaZfIHMrEz7IP8NCm0Qk" }),
      ],
    },
  },
  {
    name: "thinking.sse",
    state: NO_STATE,
    expected: {
      parts: [
        { type: "start", id: "3KQNabmXCeOkz7IP8uHW8Aw", model: "gemini-2.5-flash" },
        { type: "reasoning-delta", text: "**Multiplying the numbers**\n\n" },
        { type: "reasoning-delta", text: "27 × 400 = 10,800; 27 × 53 = 1,431." },
        { type: "text-delta", text: "27 × 453 = " },
        { type: "text-delta", text: "**12,231**." },
        { type: "usage", usage: { input: 2051, output: 326, cacheRead: 2012, reasoning: 312 } },
        finish("stop", { finishReason: "STOP", modelVersion: "gemini-2.5-flash", responseId: "3KQNabmXCeOkz7IP8uHW8Aw" }),
      ],
    },
  },
  {
    name: "tools.sse",
    state: { model: "gemini-3-pro-preview", reverseNames: new Map([["read_file", "read file"]]) },
    expected: {
      parts: [
        { type: "start", id: "b36NacjwM668nsEP2tbsgQQ", model: "gemini-3-pro-preview" },
        { type: "reasoning-signature", signature: SIG },
        { type: "tool-call-start", index: 0, id: "call_b36NacjwM668nsEP2tbsgQQ_0", name: "get_weather" },
        { type: "tool-call-delta", index: 0, argumentsDelta: '{"city":"Paris","unit":"celsius"}' },
        { type: "tool-call-start", index: 1, id: "call_b36NacjwM668nsEP2tbsgQQ_1", name: "read file" },
        { type: "tool-call-delta", index: 1, argumentsDelta: '{"path":"/tmp/notes — été.txt"}' },
        { type: "tool-call-start", index: 2, id: "call_b36NacjwM668nsEP2tbsgQQ_2", name: "list_files" },
        { type: "tool-call-delta", index: 2, argumentsDelta: "{}" },
        { type: "usage", usage: { input: 96, output: 83, reasoning: 45 } },
        finish("tool-calls", { finishReason: "STOP", finishMessage: "Model generated function call(s).", modelVersion: "gemini-3-pro-preview", responseId: "b36NacjwM668nsEP2tbsgQQ" }),
      ],
    },
  },
  {
    name: "signature.sse",
    state: NO_STATE,
    expected: {
      parts: [
        { type: "start", id: "vQRpaqzAPN2M9MoPxPq2uQ4", model: "gemini-3-flash-preview" },
        { type: "text-delta", text: "4" },
        {
          type: "reasoning-signature",
          signature: "EpcCCpQCAdHtim8GpVP+YGO3zJobwN8a+4XBKHGs8ZZ75yF6E7qlkth0vQN/W+uyW0wG4BXMuGd5UQoWhKeHNJ0Sfvjllbr3qslp3saWpheAyYyhvNEq8LKFtwWitLNZTlhKEluBamAXS3WZ",
        },
        { type: "usage", usage: { input: 15, output: 53, reasoning: 52 } },
        finish("stop", { finishReason: "STOP", modelVersion: "gemini-3-flash-preview", responseId: "vQRpaqzAPN2M9MoPxPq2uQ4" }),
      ],
    },
  },
  {
    name: "blocked.sse",
    state: NO_STATE,
    expected: {
      parts: [
        { type: "start", id: "EXCPaRjyHqDVjMcP656rqAk", model: "gemini-2.5-flash" },
        { type: "usage", usage: { input: 9, output: 0 } },
        finish("content-filter", { finishReason: null, promptFeedback: { blockReason: "PROHIBITED_CONTENT" }, modelVersion: "gemini-2.5-flash", responseId: "EXCPaRjyHqDVjMcP656rqAk" }),
      ],
    },
  },
  {
    name: "error.sse",
    state: NO_STATE,
    expected: {
      parts: [
        { type: "start", id: "nYgNaeGqNoCEz7IP9KGJ0Q4", model: "gemini-2.5-pro" },
        { type: "text-delta", text: "Partial" },
      ],
      error: { code: "provider.overloaded", status: 503, message: "Gemini sent an error mid-stream (UNAVAILABLE): The model is overloaded. Please try again later." },
    },
  },
];

describe("geminiStreamReader over recorded-shape fixtures", () => {
  for (const { name, state, expected } of FIXTURES) {
    test(`${name}: whole`, async () => {
      expect(replay([await fixtureBytes(name)], state)).toEqual(expected);
    });

    test(`${name}: split at every byte, and one byte per chunk`, async () => {
      const bytes = await fixtureBytes(name);
      for (const pieces of splitsAtEveryByte(bytes)) {
        const result = replay(pieces, state);
        if (!Bun.deepEquals(result, expected)) expect({ split: pieces[0]?.length, result }).toEqual({ split: pieces[0]?.length, result: expected });
      }
      const single = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
      expect(replay(single, state)).toEqual(expected);
    });

    test(`${name}: split at random boundaries`, async () => {
      const bytes = await fixtureBytes(name);
      for (let seed = 1; seed <= 200; seed++) {
        const result = replay(splitRandomly(bytes, seeded(seed)), state);
        if (!Bun.deepEquals(result, expected)) expect({ seed, result }).toEqual({ seed, result: expected });
      }
    });
  }
});

describe("geminiStreamReader edge cases", () => {
  const chunk = (body: Record<string, unknown>) => ({ data: JSON.stringify(body) });

  test("a stream cut before any finishReason ends with usage so far and finish error", () => {
    const reader = geminiStreamReader(NO_STATE);
    reader.event(chunk({ candidates: [{ content: { parts: [{ text: "Hal" }] } }], usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 1 }, responseId: "r1" }));
    expect(reader.end()).toEqual([
      { type: "usage", usage: { input: 5, output: 1 } },
      { type: "finish", finishReason: "error", providerMetadata: { gemini: { finishReason: null, incomplete: true } } },
    ]);
  });

  test("after the finish nothing more is owed; blank events are ignored; Gemini's own call id is kept", () => {
    const reader = geminiStreamReader(NO_STATE);
    expect(reader.event({ data: "" })).toEqual([]);
    const parts = reader.event(chunk({ candidates: [{ content: { parts: [{ functionCall: { id: "fc_1", name: "f", args: { q: 1 } } }] }, finishReason: "STOP" }], responseId: "r2", modelVersion: "m" }));
    expect(parts).toEqual([
      { type: "start", id: "r2", model: "m" },
      { type: "tool-call-start", index: 0, id: "fc_1", name: "f" },
      { type: "tool-call-delta", index: 0, argumentsDelta: '{"q":1}' },
      { type: "finish", finishReason: "tool-calls", providerMetadata: { gemini: { finishReason: "STOP", modelVersion: "m", responseId: "r2" } } },
    ]);
    expect(reader.event(chunk({ candidates: [{ content: { parts: [{ text: "late" }] } }] }))).toEqual([]);
    expect(reader.end()).toEqual([]);
  });

  test("MAX_TOKENS finishes with length; a thought with a signature sends the signature after the thought", () => {
    const reader = geminiStreamReader(NO_STATE);
    const parts = reader.event(chunk({ candidates: [{ content: { parts: [{ text: "hmm", thought: true, thoughtSignature: "S" }] }, finishReason: "MAX_TOKENS" }] }));
    expect(parts.slice(1)).toEqual([
      { type: "reasoning-delta", text: "hmm" },
      { type: "reasoning-signature", signature: "S" },
      { type: "finish", finishReason: "length", providerMetadata: { gemini: { finishReason: "MAX_TOKENS" } } },
    ]);
  });

  test("a chunk that is not JSON is a bad response; an error chunk maps by its status name when the code is missing", () => {
    const reader = geminiStreamReader(NO_STATE);
    expect(() => reader.event({ data: "{not json" })).toThrow("Gemini sent an answer the gateway cannot read: the body is not JSON.");
    try {
      reader.event({ data: '{"error":{"message":"Deadline expired before operation could complete.","status":"DEADLINE_EXCEEDED"}}' });
      throw new Error("expected a GatewayError");
    } catch (error) {
      expect([(error as GatewayError).code, (error as GatewayError).status]).toEqual(["provider.timeout", 504]);
    }
  });
});
