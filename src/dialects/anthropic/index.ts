import type { ChatDialect } from "../types.ts";
import { fromAnthropicRequest } from "./decode.ts";
import { toAnthropicMessage } from "./encode.ts";
import { toAnthropicErrorResponse } from "./errors.ts";
import type { MessagesRequest } from "./schema.ts";
import { anthropicStreamEncoder } from "./stream-encoder.ts";

/** The Anthropic Messages dialect (`/v1/messages`): Anthropic-format clients against any provider. */
export const anthropicDialect: ChatDialect = {
  // The route validated the body against MessagesRequestSchema before it gets here.
  decodeChat: (body) => fromAnthropicRequest(body as MessagesRequest),
  encodeResult: (result, _request, model) => toAnthropicMessage(result, model),
  streamEncoder: (_request, model) => anthropicStreamEncoder(model),
  errorResponse: (error, headers) => toAnthropicErrorResponse(error, headers),
};
