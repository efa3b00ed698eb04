import { describe, expect, test } from "bun:test";
import type { BedrockState } from "../../../src/providers/bedrock/state.ts";
import { bedrockStreamError, bedrockStreamReader } from "../../../src/providers/bedrock/stream.ts";
import type { StreamPart } from "../../../src/canonical/chat.ts";
import { GatewayError } from "../../../src/canonical/errors.ts";
import { AwsEventStreamDecoder } from "../../../src/streams/aws-eventstream.ts";
import { seeded, splitRandomly, splitsAtEveryByte } from "../../support/rechunk.ts";

const MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const fixture = async (name: string) => new Uint8Array(await Bun.file(new URL(`../../fixtures/bedrock/${name}.bin`, import.meta.url)).arrayBuffer());

interface Replay {
  parts: StreamPart[];
  error?: { code: string; status: number; message: string };
}

/** Feeds byte pieces through the event-stream decoder into a fresh reader. */
function replay(pieces: Uint8Array[], state: BedrockState): Replay {
  const decoder = new AwsEventStreamDecoder("Amazon Bedrock");
  const reader = bedrockStreamReader(state);
  const parts: StreamPart[] = [];
  try {
    for (const piece of pieces) for (const event of decoder.push(piece)) parts.push(...reader.event(event));
    for (const event of decoder.end()) parts.push(...reader.event(event));
    parts.push(...reader.end());
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    return { parts, error: { code: error.code, status: error.status, message: error.message } };
  }
  return { parts };
}

const STATE: BedrockState = { model: MODEL, reverseNames: new Map() };
const start = { type: "start", id: "", model: MODEL } as const;
const finish = (finishReason: string, bedrock: Record<string, unknown>) => ({ type: "finish", finishReason, providerMetadata: { bedrock } }) as StreamPart;

