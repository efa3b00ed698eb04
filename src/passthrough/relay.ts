/**
 * Relays an upstream body to the client byte for byte, chunk by chunk: pull-driven, so the next
 * upstream chunk is read only once the client took the last one (back-pressure). Each chunk is
 * shown to a tap (usage, timing, the trace) before it goes out, unchanged. A client that goes away
 * cancels the upstream read and aborts the upstream request; an upstream that fails mid-body
 * fails the client's body too (the client sees a cut answer, as it would from the provider).
 */

/** Watches the bytes going by; never changes them. */
export interface ByteTap {
  chunk(bytes: Uint8Array): void;
  /** The upstream body ended normally. */
  end(): void;
  /** The upstream body failed (cut connection, timeout). */
  fail(error: unknown): void;
  /** The client went away. */
  cancel(): void;
}

/** The client's body for an upstream body, with `tap` told of every chunk and of how it ended. */
export function relayBytes(body: ReadableStream<Uint8Array>, tap: ByteTap, abort: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let finished = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (error) {
          finished = true;
          tap.fail(error);
          controller.error(error);
          return;
        }
        if (chunk.done) {
          finished = true;
          tap.end();
          controller.close();
          return;
        }
        tap.chunk(chunk.value);
        controller.enqueue(chunk.value);
      },
      async cancel() {
        if (finished) return;
        finished = true;
        tap.cancel();
        abort();
        await reader.cancel().catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}
