/**
 * A stream cut before its usage was final (the client left, the upstream broke off) is never billed
 * below the output it relayed: Claude's message_start reports the input and one output token, its
 * message_delta (or Bedrock's invocation metrics) the real output; InvokeModel's chunks carry their
 * text base64-encoded, which the output estimate must read too.
 */
import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../src/canonical/errors.ts";
import { answerTap, type ObservedAnswer } from "../../src/passthrough/observe.ts";
import type { NativeWire } from "../../src/passthrough/types.ts";
import { SseParser, type EventDecoder } from "../../src/streams/sse-parser.ts";

const encoder = new TextEncoder();
const TEXT = "lorem ipsum dolor sit amet ".repeat(200);

/** A decoder for tests: each pushed chunk is one event whose data is the chunk's text (an AWS event stream's chunk event, decoded). */
const oneEventPerChunk = (): EventDecoder => ({ push: (bytes) => [{ data: new TextDecoder().decode(bytes) }], end: () => [] });

/** Feeds `pieces` to a tap, then ends it as `how` says, and returns what it learned. */
function observe(pieces: string[], wire: NativeWire, decoder: EventDecoder, how: "cancel" | "end" | "fail"): ObservedAnswer {
  let answer: ObservedAnswer | undefined;
  const tap = answerTap({
    wire,
    decoder,
    keepText: false,
    estimate: true,
    promptChars: 400,
    onFirstByte() {},
    explain: (error) => new GatewayError("provider.unreachable", String(error)),
    onEnd: (observed) => (answer = observed),
  });
  for (const piece of pieces) tap.chunk(encoder.encode(piece));
  if (how === "cancel") tap.cancel();
  else if (how === "fail") tap.fail(new Error("connection reset"));
  else tap.end();
  if (!answer) throw new Error("the tap never ended");
  return answer;
}

const START = { type: "message_start", message: { id: "msg_1", usage: { input_tokens: 50, output_tokens: 1 } } };
const DELTA = { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: TEXT } };
const END = { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 1234 } };
const sse = (event: unknown) => `data: ${JSON.stringify(event)}\n\n`;
const chunk = (event: unknown, metrics?: unknown) => JSON.stringify({ bytes: Buffer.from(JSON.stringify(metrics ? { ...(event as object), "amazon-bedrock-invocationMetrics": metrics } : event)).toString("base64") });

describe("Claude's stream cut after message_start", () => {
  test.each(["cancel", "end", "fail"] as const)("on the Anthropic wire (/anthropic, Vertex AI's streamRawPredict), %s: output billed from the text relayed", (how) => {
    const answer = observe([sse(START), sse(DELTA)], "anthropic", new SseParser(), how);
    expect(answer.usage?.input).toBe(50);
    expect(answer.usage?.output).toBeGreaterThan(1000);
    expect(answer.usageEstimated).toBe(true);
  });

  test.each(["cancel", "end"] as const)("in Bedrock's InvokeModelWithResponseStream, %s: output billed from the chunks' decoded text", (how) => {
    const answer = observe([chunk(START), chunk(DELTA)], "bedrock-invoke", oneEventPerChunk(), how);
    expect(answer.usage?.output).toBeGreaterThan(1000);
    expect(answer.usageEstimated).toBe(true);
  });

  test("a non-Claude invoke stream cut before its metrics is estimated from the decoded text too", () => {
    const answer = observe([chunk({ generation: TEXT })], "bedrock-invoke", oneEventPerChunk(), "cancel");
    expect(answer.usage?.output).toBeGreaterThan(1000);
    expect(answer.usageEstimated).toBe(true);
  });
});

describe("a stream that reached its final usage keeps it exact", () => {
  test("Anthropic: message_delta's output, not an estimate", () => {
    const answer = observe([sse(START), sse(DELTA), sse(END)], "anthropic", new SseParser(), "cancel");
    expect(answer.usage).toMatchObject({ input: 50, output: 1234 });
    expect(answer.usageEstimated).toBeUndefined();
  });

  test("Bedrock invoke: Bedrock's invocation metrics when the Claude events stopped at message_start", () => {
    const metrics = { inputTokenCount: 50, outputTokenCount: 777 };
    const answer = observe([chunk(START), chunk(DELTA), chunk({ type: "message_stop" }, metrics)], "bedrock-invoke", oneEventPerChunk(), "end");
    expect(answer.usage).toMatchObject({ input: 50, output: 777 });
    expect(answer.usageEstimated).toBeUndefined();
  });
});