const FIXTURES: { name: string; state: BedrockState; expected: Replay }[] = [
  {
    name: "text",
    state: STATE,
    expected: {
      parts: [
        start,
        { type: "text-delta", text: "Bonjour" },
        { type: "text-delta", text: " — un café ☕" },
        { type: "text-delta", text: " et 🥐?\nOui." },
        // inputTokens (21) excludes the 1860 cache reads; the spec's input counts both.
        { type: "usage", usage: { input: 1881, output: 17, cacheRead: 1860 } },
        finish("stop", { stopReason: "end_turn", latencyMs: 812 }),
      ],
    },
  },
  {
    name: "tools",
    state: { model: MODEL, reverseNames: new Map([["files_read", "files.read"]]) },
    expected: {
      parts: [
        start,
        { type: "text-delta", text: "I'll check the weather and read the file." },
        { type: "tool-call-start", index: 1, id: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", name: "get_weather" },
        { type: "tool-call-delta", index: 1, argumentsDelta: '{"city": "Pa' },
        { type: "tool-call-delta", index: 1, argumentsDelta: 'ris", "unit": "celsius"}' },
        { type: "tool-call-start", index: 2, id: "tooluse_9QwBd1xUTa2lKz3vXw0aSg", name: "files.read" },
        { type: "tool-call-delta", index: 2, argumentsDelta: '{"path": "/tmp/' },
        { type: "tool-call-delta", index: 2, argumentsDelta: 'notes — été.txt"}' },
        { type: "tool-call-start", index: 3, id: "tooluse_Lm2nXq8RRyS0pVb7cTzH1w", name: "list_files" },
        // A call that streamed no arguments is completed as {} so clients can parse it.
        { type: "tool-call-delta", index: 3, argumentsDelta: "{}" },
        { type: "usage", usage: { input: 412, output: 104 } },
        finish("tool-calls", { stopReason: "tool_use", latencyMs: 1740 }),
      ],
    },
  },
  {
    name: "reasoning",
    state: STATE,
    expected: {
      parts: [
        start,
        { type: "reasoning-delta", text: "I need to find 27 * 453.\n" },
        { type: "reasoning-delta", text: "27 * 453 = 12231." },
        { type: "reasoning-signature", signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds8Ad3hfd0ZmGdwQoqQ==" },
        { type: "redacted-reasoning", data: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB5URj" },
        { type: "text-delta", text: "27 * 453 = 12,231." },
        { type: "usage", usage: { input: 1960, output: 96, cacheWrite: 1912 } },
        finish("stop", { stopReason: "end_turn", latencyMs: 2281, additionalModelResponseFields: { delta: { stop_sequence: null } } }),
      ],
    },
  },
  {
    name: "guardrail",
    state: STATE,
    expected: {
      parts: [
        start,
        { type: "text-delta", text: "Sorry, the model cannot answer this question." },
        { type: "usage", usage: { input: 0, output: 0 } },
        finish("content-filter", {
          stopReason: "guardrail_intervened",
          latencyMs: 331,
          trace: {
            guardrail: {
              inputAssessment: {
                "8zbwx4qrbidl": {
                  contentPolicy: { filters: [{ action: "BLOCKED", confidence: "HIGH", detected: true, filterStrength: "HIGH", type: "VIOLENCE" }] },
                  invocationMetrics: { guardrailProcessingLatency: 190, usage: { contentPolicyUnits: 1 } },
                },
              },
            },
          },
        }),
      ],
    },
  },
  {
    name: "max-tokens",
    state: STATE,
    expected: {
      parts: [start, { type: "text-delta", text: "Once upon a time, in a land far" }, { type: "usage", usage: { input: 14, output: 10 } }, finish("length", { stopReason: "max_tokens", latencyMs: 402 })],
    },
  },
  {
    name: "throttled",
    state: STATE,
    expected: {
      parts: [start, { type: "text-delta", text: "Partial" }],
      error: { code: "provider.rate_limited", status: 429, message: "Amazon Bedrock sent an error mid-stream (throttlingException): Too many tokens, please wait before trying again." },
    },
  },
];

describe("bedrockStreamReader over recorded-shape ConverseStream bytes", () => {
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
      expect(replay(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)), state)).toEqual(expected);
    });

    test(`${name}: split at random boundaries`, async () => {
      const bytes = await fixture(name);
      for (let seed = 1; seed <= 200; seed++) {
        const result = replay(splitRandomly(bytes, seeded(seed)), state);
        if (!Bun.deepEquals(result, expected)) expect({ seed, result }).toEqual({ seed, result: expected });
      }
    });
  }

  test("streamed partial JSON reassembles into the call's arguments", async () => {
    const { parts } = replay([await fixture("tools")], STATE);
    const args = (index: number) => parts.flatMap((part) => (part.type === "tool-call-delta" && part.index === index ? [part.argumentsDelta] : [])).join("");
    expect(JSON.parse(args(1))).toEqual({ city: "Paris", unit: "celsius" });
    expect(JSON.parse(args(2))).toEqual({ path: "/tmp/notes — été.txt" });
    expect(JSON.parse(args(3))).toEqual({});
  });
});

