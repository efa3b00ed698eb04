import { describe, expect, test } from "bun:test";
import { encodeSse, SseParser, type SseEvent } from "../../src/streams/sse-parser.ts";
import { seeded, splitRandomly, splitsAtEveryByte } from "../support/rechunk.ts";

const fixture = await Bun.file(new URL("../fixtures/openai/chat-stream-tool.sse", import.meta.url)).bytes();
const crlf = new TextEncoder().encode(new TextDecoder().decode(fixture).replaceAll("\n", "\r\n"));
const cr = new TextEncoder().encode(new TextDecoder().decode(fixture).replaceAll("\n", "\r"));

function parseAll(pieces: Uint8Array[]): SseEvent[] {
  const parser = new SseParser();
  const events: SseEvent[] = [];
  for (const piece of pieces) events.push(...parser.push(piece));
  events.push(...parser.end());
  return events;
}

const whole = parseAll([fixture]);

describe("SseParser", () => {
  test("parses the recorded OpenAI stream whole", () => {
    expect(whole).toHaveLength(6);
    expect(whole.at(-1)).toEqual({ data: "[DONE]" });
    const usage = JSON.parse(whole[4]!.data).usage;
    expect(usage.prompt_tokens_details.cached_tokens).toBe(64);
    const args = whole
      .slice(0, 3)
      .map((e) => JSON.parse(e.data).choices[0].delta.tool_calls[0].function.arguments)
      .join("");
    expect(JSON.parse(args)).toEqual({ city: "Zürich 東京 🌧" });
  });

  for (const [name, bytes] of [["LF", fixture], ["CRLF", crlf], ["CR", cr]] as const) {
    test(`${name} framing: the same events at every two-piece split`, () => {
      for (const pieces of splitsAtEveryByte(bytes)) expect(parseAll(pieces)).toEqual(whole);
    });

    test(`${name} framing: the same events at random boundaries (200 seeds)`, () => {
      for (let seed = 1; seed <= 200; seed++) expect(parseAll(splitRandomly(bytes, seeded(seed)))).toEqual(whole);
    });
  }

  test("one byte at a time", () => {
    const pieces = Array.from(fixture, (_, i) => fixture.subarray(i, i + 1));
    expect(parseAll(pieces)).toEqual(whole);
  });

  test("event names, ids, multi-line data, comments and a missing final blank line", () => {
    const events = parseAll([new TextEncoder().encode("event: message_start\nid: 7\ndata: a\ndata:b\n: note\nretry: 10\n\ndata: tail")]);
    // Per WHATWG the last event ID persists until another `id:` line changes it.
    expect(events).toEqual([{ event: "message_start", id: "7", data: "a\nb" }, { id: "7", data: "tail" }]);
  });

  test("a leading byte-order mark is ignored and events without data are not dispatched", () => {
    const events = parseAll([new TextEncoder().encode("\uFEFFevent: ping\n\ndata: x\n\n")]);
    expect(events).toEqual([{ data: "x" }]);
  });

  test("encodeSse round-trips through the parser", () => {
    const events: SseEvent[] = [{ data: "plain" }, { event: "delta", data: "line1\nline2" }];
    expect(parseAll([new TextEncoder().encode(events.map(encodeSse).join(""))])).toEqual(events);
  });
});
