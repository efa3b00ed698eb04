import { EventStreamCodec } from "@smithy/eventstream-codec";
import { GatewayError } from "../canonical/errors.ts";
import type { SseEvent } from "./sse-parser.ts";

/**
 * AWS event-stream (`application/vnd.amazon.eventstream`) in, the same `{ event, data }` shape the
 * SSE parser gives, so providers never see bytes. Framing and both CRC checks are
 * `@smithy/eventstream-codec`'s; this class only buffers bytes until a whole message is there
 * (its total length is the first 4 bytes, big-endian).
 *
 * Conventions:
 * - `:message-type: event` -> `{ event: <:event-type>, data: <payload as UTF-8> }`.
 * - `:message-type: exception` -> `{ event: "exception", data: JSON }` where the JSON is the
 *   payload's own fields plus `type` (the `:exception-type` header, e.g. `throttlingException`)
 *   and `message` (the payload's `message`, or `Message`).
 * - `:message-type: error` -> the same `exception` event with `type` = `:error-code` and
 *   `message` = `:error-message`.
 * - Other message types are skipped.
 * Corrupt bytes (bad CRC, impossible length) and a stream cut mid-message throw a GatewayError
 * `provider.bad_response`.
 */

/** The event name every exception and error message is reported under. */
export const AWS_EXCEPTION_EVENT = "exception";

const LENGTH_BYTES = 4;
/** Prelude (8) + prelude CRC (4) + message CRC (4): the smallest message there is. */
const MIN_MESSAGE = 16;
/** The event-stream format caps a message at 16 MiB; a larger length means corrupt framing. */
const MAX_MESSAGE = 16 * 1024 * 1024;

const utf8 = new TextDecoder();
const encoder = new TextEncoder();
const codec = new EventStreamCodec((bytes) => utf8.decode(bytes), (text) => encoder.encode(text));

type Headers = ReturnType<EventStreamCodec["decode"]>["headers"];

const header = (headers: Headers, name: string): string | undefined => {
  const value = headers[name];
  return value && value.type === "string" ? value.value : undefined;
};

function payloadObject(text: string): Record<string, unknown> {
  if (text.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { message: text };
  } catch {
    return { message: text };
  }
}

function exceptionEvent(type: string, fields: Record<string, unknown>, fallbackMessage?: string): SseEvent {
  const message = typeof fields.message === "string" ? fields.message : typeof fields.Message === "string" ? fields.Message : (fallbackMessage ?? "");
  return { event: AWS_EXCEPTION_EVENT, data: JSON.stringify({ ...fields, type, message }) };
}

/** Incremental AWS event-stream decoder with the SSE parser's `push()` / `end()` shape. */
export class AwsEventStreamDecoder {
  private buffer = new Uint8Array(0);

  /** `who` names the upstream in error messages (e.g. "Amazon Bedrock"). */
  constructor(private readonly who = "The upstream") {}

  /** Feeds a chunk (split anywhere); returns the events of every message it completed. */
  push(chunk: Uint8Array): SseEvent[] {
    const buffer = this.buffer.length === 0 ? chunk : concat(this.buffer, chunk);
    const events: SseEvent[] = [];
    let offset = 0;
    while (buffer.length - offset >= LENGTH_BYTES) {
      const total = new DataView(buffer.buffer, buffer.byteOffset + offset, LENGTH_BYTES).getUint32(0, false);
      if (total < MIN_MESSAGE || total > MAX_MESSAGE) throw this.corrupt(`a message claims ${total} bytes`);
      if (buffer.length - offset < total) break;
      const event = this.decode(buffer.subarray(offset, offset + total));
      if (event) events.push(event);
      offset += total;
    }
    // Keep only the unfinished tail, copied so the caller's (possibly large) chunk is not retained.
    this.buffer = offset === buffer.length ? new Uint8Array(0) : buffer.slice(offset);
    return events;
  }

  /** Ends the stream; bytes of an unfinished message mean it was cut short, which throws. */
  end(): SseEvent[] {
    if (this.buffer.length > 0) {
      const have = this.buffer.length;
      this.buffer = new Uint8Array(0);
      throw new GatewayError("provider.bad_response", `${this.who} ended its event stream in the middle of a message (${have} bytes of it arrived); the answer is incomplete.`);
    }
    return [];
  }

  private decode(bytes: Uint8Array): SseEvent | undefined {
    let message: ReturnType<EventStreamCodec["decode"]>;
    try {
      message = codec.decode(bytes);
    } catch (error) {
      throw this.corrupt(error instanceof Error ? error.message : String(error));
    }
    const { headers, body } = message;
    const type = header(headers, ":message-type");
    const text = utf8.decode(body);
    if (type === "event") {
      const name = header(headers, ":event-type");
      return name === undefined ? { data: text } : { event: name, data: text };
    }
    if (type === "exception") return exceptionEvent(header(headers, ":exception-type") ?? "UnknownException", payloadObject(text));
    if (type === "error") return exceptionEvent(header(headers, ":error-code") ?? "UnknownError", {}, header(headers, ":error-message"));
    return undefined;
  }

  private corrupt(why: string): GatewayError {
    return new GatewayError("provider.bad_response", `${this.who} sent a corrupt AWS event stream (${why}); the answer cannot be read.`);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
