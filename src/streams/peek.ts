import { GatewayError } from "../spec/errors.ts";
import { SseParser, type SseEvent } from "./sse-parser.ts";

/** How much a stream may send before its first event before the gateway commits anyway (keep-alive comments, a huge first event). */
const PEEK_LIMIT_BYTES = 64 * 1024;

/**
 * Waits for a stream's first event and returns a stream that replays what was read, then the rest.
 * Until then nothing has been sent to the client, so a failure here (reset, timeout, an upstream
 * that closes without a word, or whose first event is an error) can still be retried elsewhere.
 * `inspect` turns an error event into the error to retry on.
 */
export async function peekFirstEvent(
  body: ReadableStream<Uint8Array>,
  who: string,
  inspect: (event: SseEvent) => GatewayError | undefined,
  onChunk: () => void = () => {},
): Promise<ReadableStream<Uint8Array>> {
  const reader = body.getReader();
  const held: Uint8Array[] = [];
  const parser = new SseParser();
  let bytes = 0;
  for (;;) {
    const next = await reader.read();
    if (next.done) {
      if (held.length === 0) throw new GatewayError("provider.bad_response", `${who} ended the stream before sending anything.`);
      break;
    }
    held.push(next.value);
    bytes += next.value.byteLength;
    const first = parser.push(next.value)[0];
    if (first) {
      const error = inspect(first);
      if (error) {
        void reader.cancel().catch(() => {});
        throw error;
      }
      break;
    }
    if (bytes >= PEEK_LIMIT_BYTES) break;
  }
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const replay = held.shift();
        if (replay) {
          controller.enqueue(replay);
          return;
        }
        const next = await reader.read();
        if (next.done) controller.close();
        else {
          onChunk();
          controller.enqueue(next.value);
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    // Pull only when the consumer asks: back-pressure reaches the upstream.
    { highWaterMark: 0 },
  );
}
