import { APIError } from "@anthropic-ai/sdk";
import { describe, expect, test } from "bun:test";
import { toAnthropicMessage } from "../../../src/dialects/anthropic/encode.ts";
import { anthropicStreamEncoder } from "../../../src/dialects/anthropic/stream-encoder.ts";
import type { ChatResult, StreamPart } from "../../../src/canonical/chat.ts";
import { GatewayError } from "../../../src/canonical/errors.ts";
import { seeded } from "../../support/rechunk.ts";
import { expectWellFormed, framesOf, sdkFinalMessage, shape } from "./sdk-stream.ts";

const MODEL = "claude-via-gpt";
const ZERO = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

function encode(parts: StreamPart[], finish = true): string {
  const encoder = anthropicStreamEncoder(MODEL);
  let out = "";
  for (const part of parts) out += encoder.part(part);
  return finish ? out + encoder.end() : out;
}

const start: StreamPart = { type: "start", id: "chatcmpl-42", model: "gpt-4o-2024-08-06" };
const messageBase = { id: "msg_chatcmpl_42", type: "message", role: "assistant", model: MODEL };

describe("Anthropic stream encoder", () => {
  test("text only: the exact frames, and the SDK accumulates them", async () => {
    const sse = encode([
      start,
      { type: "text-delta", text: "Hel" },
      { type: "text-delta", text: "lo" },
      { type: "finish", finishReason: "stop" },
      { type: "usage", usage: { input: 12, output: 2 } },
    ]);
    expect(sse).toBe(
      [
        `event: message_start\ndata: {"type":"message_start","message":{"id":"msg_chatcmpl_42","type":"message","role":"assistant","model":"claude-via-gpt","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}}`,
        `event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`,
        `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}`,
        `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo"}}`,
        `event: content_block_stop\ndata: {"type":"content_block_stop","index":0}`,
        `event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":12,"output_tokens":2,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}`,
        `event: message_stop\ndata: {"type":"message_stop"}`,
        "",
      ].join("\n\n"),
    );
    expect(await sdkFinalMessage(sse)).toEqual({
      ...messageBase,
      content: [{ type: "text", text: "Hello" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 12, output_tokens: 2, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  });

  test("thinking with a signature closes at the signature, then text opens as block 1", async () => {
    const sse = encode([
      start,
      { type: "reasoning-delta", text: "Let me " },
      { type: "reasoning-delta", text: "think." },
      { type: "reasoning-signature", signature: "EqQBCkYIBxgCKkD" },
      { type: "text-delta", text: "42." },
      { type: "finish", finishReason: "stop" },
    ]);
    const frames = framesOf(sse);
    expectWellFormed(frames);
    expect(shape(frames)).toEqual([
      "message_start",
      "content_block_start:0",
      "content_block_delta:0",
      "content_block_delta:0",
      "content_block_delta:0",
      "content_block_stop:0",
      "content_block_start:1",
      "content_block_delta:1",
      "content_block_stop:1",
      "message_delta",
      "message_stop",
    ]);
    expect(frames[1]!.data.content_block).toEqual({ type: "thinking", thinking: "", signature: "" });
    expect(frames[4]!.data.delta).toEqual({ type: "signature_delta", signature: "EqQBCkYIBxgCKkD" });
    expect(await sdkFinalMessage(sse)).toEqual({
      ...messageBase,
      content: [
        { type: "thinking", thinking: "Let me think.", signature: "EqQBCkYIBxgCKkD" },
        { type: "text", text: "42." },
      ],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: ZERO,
    });
  });

  test("two parallel tool calls with interleaved deltas: the second waits its turn, both inputs arrive whole", async () => {
    const sse = encode([
      start,
      { type: "text-delta", text: "Checking both." },
      { type: "tool-call-start", index: 0, id: "call_a", name: "get_weather" },
      { type: "tool-call-start", index: 1, id: "call_b", name: "get_time" },
      { type: "tool-call-delta", index: 0, argumentsDelta: '{"city":' },
      { type: "tool-call-delta", index: 1, argumentsDelta: '{"tz":' },
      { type: "tool-call-delta", index: 0, argumentsDelta: '"Paris"}' },
      { type: "tool-call-delta", index: 1, argumentsDelta: '"CET"}' },
      { type: "finish", finishReason: "tool-calls" },
      { type: "usage", usage: { input: 90, output: 31, cacheRead: 64 } },
    ]);
    const frames = framesOf(sse);
    expectWellFormed(frames);
    expect(shape(frames)).toEqual([
      "message_start",
      "content_block_start:0",
      "content_block_delta:0",
      "content_block_stop:0",
      "content_block_start:1",
      "content_block_delta:1",
      "content_block_delta:1",
      "content_block_stop:1",
      "content_block_start:2",
      "content_block_delta:2",
      "content_block_delta:2",
      "content_block_stop:2",
      "message_delta",
      "message_stop",
    ]);
    expect(frames[4]!.data.content_block).toEqual({ type: "tool_use", id: "call_a", name: "get_weather", input: {} });
    // The second call's fragment that arrived early goes out as soon as its block opens.
    expect(frames[9]!.data.delta).toEqual({ type: "input_json_delta", partial_json: '{"tz":' });
    expect(await sdkFinalMessage(sse)).toEqual({
      ...messageBase,
      content: [
        { type: "text", text: "Checking both." },
        { type: "tool_use", id: "call_a", name: "get_weather", input: { city: "Paris" } },
        { type: "tool_use", id: "call_b", name: "get_time", input: { tz: "CET" } },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: { input_tokens: 26, output_tokens: 31, cache_creation_input_tokens: 0, cache_read_input_tokens: 64 },
    });
  });

  test("sequential tool calls stream live: a call's block opens when it starts, once the previous call's JSON closed", () => {
    const encoder = anthropicStreamEncoder(MODEL);
    encoder.part(start);
    expect(shape(framesOf(encoder.part({ type: "tool-call-start", index: 0, id: "call_a", name: "a" })))).toEqual(["message_start", "content_block_start:0"]);
    expect(shape(framesOf(encoder.part({ type: "tool-call-delta", index: 0, argumentsDelta: '{"x":1}' })))).toEqual(["content_block_delta:0"]);
    expect(shape(framesOf(encoder.part({ type: "tool-call-start", index: 1, id: "call_b", name: "b" })))).toEqual(["content_block_stop:0", "content_block_start:1"]);
    expect(shape(framesOf(encoder.part({ type: "tool-call-delta", index: 1, argumentsDelta: '{"y":' })))).toEqual(["content_block_delta:1"]);
  });

  test("three calls fragmented and interleaved at random: always well-formed, inputs exact, in start order", async () => {
    const args = ['{"path":"a/b.ts","content":"x = {\\"}\\"}; [1]"}', '{"q":"braces } ] in strings","n":[1,{"k":2}]}', "{}"];
    for (let seed = 1; seed <= 40; seed++) {
      const random = seeded(seed);
      const fragments = args.map((text) => {
        const pieces: string[] = [];
        for (let i = 0; i < text.length; ) {
          const size = 1 + Math.floor(random() * 6);
          pieces.push(text.slice(i, i + size));
          i += size;
        }
        return pieces;
      });
      const parts: StreamPart[] = [start, ...args.map((_, index) => ({ type: "tool-call-start" as const, index, id: `call_${index}`, name: `tool_${index}` }))];
      while (fragments.some((f) => f.length > 0)) {
        const live = fragments.map((f, i) => (f.length > 0 ? i : -1)).filter((i) => i >= 0);
        const index = live[Math.floor(random() * live.length)]!;
        parts.push({ type: "tool-call-delta", index, argumentsDelta: fragments[index]!.shift()! });
      }
      parts.push({ type: "finish", finishReason: "tool-calls" });
      const sse = encode(parts);
      expectWellFormed(framesOf(sse));
      const message = await sdkFinalMessage(sse);
      expect(message.content).toEqual(args.map((text, index) => ({ type: "tool_use", id: `call_${index}`, name: `tool_${index}`, input: JSON.parse(text) })));
    }
  });

  test("usage reported before any content lands in message_start; the final usage in message_delta", async () => {
    const usage = { input: 1200, output: 0, cacheRead: 1000, cacheWrite: 150 };
    const sse = encode([start, { type: "usage", usage }, { type: "text-delta", text: "ok" }, { type: "finish", finishReason: "stop" }, { type: "usage", usage: { ...usage, output: 7 } }]);
    const frames = framesOf(sse);
    expect((frames[0]!.data.message as { usage: unknown }).usage).toEqual({ input_tokens: 50, output_tokens: 0, cache_creation_input_tokens: 150, cache_read_input_tokens: 1000 });
    expect((await sdkFinalMessage(sse)).usage).toEqual({ input_tokens: 50, output_tokens: 7, cache_creation_input_tokens: 150, cache_read_input_tokens: 1000 });
  });

  test("a stop sequence, redacted thinking, and message_start made lazily when `start` never came", async () => {
    const sse = encode([
      { type: "redacted-reasoning", data: "EmwKAhgBEgy3va" },
      { type: "text-delta", text: "Done" },
      { type: "finish", finishReason: "stop", providerMetadata: { anthropic: { stop_sequence: "###" } } },
    ]);
    const frames = framesOf(sse);
    expectWellFormed(frames);
    const message = await sdkFinalMessage(sse);
    expect(message.id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(message).toEqual({
      id: message.id,
      type: "message",
      role: "assistant",
      model: MODEL,
      content: [
        { type: "redacted_thinking", data: "EmwKAhgBEgy3va" },
        { type: "text", text: "Done" },
      ],
      stop_reason: "stop_sequence",
      stop_sequence: "###",
      usage: ZERO,
    });
  });

  test("empty fragments open no block; an empty answer is message_start, message_delta, message_stop", async () => {
    const sse = encode([start, { type: "text-delta", text: "" }, { type: "finish", finishReason: "length" }]);
    expect(shape(framesOf(sse))).toEqual(["message_start", "message_delta", "message_stop"]);
    expect(await sdkFinalMessage(sse)).toEqual({ ...messageBase, content: [], stop_reason: "max_tokens", stop_sequence: null, usage: ZERO });
  });

  test("tool calls ending with a plain 'stop' still report tool_use; a call cut off by max_tokens is flushed and closed", async () => {
    const stopped = await sdkFinalMessage(
      encode([start, { type: "tool-call-start", index: 0, id: "call_a", name: "a" }, { type: "tool-call-delta", index: 0, argumentsDelta: "{}" }, { type: "finish", finishReason: "stop" }]),
    );
    expect(stopped.stop_reason).toBe("tool_use");

    const cut = encode([
      start,
      { type: "tool-call-start", index: 0, id: "call_a", name: "a" },
      { type: "tool-call-start", index: 1, id: "call_b", name: "b" },
      { type: "tool-call-delta", index: 1, argumentsDelta: '{"done":true}' },
      { type: "tool-call-delta", index: 0, argumentsDelta: '{"text":"unfini' },
      { type: "finish", finishReason: "length" },
    ]);
    const frames = framesOf(cut);
    expectWellFormed(frames);
    expect(frames.filter((f) => f.event === "content_block_delta").map((f) => [f.data.index, (f.data.delta as { partial_json: string }).partial_json])).toEqual([
      [0, '{"text":"unfini'],
      [1, '{"done":true}'],
    ]);
    expect(frames.at(-2)!.data.delta).toEqual({ stop_reason: "max_tokens", stop_sequence: null });
  });

  test("fail mid-stream: no further block events, one Anthropic error event, nothing after", async () => {
    const encoder = anthropicStreamEncoder(MODEL);
    let sse = encoder.part(start) + encoder.part({ type: "text-delta", text: "partial" });
    sse += encoder.fail(new GatewayError("provider.overloaded", "Upstream Acme is overloaded; try again shortly."));
    expect(encoder.end()).toBe("");
    expect(encoder.part({ type: "text-delta", text: "late" })).toBe("");
    const frames = framesOf(sse);
    expect(shape(frames)).toEqual(["message_start", "content_block_start:0", "content_block_delta:0", "error"]);
    expect(frames.at(-1)!.data).toEqual({ type: "error", error: { type: "overloaded_error", message: "Upstream Acme is overloaded; try again shortly." } });

    const failure = await sdkFinalMessage(sse).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).type).toBe("overloaded_error");
    expect((failure as APIError).message).toContain("Upstream Acme is overloaded");
  });

  test("a timeout before any content is just the error event", () => {
    const encoder = anthropicStreamEncoder(MODEL);
    expect(encoder.part(start)).toBe("");
    expect(framesOf(encoder.fail(new GatewayError("provider.timeout", "Acme did not answer within 60s.")))).toEqual([
      { event: "error", data: { type: "error", error: { type: "timeout_error", message: "Acme did not answer within 60s." } } },
    ]);
  });

  test("broken tool-call protocol throws provider.bad_response; trailing whitespace after a closed call is dropped", () => {
    const early = anthropicStreamEncoder(MODEL);
    expect(() => early.part({ type: "tool-call-delta", index: 3, argumentsDelta: "{" })).toThrow(GatewayError);

    const late = anthropicStreamEncoder(MODEL);
    late.part({ type: "tool-call-start", index: 0, id: "call_a", name: "a" });
    late.part({ type: "tool-call-delta", index: 0, argumentsDelta: '{"x":1}' });
    late.part({ type: "tool-call-start", index: 1, id: "call_b", name: "b" });
    expect(late.part({ type: "tool-call-delta", index: 0, argumentsDelta: " \n" })).toBe("");
    let thrown: unknown;
    try {
      late.part({ type: "tool-call-delta", index: 0, argumentsDelta: '{"y":2}' });
    } catch (error) {
      thrown = error;
    }
    expect((thrown as GatewayError).code).toBe("provider.bad_response");
    expect(() => late.part({ type: "tool-call-start", index: 1, id: "call_c", name: "c" })).toThrow("started twice");
  });

  test("a streamed answer accumulates to exactly the Message the complete answer encodes to", async () => {
    const result: ChatResult = {
      id: "msg_01XFDUDYJgAACzvnptvVoYEL",
      model: "upstream",
      content: [
        { type: "thinking", text: "The user wants weather.", signature: "sig-1" },
        { type: "text", text: "Looking it up." },
        { type: "tool-call", id: "toolu_01", name: "get_weather", arguments: '{"city":"Oslo","units":["C"]}' },
      ],
      finishReason: "tool-calls",
      usage: { input: 500, output: 40, cacheRead: 300, cacheWrite: 100 },
    };
    const parts: StreamPart[] = [
      { type: "start", id: result.id, model: "upstream" },
      { type: "reasoning-delta", text: "The user wants weather." },
      { type: "reasoning-signature", signature: "sig-1" },
      { type: "text-delta", text: "Looking it up." },
      { type: "tool-call-start", index: 0, id: "toolu_01", name: "get_weather" },
      { type: "tool-call-delta", index: 0, argumentsDelta: '{"city":"Oslo",' },
      { type: "tool-call-delta", index: 0, argumentsDelta: '"units":["C"]}' },
      { type: "finish", finishReason: "tool-calls" },
      { type: "usage", usage: result.usage! },
    ];
    expect(await sdkFinalMessage(encode(parts))).toEqual(toAnthropicMessage(result, MODEL) as unknown as Record<string, unknown>);
  });
});
