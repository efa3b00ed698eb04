import { describe, expect, test } from "bun:test";
import { crc32 } from "node:zlib";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { GatewayError } from "../../src/canonical/errors.ts";
import { AwsEventStreamDecoder } from "../../src/streams/aws-eventstream.ts";
import type { SseEvent } from "../../src/streams/sse-parser.ts";
import { encodeMessages, type RecordedMessage } from "../fixtures/bedrock/make-fixtures.ts";
import { seeded, splitRandomly, splitsAtEveryByte } from "../support/rechunk.ts";

const FIXTURES = ["text", "tools", "reasoning", "guardrail", "max-tokens", "throttled"] as const;
const dir = new URL("../fixtures/bedrock/", import.meta.url);
const bytesOf = async (name: string) => new Uint8Array(await Bun.file(new URL(`${name}.bin`, dir)).arrayBuffer());
const recordedOf = async (name: string) => (await Bun.file(new URL(`${name}.events.json`, dir)).json()) as RecordedMessage[];

/** What the decoder should give for a recorded message. */
function expectedEvent(message: RecordedMessage): SseEvent {
  if (message.type === "event") return { event: message.name, data: JSON.stringify(message.payload) };
  const payload = message.payload as Record<string, unknown>;
  return { event: "exception", data: JSON.stringify({ ...payload, type: message.name, message: payload.message }) };
}

function decodeAll(pieces: Uint8Array[]): SseEvent[] {
  const decoder = new AwsEventStreamDecoder("Amazon Bedrock");
  const events: SseEvent[] = [];
  for (const piece of pieces) events.push(...decoder.push(piece));
  events.push(...decoder.end());
  return events;
}

const thrown = (run: () => unknown): GatewayError => {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error("expected a GatewayError");
};

describe("the fixtures", () => {
  test("each .bin is its .events.json framed by the codec (regenerate with make-fixtures.ts), with CRCs an independent crc32 agrees with", async () => {
    for (const name of FIXTURES) {
      const bytes = await bytesOf(name);
      expect(Buffer.from(encodeMessages(await recordedOf(name))).equals(Buffer.from(bytes))).toBe(true);
      let offset = 0;
      while (offset < bytes.length) {
        const view = new DataView(bytes.buffer, bytes.byteOffset + offset);
        const total = view.getUint32(0);
        expect(view.getUint32(8)).toBe(crc32(bytes.subarray(offset, offset + 8)));
        expect(view.getUint32(total - 4)).toBe(crc32(bytes.subarray(offset, offset + total - 4)));
        offset += total;
      }
      expect(offset).toBe(bytes.length);
    }
  });
});

describe("AwsEventStreamDecoder", () => {
  for (const name of FIXTURES) {
    test(`${name}: whole, split at every byte, one byte per chunk, and at random boundaries give the same events`, async () => {
      const bytes = await bytesOf(name);
      const expected = (await recordedOf(name)).map(expectedEvent);
      expect(decodeAll([bytes])).toEqual(expected);
      for (const pieces of splitsAtEveryByte(bytes)) {
        const events = decodeAll(pieces);
        if (!Bun.deepEquals(events, expected)) expect({ split: pieces[0]?.length, events }).toEqual({ split: pieces[0]?.length, events: expected });
      }
      expect(decodeAll(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)))).toEqual(expected);
      for (let seed = 1; seed <= 200; seed++) {
        const events = decodeAll(splitRandomly(bytes, seeded(seed), 64));
        if (!Bun.deepEquals(events, expected)) expect({ seed, events }).toEqual({ seed, events: expected });
      }
    });
  }

  test("events are returned as soon as their message is complete", async () => {
    const bytes = await bytesOf("text");
    const first = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0);
    const decoder = new AwsEventStreamDecoder();
    expect(decoder.push(bytes.subarray(0, first - 1))).toEqual([]);
    expect(decoder.push(bytes.subarray(first - 1, first + 3)).map((event) => event.event)).toEqual(["messageStart"]);
  });

  test("a corrupt payload byte fails the message CRC; a corrupt header-length byte fails the prelude CRC", async () => {
    const bytes = await bytesOf("text");
    const payload = bytes.slice();
    payload[40] = (payload[40] as number) ^ 0x01;
    const message = thrown(() => decodeAll([payload]));
    expect([message.code, message.status]).toEqual(["provider.bad_response", 502]);
    expect(message.message).toContain("Amazon Bedrock sent a corrupt AWS event stream");
    expect(message.message).toContain("message checksum");
    const prelude = bytes.slice();
    prelude[7] = (prelude[7] as number) ^ 0x01;
    expect(thrown(() => decodeAll([prelude])).message).toContain("prelude checksum");
  });

  test("a length below the 16-byte minimum or above 16 MiB is refused at once", () => {
    const tiny = new Uint8Array([0, 0, 0, 8, 0, 0, 0, 0]);
    expect(thrown(() => new AwsEventStreamDecoder().push(tiny)).message).toContain("claims 8 bytes");
    const huge = new Uint8Array([0x7f, 0xff, 0xff, 0xff]);
    expect(thrown(() => new AwsEventStreamDecoder().push(huge)).code).toBe("provider.bad_response");
  });

  test("a stream cut mid-message is an error at end(); a clean end returns nothing", async () => {
    const bytes = await bytesOf("text");
    const decoder = new AwsEventStreamDecoder("Amazon Bedrock");
    decoder.push(bytes.subarray(0, bytes.length - 5));
    const error = thrown(() => decoder.end());
    expect(error.code).toBe("provider.bad_response");
    expect(error.message).toContain("in the middle of a message");
    const clean = new AwsEventStreamDecoder();
    clean.push(bytes);
    expect(clean.end()).toEqual([]);
  });

  const codec = new EventStreamCodec((b) => new TextDecoder().decode(b), (s) => new TextEncoder().encode(s));
  const frame = (headers: Record<string, string>, body = "") =>
    codec.encode({ headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, { type: "string" as const, value: v }])), body: new TextEncoder().encode(body) });

  test("exception messages keep their payload fields; error messages take code and message from headers; other message types are skipped", () => {
    const exception = frame({ ":message-type": "exception", ":exception-type": "modelStreamErrorException", ":content-type": "application/json" }, '{"message":"Model Stream Error","originalStatusCode":500,"originalMessage":"The model stream failed."}');
    const error = frame({ ":message-type": "error", ":error-code": "InternalFailure", ":error-message": "We encountered an internal error." });
    const unknown = frame({ ":message-type": "ping" }, "{}");
    const events = new AwsEventStreamDecoder().push(Buffer.concat([exception, error, unknown]));
    expect(events.map((event) => [event.event, JSON.parse(event.data)])).toEqual([
      ["exception", { message: "Model Stream Error", originalStatusCode: 500, originalMessage: "The model stream failed.", type: "modelStreamErrorException" }],
      ["exception", { type: "InternalFailure", message: "We encountered an internal error." }],
    ]);
  });

  test("an event without :event-type keeps its data and no name; a non-JSON exception payload becomes its message", () => {
    const events = new AwsEventStreamDecoder().push(Buffer.concat([frame({ ":message-type": "event" }, "raw"), frame({ ":message-type": "exception", ":exception-type": "validationException" }, "plain text")]));
    expect(events).toEqual([{ data: "raw" }, { event: "exception", data: JSON.stringify({ message: "plain text", type: "validationException" }) }]);
  });
});
