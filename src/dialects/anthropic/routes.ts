import { handleChat } from "../../calls/chat-entry.ts";
import { handleCountTokens } from "../../calls/count-tokens.ts";
import { callInput, type CallDeps } from "../../calls/scope.ts";
import type { RouteSpec } from "../../server/route-spec.ts";
import { toAnthropicErrorResponse } from "./errors.ts";
import { anthropicRuntime } from "./runtime.ts";
import { AnthropicErrorResponseSchema, CountTokensRequestSchema, CountTokensResponseSchema, MessageResponseSchema, MessagesRequestSchema } from "./schema.ts";

/** The Anthropic dialect's routes: what the Anthropic SDK and Claude Code call. Errors leave in Anthropic's shape. */
export function anthropicRoutes(deps: CallDeps): RouteSpec[] {
  return [
    {
      method: "POST",
      paths: ["/v1/messages"],
      summary: "Create a message (Anthropic Messages format), optionally streamed, with any model",
      body: MessagesRequestSchema,
      response: MessageResponseSchema,
      streams: "Server-sent events: message_start, content_block_start/delta/stop, message_delta, message_stop (or error).",
      renderError: toAnthropicErrorResponse,
      errorSchema: AnthropicErrorResponseSchema,
      handle: (input) => handleChat(deps, anthropicRuntime, callInput(input)),
    },
    {
      method: "POST",
      paths: ["/v1/messages/count_tokens"],
      summary: "Count the input tokens of a message request (Anthropic models)",
      body: CountTokensRequestSchema,
      response: CountTokensResponseSchema,
      renderError: toAnthropicErrorResponse,
      errorSchema: AnthropicErrorResponseSchema,
      handle: (input) => handleCountTokens(deps, callInput(input)),
    },
  ];
}
