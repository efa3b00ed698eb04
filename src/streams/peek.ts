import { GatewayError } from "../canonical/errors.ts";
import type { EventDecoder, SseEvent } from "./sse-parser.ts";

const decoder = new TextDecoder();
const LINE = /\r\n|\r|\n/;

/**
 * The first event with data (or a name) in `text`, once its blank line has arrived; comment-only
 * blocks (keep-alives) are skipped. Undefined while the first such event is incomplete.
 */
export function firstEvent(text: string): SseEvent | undefined {
  let event: string | undefined;
  const data: string[] = [];
  let rest = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (;;) {
    const match = LINE.exec(rest);
    if (!match) return undefined;
    const line = rest.slice(0, match.index);
    rest = rest.slice(match.index + match[0].length);
    if (line === "") {
      if (data.length > 0 || event !== undefined) return { ...(event !== undefined ? { event } : {}), data: data.join("\n") };
      continue;
    }
    if (line.charCodeAt(0) === 58 /* ':' comment */) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
  }
}

/** How much a stream may send before its first event before the gateway commits anyway (keep-alive comments, a huge first event). */
const PEEK_LIMIT_BYTES = 64 * 1024;

/** Chunks of an upstream body, read one at a time (a reader, or a peeked body replaying what it read). */
export interface ChunkSource {
  /** The next chunk; `value` is set whenever `done` is false. */
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(reason?: unknown): Promise<void>;
}

/**
 * Waits for a stream's first event and returns a source that replays what was read, then the rest
 * (no extra stream layer: the relay reads it directly).
 * Until then nothing has been sent to the client, so a failure here (reset, timeout, an upstream
 * that closes without a complete event, or whose first event is an error or unreadable) can still
 * be retried elsewhere. `inspect` turns such a first event into the error to retry on. A stream framed otherwise than SSE
 * comes with a fresh decoder of its framing, used for the peek only (the relay decodes it all again).
 */
export async function peekFirstEvent(
  body: ReadableStream<Uint8Array>,
  who: string,
  inspect: (event: SseEvent) => GatewayError | undefined,
  onChunk?: () => void,
  framing?: EventDecoder,
): Promise<ChunkSource> {
  const reader = body.getReader();
  const held: Uint8Array[] = [];
  let text = "";
  let size = 0;
  // The first event of the head so far (undefined while it is incomplete); a framing error is the upstream's fault.
  const head = (chunk: Uint8Array): SseEvent | undefined => {
    if (framing) {
      try {
        return framing.push(chunk)[0];
      } catch (error) {
        throw new GatewayError("provider.bad_response", `${who} sent a stream that could not be read: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    // Only the head is decoded (a first event is small); a character split across chunks is
    // decoded whole once its second half arrives, since the head is decoded from all held bytes.
    text = held.length === 1 ? decoder.decode(chunk) : decoder.decode(Buffer.concat(held));
    return firstEvent(text);
  };
  // The event the stream's end completes (an event left without its blank line counts, as in the relay's parser).
  const tail = (): SseEvent | undefined => {
    if (!framing) return firstEvent(`${text}\n\n`);
    try {
      return framing.end()[0];
    } catch (error) {
      throw new GatewayError("provider.bad_response", `${who} sent a stream that could not be read: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  for (;;) {
    const next = await reader.read();
    if (next.done) {
      if (held.length === 0) throw new GatewayError("provider.bad_response", `${who} ended the stream before sending anything.`);
      // Ended without a complete event: what it sent (keep-alives, garbage, a JSON body) is no answer.
      const last = tail();
      if (!last) throw new GatewayError("provider.bad_response", `${who} ended the stream without sending an event; the answer cannot be read.`);
      const error = inspect(last);
      if (error) throw error;
      break;
    }
    held.push(next.value);
    size += next.value.byteLength;
    let first: SseEvent | undefined;
    try {
      first = head(next.value);
      const error = first && inspect(first);
      if (error) throw error;
    } catch (error) {
      void reader.cancel().catch(() => {});
      throw error;
    }
    if (first || size >= PEEK_LIMIT_BYTES) break;
  }
  // Without a chunk callback the reader's own promise is handed on: no extra promise per chunk.
  const readNext: () => Promise<{ done: boolean; value?: Uint8Array }> = onChunk
    ? () =>
        reader.read().then((next) => {
          if (!next.done) onChunk();
          return next;
        })
    : () => reader.read();
  return {
    read: () => {
      const replay = held.shift();
      return replay ? Promise.resolve({ done: false, value: replay }) : readNext();
    },
    cancel: (reason) => reader.cancel(reason),
  };
}
