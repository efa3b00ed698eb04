/**
 * What the relay learns from each wire's answers: usage, id and finish reason from a whole body or
 * a stream, the same at every split of the bytes, with the bytes relayed unchanged. A model call
 * whose answer has no usage is billed from estimates.
 */
import { describe, expect, test } from "bun:test";
import { answerTap, type ObservedAnswer } from "../../src/passthrough/observe.ts";
import { relayBytes } from "../../src/passthrough/relay.ts";
import type { NativeWire } from "../../src/passthrough/types.ts";
import { GatewayError } from "../../src/canonical/errors.ts";
import { SseParser } from "../../src/streams/sse-parser.ts";
import { seeded, splitRandomly, splitsAtEveryByte, streamOf } from "../support/rechunk.ts";

const encoder = new TextEncoder();
const frames = (events: unknown[], named = false) => events.map((event) => `${named ? `event: ${(event as { type: string }).type}\n` : ""}data: ${JSON.stringify(event)}\n\n`).join("");

/** Relays `pieces` through a tap and returns what the client got and what the tap learned. */
async function observe(pieces: Uint8Array[], wire: NativeWire | undefined, sse: boolean, estimate = true): Promise<{ relayed: string; answer: ObservedAnswer }> {
  let answer: ObservedAnswer | undefined;
  const tap = answerTap({
    wire,
    decoder: sse ? new SseParser() : undefined,
    keepText: true,
    estimate,
    promptChars: 400,
    onFirstByte() {},
    explain: (error) => new GatewayError("provider.unreachable", String(error)),
    onEnd: (observed) => (answer = observed),
  });
  const relayed = await new Response(relayBytes(streamOf(pieces), tap, () => {})).text();
  if (!answer) throw new Error("the tap never ended");
  return { relayed, answer };
}

const STREAMS: { name: string; wire: NativeWire; text: string; expected: Partial<ObservedAnswer> }[] = [
  {
    name: "Anthropic: input and cache from message_start, output from message_delta",
    wire: "anthropic",
    text: frames(
      [
        { type: "message_start", message: { id: "msg_1", usage: { input_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 7, output_tokens: 1 } } },
        { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "héllo wörld" } },
        { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 9 } },
        { type: "message_stop" },
      ],
      true,
    ),
    expected: { usage: { input: 112, output: 9, cacheRead: 100, cacheWrite: 7 }, responseId: "msg_1", finishReason: "end_turn" },
  },
  {
    name: "OpenAI chat: the usage chunk",
    wire: "openai",
    text: `${frames([{ id: "chatcmpl-1", choices: [{ index: 0, delta: { content: "hi" }, finish_reason: "stop" }] }, { id: "chatcmpl-1", choices: [], usage: { prompt_tokens: 8, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 4 } } }])}data: [DONE]\n\n`,
    expected: { usage: { input: 8, output: 2, cacheRead: 4 }, responseId: "chatcmpl-1", finishReason: "stop" },
  },
  {
    name: "OpenAI Responses: response.completed",
    wire: "openai-responses",
    text: frames([{ type: "response.created", response: { id: "resp_1" } }, { type: "response.output_text.delta", delta: "hi" }, { type: "response.completed", response: { id: "resp_1", status: "completed", usage: { input_tokens: 10, output_tokens: 3, input_tokens_details: { cached_tokens: 6 }, output_tokens_details: { reasoning_tokens: 1 } } } }], true),
    expected: { usage: { input: 10, output: 3, cacheRead: 6, reasoning: 1 }, responseId: "resp_1", finishReason: "completed" },
  },
  {
    name: "Gemini (alt=sse): the last usageMetadata",
    wire: "gemini",
    text: frames([{ candidates: [{ content: { parts: [{ text: "a" }] } }], usageMetadata: { promptTokenCount: 3 }, responseId: "g1" }, { candidates: [{ content: { parts: [{ text: "b" }] }, finishReason: "STOP" }], usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 4, cachedContentTokenCount: 8 }, responseId: "g1" }]),
    expected: { usage: { input: 12, output: 4, cacheRead: 8 }, responseId: "g1", finishReason: "STOP" },
  },
  {
    name: "Cohere v2: message-end",
    wire: "cohere",
    text: frames([{ type: "message-start", id: "co-1" }, { type: "content-delta", delta: { message: { content: { text: "hi" } } } }, { type: "message-end", delta: { finish_reason: "COMPLETE", usage: { billed_units: { input_tokens: 6, output_tokens: 2 } } } }], true),
    expected: { usage: { input: 6, output: 2 }, responseId: "co-1", finishReason: "COMPLETE" },
  },
];

