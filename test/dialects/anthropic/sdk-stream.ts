import Anthropic from "@anthropic-ai/sdk";
import { expect } from "bun:test";
import { SseParser } from "../../../src/streams/sse-parser.ts";

/** One parsed frame: the SSE event name and its JSON data. */
export interface Frame {
  event: string | undefined;
  data: Record<string, unknown>;
}

/** Parses encoder output back into frames, checking each `event:` name equals the data's `type`. */
export function framesOf(sse: string): Frame[] {
  const parser = new SseParser();
  const frames = [...parser.push(sse), ...parser.end()].map((event) => ({ event: event.event, data: JSON.parse(event.data) as Record<string, unknown> }));
  for (const frame of frames) expect(frame.event).toBe(frame.data.type as string);
  return frames;
}

/** Frames as compact `[event, index?]` pairs, for checking a sequence at a glance. */
export const shape = (frames: Frame[]) => frames.map((f) => (typeof f.data.index === "number" ? `${f.event}:${f.data.index}` : String(f.event)));

/**
 * Checks the rules Anthropic's own streams follow and strict clients rely on: message_start first
 * and once; blocks open one at a time with indexes 0, 1, 2, ...; deltas only for the open block and
 * of its kind; exactly one stop per block; message_delta then message_stop last.
 */
export function expectWellFormed(frames: Frame[]): void {
  expect(frames[0]?.event).toBe("message_start");
  let open: { index: number; type: string } | undefined;
  let next = 0;
  const deltaKinds: Record<string, string[]> = { text: ["text_delta"], thinking: ["thinking_delta", "signature_delta"], tool_use: ["input_json_delta"], redacted_thinking: [] };
  for (const [i, { event, data }] of frames.entries()) {
    if (i === 0) continue;
    if (event === "content_block_start") {
      expect(open).toBeUndefined();
      expect(data.index).toBe(next++);
      open = { index: data.index as number, type: (data.content_block as { type: string }).type };
    } else if (event === "content_block_delta") {
      expect(open?.index).toBe(data.index as number);
      expect(deltaKinds[open!.type]).toContain((data.delta as { type: string }).type);
    } else if (event === "content_block_stop") {
      expect(open?.index).toBe(data.index as number);
      open = undefined;
    } else if (event === "message_delta") {
      expect(open).toBeUndefined();
      expect(frames[i + 1]?.event).toBe("message_stop");
      expect(i + 2).toBe(frames.length);
    } else if (event !== "message_stop") throw new Error(`unexpected event ${event}`);
  }
}

/** Feeds SSE text to the official SDK's MessageStream (through a client whose fetch returns it) and returns the accumulated Message. */
export async function sdkFinalMessage(sse: string): Promise<Record<string, unknown>> {
  const client = new Anthropic({
    apiKey: "test",
    maxRetries: 0,
    fetch: async () => new Response(sse, { headers: { "content-type": "text/event-stream" } }),
  });
  const stream = client.messages.stream({ model: "client-model", max_tokens: 1024, messages: [{ role: "user", content: "hi" }] });
  // The SDK adds a `parsed_output` (structured outputs) that no wire carries.
  const { parsed_output: _parsed, ...message } = (await stream.finalMessage()) as unknown as Record<string, unknown>;
  return message;
}

/** A client whose every call gets `response`, for error rendering checks. */
export function clientAnswering(response: Response): Anthropic {
  return new Anthropic({ apiKey: "test", maxRetries: 0, fetch: async () => response });
}
