import { describe, expect, test } from "bun:test";
import { anthropic } from "../../src/providers/anthropic/index.ts";
import { openai } from "../../src/providers/openai/index.ts";
import { isRetryable } from "../../src/router/classify.ts";
import { GatewayError } from "../../src/canonical/errors.ts";
import { firstEvent, peekFirstEvent, type ChunkSource } from "../../src/streams/peek.ts";
import { splitsAtEveryByte } from "../support/rechunk.ts";

const encoder = new TextEncoder();
const streamOf = (chunks: Uint8Array[]) =>
  new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
/** Everything a source gives, as text. */
async function text(source: ChunkSource): Promise<string> {
  const decoder = new TextDecoder();
  let out = "";
  for (let next = await source.read(); !next.done; next = await source.read()) out += decoder.decode(next.value, { stream: true });
  return out + decoder.decode();
}
const none = () => undefined;

describe("peekFirstEvent", () => {
  const sse = ": keep-alive\n\ndata: {\"choices\":[]}\n\ndata: [DONE]\n\n";

  test("replays every byte it read, whatever the chunking", async () => {
    for (const pieces of splitsAtEveryByte(encoder.encode(sse))) {
      const replay = await peekFirstEvent(streamOf(pieces.filter((p) => p.length > 0)), "Up", none);
      expect(await text(replay)).toBe(sse);
    }
  });

  test("chunks after the first event are reported as they pass (the idle timeout's clock)", async () => {
    let chunks = 0;
    const replay = await peekFirstEvent(streamOf([encoder.encode("data: 1\n\n"), encoder.encode("data: 2\n\n"), encoder.encode("data: 3\n\n")]), "Up", none, () => chunks++);
    expect(chunks).toBe(0);
    expect(await text(replay)).toBe("data: 1\n\ndata: 2\n\ndata: 3\n\n");
    expect(chunks).toBe(2);
  });

  test("an error as the first event is thrown, not replayed", async () => {
    const body = streamOf([encoder.encode('data: {"error":{"message":"overloaded","type":"server_error","code":503}}\n\n')]);
    const error = await peekFirstEvent(body, "OpenAI", (event) => openai.streamError(event)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect(isRetryable(error as GatewayError)).toBe(true);
  });

  test("a stream that ends without a complete event (keep-alives, garbage, a JSON body) is a bad response", async () => {
    for (const body of [": keep-alive\n\n", "this is not an event stream\n", '{"id":"chatcmpl-1","choices":[]}']) {
      const error = await peekFirstEvent(streamOf([encoder.encode(body)]), "Up", none).catch((e: unknown) => e);
      expect((error as GatewayError).code).toBe("provider.bad_response");
    }
  });

  test("an event the stream's end completes (no blank line after it) is the first event, and is inspected", async () => {
    const replay = await peekFirstEvent(streamOf([encoder.encode('data: {"choices":[]}')]), "Up", none);
    expect(await text(replay)).toBe('data: {"choices":[]}');
    const error = await peekFirstEvent(streamOf([encoder.encode('data: {"error":{"message":"down","code":503}}')]), "OpenAI", (event) => openai.streamError(event)).catch((e: unknown) => e);
    expect((error as GatewayError).code).toBe("provider.overloaded");
  });

  test("a stream that ends before any byte is a bad response", async () => {
    const error = await peekFirstEvent(streamOf([]), "Up", none).catch((e: unknown) => e);
    expect((error as GatewayError).code).toBe("provider.bad_response");
  });
});

describe("stream error events", () => {
  test("Anthropic's overloaded_error event is a retryable overload", () => {
    const error = anthropic.streamError({ event: "error", data: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}' });
    expect(error?.code).toBe("provider.overloaded");
    expect(isRetryable(error as GatewayError)).toBe(true);
    expect(anthropic.streamError({ event: "message_start", data: "{}" })).toBeUndefined();
  });

  test("an ordinary OpenAI chunk is not an error; a content mentioning \"error\" neither", () => {
    expect(openai.streamError({ data: '{"choices":[{"delta":{"content":"no \\"error\\" here"}}]}' })).toBeUndefined();
    expect(openai.streamError({ data: "[DONE]" })).toBeUndefined();
  });
});

describe("firstEvent", () => {
  test("the first event with data or a name, once its blank line is in; keep-alive comments skipped", () => {
    expect(firstEvent("data: {\"a\":1}")).toBeUndefined();
    expect(firstEvent("data: {\"a\":1}\n")).toBeUndefined();
    expect(firstEvent("data: {\"a\":1}\n\n")).toEqual({ data: '{"a":1}' });
    expect(firstEvent(": ping\n\n: ping\n\nevent: error\r\ndata: x\r\ndata: y\r\n\r\ndata: later\n\n")).toEqual({ event: "error", data: "x\ny" });
    expect(firstEvent("\ufeffevent: message_start\rdata:{}\r\r")).toEqual({ event: "message_start", data: "{}" });
  });
});
