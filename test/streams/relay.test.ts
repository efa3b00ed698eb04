import { describe, expect, test } from "bun:test";
import type { StreamOutcome } from "../../src/calls/outcome.ts";
import { openAIPassthroughStage } from "../../src/dialects/openai/stream.ts";
import { relaySse } from "../../src/streams/relay.ts";
import { GatewayError } from "../../src/canonical/errors.ts";
import { seeded, splitRandomly, streamOf } from "../support/rechunk.ts";
import { openai } from "../../src/providers/openai/index.ts";

// What UpstreamCall.explain does for a broken connection (router/execute.ts).
const explain = (error: unknown) => new GatewayError("provider.unreachable", `Lost the connection to Test: ${(error as Error).message}`);
const streamError = openai.streamError;

const fixture = await Bun.file(new URL("../fixtures/openai/chat-stream-tool.sse", import.meta.url)).bytes();

async function relay(pieces: Uint8Array[], wantsUsage: boolean) {
  let outcome: StreamOutcome | undefined;
  const body = relaySse(streamOf(pieces), openAIPassthroughStage({ clientWantsUsage: wantsUsage, explain, streamError, onEnd: (o) => (outcome = o) }), () => {});
  const text = await new Response(body).text();
  return { text, outcome };
}

describe("OpenAI passthrough relay", () => {
  test("forwards every chunk's data unchanged and keeps usage when the client asked", async () => {
    const { text, outcome } = await relay([fixture], true);
    const datas = text.split("\n\n").filter(Boolean).map((f) => f.replace(/^data: /, ""));
    const original = new TextDecoder().decode(fixture).split("\n\n").map((f) => f.trim()).filter((f) => f.startsWith("data: ")).map((f) => f.slice(6));
    expect(datas).toEqual(original);
    expect(outcome).toEqual({ cancelled: false, usage: { input: 82, output: 17, cacheRead: 64 }, finishReason: "tool_calls", responseId: "chatcmpl-AbC123" });
  });

  test("drops the usage-only chunk when the client did not ask, but still knows the usage", async () => {
    for (let seed = 1; seed <= 50; seed++) {
      const { text, outcome } = await relay(splitRandomly(fixture, seeded(seed)), false);
      expect(text).not.toContain('"prompt_tokens"');
      expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
      expect(outcome?.usage).toEqual({ input: 82, output: 17, cacheRead: 64 });
    }
  });

  test("an upstream failure after the first byte becomes an in-stream OpenAI error, then [DONE]", async () => {
    let sent = false;
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!sent) {
          sent = true;
          controller.enqueue(fixture.subarray(0, 400));
        } else controller.error(new TypeError("socket hang up"));
      },
    });
    let outcome: StreamOutcome | undefined;
    const text = await new Response(relaySse(broken, openAIPassthroughStage({ clientWantsUsage: false, explain, streamError, onEnd: (o) => (outcome = o) }), () => {})).text();
    const frames = text.split("\n\n").filter(Boolean);
    expect(frames.at(-1)).toBe("data: [DONE]");
    const error = JSON.parse(frames.at(-2)!.slice(6)).error;
    expect(error).toMatchObject({ type: "api_error", code: "unreachable" });
    expect(error.message).toContain("socket hang up");
    expect(outcome?.error?.code).toBe("provider.unreachable");
  });

  test("cancelling the client side aborts upstream and reports a cancelled call", async () => {
    let aborted = false;
    let upstreamCancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(new TextEncoder().encode('data: {"choices":[{"delta":{"content":"x"}}]}\n\n')),
      cancel: () => void (upstreamCancelled = true),
    });
    let outcome: StreamOutcome | undefined;
    const body = relaySse(endless, openAIPassthroughStage({ clientWantsUsage: false, explain, streamError, onEnd: (o) => (outcome = o) }), () => (aborted = true));
    const reader = body.getReader();
    await reader.read();
    await reader.cancel();
    expect(aborted).toBe(true);
    expect(upstreamCancelled).toBe(true);
    expect(outcome?.cancelled).toBe(true);
  });

  test("pulls lazily: nothing is read from upstream beyond what the client consumed (back-pressure)", async () => {
    let pulls = 0;
    const source = new ReadableStream<Uint8Array>(
      { pull: (controller) => void (pulls++, controller.enqueue(new TextEncoder().encode(`data: ${pulls}\n\n`))) },
      { highWaterMark: 0 },
    );
    const reader = relaySse(source, openAIPassthroughStage({ clientWantsUsage: true, explain, streamError, onEnd: () => {} }), () => {}).getReader();
    await reader.read();
    await reader.read();
    await Bun.sleep(20);
    expect(pulls).toBeLessThanOrEqual(3);
    await reader.cancel();
  });
});
