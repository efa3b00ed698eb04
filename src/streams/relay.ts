import type { ChunkSource } from "./peek.ts";
import { SseParser, type EventDecoder, type SseEvent } from "./sse-parser.ts";

/** Turns upstream events into client frames. Pure and synchronous: state lives in the closure that made it. */
export interface EventStage {
  /** Returns the frame to send for this event (or nothing to drop it); may throw to end the stream with `fail`. */
  event(event: SseEvent): string | undefined;
  /** Called once when the upstream ended normally; may return a last frame. */
  end(): string | undefined;
  /** Called once when the upstream failed after the stream began; returns the in-stream error frame. */
  fail(error: unknown): string | undefined;
  /** Called once when the client went away. */
  cancel?(): void;
}

const encoder = new TextEncoder();

/**
 * Relays an upstream event stream (SSE unless another decoder is given) to the client through one
 * stage. Pull-driven, so an upstream chunk is read only when the client has taken the last one
 * (back-pressure); a client that disconnects cancels the upstream read and `abort()`s the upstream request.
 */
export function relaySse(
  body: ReadableStream<Uint8Array> | ChunkSource,
  stage: EventStage,
  abort: () => void,
  onFrame?: (frame: string) => void,
  decoder: EventDecoder = new SseParser(),
): ReadableStream<Uint8Array> {
  const reader: ChunkSource = body instanceof ReadableStream ? body.getReader() : body;
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        // Loop until something is enqueued: chunks without a complete event produce no frame.
        for (;;) {
          let chunk: { done: boolean; value?: Uint8Array };
          try {
            chunk = await reader.read();
          } catch (error) {
            done = true;
            const frame = stage.fail(error);
            if (frame) {
              onFrame?.(frame);
              controller.enqueue(encoder.encode(frame));
            }
            controller.close();
            return;
          }
          let out = "";
          try {
            // A framing error (a cut or corrupt binary frame) ends the stream like an in-band error.
            const events = chunk.done ? decoder.end() : decoder.push(chunk.value as Uint8Array);
            for (const event of events) out += stage.event(event) ?? "";
          } catch (error) {
            // An in-band upstream error (or an event the stage cannot read): end with the stage's error frame.
            done = true;
            out += stage.fail(error) ?? "";
            onFrame?.(out);
            controller.enqueue(encoder.encode(out));
            controller.close();
            abort();
            await reader.cancel().catch(() => {});
            return;
          }
          if (chunk.done) {
            done = true;
            out += stage.end() ?? "";
            if (out) {
              onFrame?.(out);
              controller.enqueue(encoder.encode(out));
            }
            controller.close();
            return;
          }
          if (out) {
            onFrame?.(out);
            controller.enqueue(encoder.encode(out));
            return;
          }
        }
      },
      async cancel() {
        if (done) return;
        done = true;
        stage.cancel?.();
        abort();
        await reader.cancel().catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}
