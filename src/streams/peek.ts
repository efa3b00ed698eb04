import { GatewayError } from "../spec/errors.ts";

/**
 * Waits for a stream's first chunk and returns a stream that replays it, then the rest. Until the
 * first chunk is in hand nothing has been sent to the client, so a failure here (reset, timeout,
 * an upstream that closes without a word) can still be retried on another deployment.
 */
export async function peekFirstChunk(body: ReadableStream<Uint8Array>, who: string, onChunk: () => void = () => {}): Promise<ReadableStream<Uint8Array>> {
  const reader = body.getReader();
  const first = await reader.read();
  if (first.done) throw new GatewayError("provider.bad_response", `${who} ended the stream before sending anything.`);
  let held: Uint8Array | undefined = first.value;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (held) {
          controller.enqueue(held);
          held = undefined;
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
