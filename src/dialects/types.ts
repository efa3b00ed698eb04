import type { ChatRequest, ChatResult, StreamPart } from "../canonical/chat.ts";
import type { GatewayError } from "../canonical/errors.ts";

/** Turns canonical stream parts into the client's wire frames (SSE text). Stateful; one per call. */
export interface StreamEncoder {
  /** Frames for one part ("" when the part produces none yet). */
  part(part: StreamPart): string;
  /** Closing frames after the upstream ended normally (OpenAI `[DONE]`, Anthropic `message_stop`). */
  end(): string;
  /** The in-stream error frame(s) after the stream began. */
  fail(error: GatewayError): string;
  /** The answer's id as the frames carry it; undefined before one was sent. */
  answerId(): string | undefined;
}

/** What clients speak: decode their request into the canonical model, encode canonical answers and errors back. */
export interface ChatDialect {
  /** Parses a validated request body; throws GatewayError (caller.invalid_request, naming the field) for what the canonical model cannot hold. */
  decodeChat(body: Record<string, unknown>): ChatRequest;
  /** The client-facing JSON body for a complete answer. `model` is the name the client called. */
  encodeResult(result: ChatResult, request: ChatRequest, model: string): unknown;
  streamEncoder(request: ChatRequest, model: string): StreamEncoder;
  /** The client-facing error response, in this dialect's shape. */
  errorResponse(error: GatewayError, headers?: Record<string, string>): Response;
}