describe("streams: read as they pass, relayed byte for byte, at every split", () => {
  for (const { name, wire, text, expected } of STREAMS) {
    test(name, async () => {
      const bytes = encoder.encode(text);
      const cases = [[bytes], ...splitsAtEveryByte(bytes)];
      const random = seeded(7);
      for (let i = 0; i < 50; i++) cases.push(splitRandomly(bytes, random));
      for (const pieces of cases) {
        const { relayed, answer } = await observe(pieces, wire, true);
        expect(relayed).toBe(text);
        expect(answer).toMatchObject({ ...expected, cancelled: false });
        expect(answer.usageEstimated).toBeUndefined();
      }
    });
  }
});

describe("whole answers", () => {
  test("each wire's body, and Gemini's JSON-array stream (its last element's usage)", async () => {
    const bodies: [NativeWire, unknown, Partial<ObservedAnswer>][] = [
      ["anthropic", { id: "msg_2", stop_reason: "tool_use", usage: { input_tokens: 3, output_tokens: 4, cache_read_input_tokens: 10 } }, { usage: { input: 13, output: 4, cacheRead: 10 }, responseId: "msg_2", finishReason: "tool_use" }],
      ["openai", { id: "c-2", choices: [{ finish_reason: "length" }], usage: { prompt_tokens: 5, completion_tokens: 6 } }, { usage: { input: 5, output: 6 }, finishReason: "length" }],
      ["openai", { object: "list", data: [], usage: { prompt_tokens: 9, total_tokens: 9 } }, { usage: { input: 9, output: 0 } }],
      ["cohere", { meta: { billed_units: { input_tokens: 7 } }, id: "emb-1" }, { usage: { input: 7, output: 0 }, responseId: "emb-1" }],
      ["gemini", [{ usageMetadata: { promptTokenCount: 2 } }, { usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 1, thoughtsTokenCount: 2 }, candidates: [{ finishReason: "STOP" }] }], { usage: { input: 5, output: 3, reasoning: 2 }, finishReason: "STOP" }],
    ];
    for (const [wire, body, expected] of bodies) {
      const text = JSON.stringify(body);
      for (const pieces of splitsAtEveryByte(encoder.encode(text))) {
        const { relayed, answer } = await observe(pieces, wire, false);
        expect(relayed).toBe(text);
        expect(answer).toMatchObject(expected);
      }
    }
  });

  test("a model call's answer without usage is billed from estimates; a call of no model's is not", async () => {
    const body = encoder.encode(JSON.stringify({ choices: [{ message: { content: "x".repeat(40) } }] }));
    const estimated = (await observe([body], "openai", false)).answer;
    expect(estimated).toMatchObject({ usage: { input: 100, output: 10 }, usageEstimated: true });
    expect((await observe([body], undefined, false, false)).answer.usage).toBeUndefined();
  });

  test("an answer that is not JSON is relayed as it is and read as nothing", async () => {
    const { relayed, answer } = await observe([encoder.encode("<html>oops</html>")], "anthropic", false, false);
    expect(relayed).toBe("<html>oops</html>");
    expect(answer.usage).toBeUndefined();
    expect(answer.text).toBe("<html>oops</html>");
  });
});
