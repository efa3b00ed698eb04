import { describe, expect, test } from "bun:test";
import { anthropicStreamReader } from "../../../src/providers/anthropic/stream.ts";
import type { AnthropicState } from "../../../src/providers/anthropic/state.ts";
import type { StreamPart } from "../../../src/canonical/chat.ts";
import { GatewayError } from "../../../src/canonical/errors.ts";
import { SseParser } from "../../../src/streams/sse-parser.ts";
import { seeded, splitRandomly, splitsAtEveryByte } from "../../support/rechunk.ts";

const fixture = async (name: string) => new Uint8Array(await Bun.file(new URL(`../../fixtures/anthropic/${name}`, import.meta.url)).arrayBuffer());

/** What a replay produced: the parts, and the error code if the reader threw. */
interface Replay {
  parts: StreamPart[];
  error?: { code: string; status: number; message: string };
}

/** Feeds byte pieces through the SSE parser into a fresh reader. */
function replay(pieces: Uint8Array[], state: AnthropicState): Replay {
  const parser = new SseParser();
  const reader = anthropicStreamReader(state);
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

const NO_STATE: AnthropicState = { reverseNames: new Map() };
const finish = (finishReason: string, stopReason: string) => ({ type: "finish", finishReason, providerMetadata: { anthropic: { stop_reason: stopReason, stop_sequence: null } } });

const FIXTURES: { name: string; state: AnthropicState; expected: Replay }[] = [
  {
    name: "text.sse",
    state: NO_STATE,
    expected: {
      parts: [
        { type: "start", id: "msg_01XFDUDYJgAACzvnptvVoYEL", model: "claude-sonnet-4-5-20250929" },
        { type: "text-delta", text: "Bonjour" },
        { type: "text-delta", text: " — un café ☕" },
        { type: "text-delta", text: " et 🥐?\nOui." },
        { type: "usage", usage: { input: 1881, output: 17, cacheRead: 1860 } },
        finish("stop", "end_turn") as StreamPart,
      ],
    },
  },
  {
    name: "thinking.sse",
    state: NO_STATE,
    expected: {
      parts: [
        { type: "start", id: "msg_01Aq9w938a90dw8q7bx4hdDn", model: "claude-sonnet-4-20250514" },
        { type: "reasoning-delta", text: "I need to find 27 * 453.\n" },
        { type: "reasoning-delta", text: "27 * 453 = 12231." },
        { type: "reasoning-signature", signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds8Ad3hfd0ZmGdwQoqQ==" },
        { type: "redacted-reasoning", data: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB5URj" },
        { type: "text-delta", text: "27 * 453 = 12,231." },
        { type: "usage", usage: { input: 1960, output: 96, cacheWrite: 1912, reasoning: 71 } },
        finish("stop", "end_turn") as StreamPart,
      ],
    },
  },
  {
    name: "tools.sse",
    state: { reverseNames: new Map([["files_read", "files.read"]]) },
    expected: {
      parts: [
        { type: "start", id: "msg_01PXB6Fwu7qHdBv2Pb9UdQrE", model: "claude-opus-4-1-20250805" },
        { type: "text-delta", text: "I'll check the weather and read the file." },
        { type: "tool-call-start", index: 1, id: "toolu_01A09q90qw90lq917835lq9", name: "get_weather" },
        { type: "tool-call-delta", index: 1, argumentsDelta: '{"city": "Pa' },
        { type: "tool-call-delta", index: 1, argumentsDelta: 'ris", "unit": "celsius"}' },
        { type: "tool-call-start", index: 2, id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", name: "files.read" },
        { type: "tool-call-delta", index: 2, argumentsDelta: '{"path": "/tmp/' },
        { type: "tool-call-delta", index: 2, argumentsDelta: 'notes — été.txt"}' },
        { type: "tool-call-start", index: 3, id: "toolu_01NoArgs7sJp2mQ4xV9bLcEd", name: "list_files" },
        // A call that streamed no arguments is completed as {} so clients can parse it.
        { type: "tool-call-delta", index: 3, argumentsDelta: "{}" },
        { type: "usage", usage: { input: 412, output: 104 } },
        finish("tool-calls", "tool_use") as StreamPart,
      ],
    },
  },
  {
    name: "error.sse",
    state: NO_STATE,
    expected: {
      parts: [
        { type: "start", id: "msg_01HCzFvDPjy8mTtrLrHRDW3H", model: "claude-haiku-4-5-20251001" },
        { type: "text-delta", text: "Partial" },
      ],
      error: { code: "provider.overloaded", status: 529, message: "Anthropic sent an error mid-stream (overloaded_error): Overloaded" },
    },
  },
];

describe("anthropicStreamReader over recorded-shape fixtures", () => {
  for (const { name, state, expected } of FIXTURES) {
    test(`${name}: whole`, async () => {
      expect(replay([await fixture(name)], state)).toEqual(expected);
    });

    test(`${name}: split at every byte, and one byte per chunk`, async () => {
      const bytes = await fixture(name);
      for (const pieces of splitsAtEveryByte(bytes)) {
        const result = replay(pieces, state);
        if (!Bun.deepEquals(result, expected)) expect({ split: pieces[0]?.length, result }).toEqual({ split: pieces[0]?.length, result: expected });
      }
      const single = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
      expect(replay(single, state)).toEqual(expected);
    });

    test(`${name}: split at random boundaries`, async () => {
      const bytes = await fixture(name);
      for (let seed = 1; seed <= 200; seed++) {
        const result = replay(splitRandomly(bytes, seeded(seed)), state);
        if (!Bun.deepEquals(result, expected)) expect({ seed, result }).toEqual({ seed, result: expected });
      }
    });
  }
});

describe("anthropicStreamReader edge cases", () => {
  const event = (data: Record<string, unknown>) => ({ event: data.type as string, data: JSON.stringify(data) });
  const start = event({ type: "message_start", message: { id: "msg_1", model: "claude-x", usage: { input_tokens: 3, output_tokens: 1 } } });

  test("the forced response_format tool streams as text and finishes with stop", () => {
    const reader = anthropicStreamReader({ reverseNames: new Map(), jsonTool: "json_output" });
    const parts = [
      start,
      event({ type: "content_block_start", index: 0, content_block: { type: "tool_use", id: "toolu_J", name: "json_output", input: {} } }),
      event({ type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: '{"answer":' } }),
      event({ type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: "42}" } }),
      event({ type: "content_block_stop", index: 0 }),
      event({ type: "message_delta", delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 9 } }),
      event({ type: "message_stop" }),
    ].flatMap((e) => reader.event(e));
    expect(parts.slice(1)).toEqual([
      { type: "text-delta", text: '{"answer":' },
      { type: "text-delta", text: "42}" },
      { type: "usage", usage: { input: 3, output: 9 } },
      finish("stop", "tool_use") as StreamPart,
    ]);
  });

  test("server-tool blocks and their deltas produce nothing; a tool_use or thinking block complete up front is sent whole", () => {
    const reader = anthropicStreamReader({ reverseNames: new Map() });
    const parts = [
      start,
      event({ type: "content_block_start", index: 0, content_block: { type: "server_tool_use", id: "srvtoolu_1", name: "web_search", input: {} } }),
      event({ type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: '{"query":"x"}' } }),
      event({ type: "content_block_stop", index: 0 }),
      event({ type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "toolu_2", name: "lookup", input: { id: 7 } } }),
      event({ type: "content_block_stop", index: 1 }),
      event({ type: "content_block_start", index: 2, content_block: { type: "thinking", thinking: "whole", signature: "sig==" } }),
      event({ type: "content_block_stop", index: 2 }),
    ].flatMap((e) => reader.event(e));
    expect(parts.slice(1)).toEqual([
      { type: "tool-call-start", index: 1, id: "toolu_2", name: "lookup" },
      { type: "tool-call-delta", index: 1, argumentsDelta: '{"id":7}' },
      { type: "reasoning-delta", text: "whole" },
      { type: "reasoning-signature", signature: "sig==" },
    ]);
  });

  test("ping and message_stop are ignored; a stream cut before message_delta ends with finish error", () => {
    const reader = anthropicStreamReader({ reverseNames: new Map() });
    expect(reader.event({ event: "ping", data: '{"type": "ping"}' })).toEqual([]);
    reader.event(start);
    expect(reader.end()).toEqual([{ type: "finish", finishReason: "error", providerMetadata: { anthropic: { stop_reason: null, stop_sequence: null, incomplete: true } } }]);
  });

  test("after message_delta nothing more is owed", () => {
    const reader = anthropicStreamReader({ reverseNames: new Map() });
    reader.event(start);
    reader.event(event({ type: "message_delta", delta: { stop_reason: "max_tokens", stop_sequence: null }, usage: { output_tokens: 5 } }));
    expect(reader.end()).toEqual([]);
  });

  test("an error event without the SSE event name is still an error; a non-JSON event is a bad response", () => {
    const reader = anthropicStreamReader({ reverseNames: new Map() });
    expect(() => reader.event({ data: '{"type":"error","error":{"type":"api_error","message":"Internal server error"}}' })).toThrow("Anthropic sent an error mid-stream (api_error): Internal server error");
    try {
      reader.event({ event: "content_block_delta", data: "{not json" });
      throw new Error("expected a GatewayError");
    } catch (error) {
      expect((error as GatewayError).code).toBe("provider.bad_response");
    }
  });
});