describe("bedrockStreamReader edge cases", () => {
  const event = (name: string, data: Record<string, unknown>) => ({ event: name, data: JSON.stringify(data) });

  test("the forced response_format tool streams as text and finishes with stop", () => {
    const reader = bedrockStreamReader({ model: MODEL, reverseNames: new Map(), jsonTool: "json_output" });
    const parts = [
      event("messageStart", { role: "assistant" }),
      event("contentBlockStart", { contentBlockIndex: 0, start: { toolUse: { toolUseId: "tooluse_J", name: "json_output" } } }),
      event("contentBlockDelta", { contentBlockIndex: 0, delta: { toolUse: { input: '{"answer":' } } }),
      event("contentBlockDelta", { contentBlockIndex: 0, delta: { toolUse: { input: "42}" } } }),
      event("contentBlockStop", { contentBlockIndex: 0 }),
      event("messageStop", { stopReason: "tool_use" }),
      event("metadata", { usage: { inputTokens: 3, outputTokens: 9, totalTokens: 12 }, metrics: { latencyMs: 5 } }),
    ].flatMap((e) => reader.event(e));
    expect(parts.filter((part) => part.type === "text-delta")).toEqual([
      { type: "text-delta", text: '{"answer":' },
      { type: "text-delta", text: "42}" },
    ]);
    expect(parts.some((part) => part.type === "tool-call-start")).toBe(false);
    expect(parts.at(-1)).toMatchObject({ type: "finish", finishReason: "stop" });
  });

  test("metadata before messageStop (either order) finishes once; SDK-wrapped payloads are read too", () => {
    const reader = bedrockStreamReader(STATE);
    expect(reader.event(event("metadata", { metadata: { usage: { inputTokens: 5, outputTokens: 2 }, metrics: { latencyMs: 9 } } }))).toEqual([]);
    expect(reader.event(event("messageStop", { messageStop: { stopReason: "end_turn" } }))).toEqual([
      { type: "usage", usage: { input: 5, output: 2 } },
      { type: "finish", finishReason: "stop", providerMetadata: { bedrock: { stopReason: "end_turn", latencyMs: 9 } } },
    ]);
    expect(reader.end()).toEqual([]);
  });

  test("a stream that ends without messageStop finishes with error and says it is incomplete; without metadata only usage is missing", () => {
    const cut = bedrockStreamReader(STATE);
    cut.event(event("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Hel" } }));
    expect(cut.end()).toEqual([{ type: "finish", finishReason: "error", providerMetadata: { bedrock: { stopReason: null, incomplete: true } } }]);
    const noMetadata = bedrockStreamReader(STATE);
    noMetadata.event(event("messageStop", { stopReason: "stop_sequence" }));
    expect(noMetadata.end()).toEqual([{ type: "finish", finishReason: "stop", providerMetadata: { bedrock: { stopReason: "stop_sequence" } } }]);
  });

  test("exceptions map by type; a non-JSON event is a bad response", () => {
    const exception = (type: string, message: string) => ({ event: "exception", data: JSON.stringify({ type, message }) });
    const table: [string, string, string, number][] = [
      ["throttlingException", "Too many requests", "provider.rate_limited", 429],
      ["modelStreamErrorException", "Model Stream Error", "provider.server_error", 500],
      ["validationException", "Input is too long for requested model.", "provider.context_length_exceeded", 400],
      ["validationException", "messages.0: bad", "provider.bad_request", 400],
      ["internalServerException", "Internal", "provider.server_error", 500],
      ["serviceUnavailableException", "Unavailable", "provider.overloaded", 503],
    ];
    for (const [type, message, code, status] of table) {
      let caught: unknown;
      try {
        bedrockStreamReader(STATE).event(exception(type, message));
      } catch (error) {
        caught = error;
      }
      expect(caught instanceof GatewayError && [type, caught.code, caught.status]).toEqual([type, code, status]);
      expect(bedrockStreamError("Amazon Bedrock", exception(type, message))?.code).toBe(code as never);
    }
    expect(bedrockStreamError("Amazon Bedrock", { event: "messageStart", data: "{}" })).toBeUndefined();
    expect(() => bedrockStreamReader(STATE).event({ event: "contentBlockDelta", data: "nope" })).toThrow("not JSON");
  });

  test("unknown event types and empty deltas produce nothing", () => {
    const reader = bedrockStreamReader(STATE);
    expect(reader.event(event("somethingNew", { x: 1 }))).toEqual([]);
    expect(reader.event(event("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "" } }))).toEqual([]);
    expect(reader.event(event("contentBlockDelta", { contentBlockIndex: 5, delta: { toolUse: { input: "{}" } } }))).toEqual([]);
  });
});
