import { handleChat } from "../../calls/chat-entry.ts";
import { handleCountTokens } from "../../calls/count-tokens.ts";
import { callInput, type CallDeps } from "../../calls/scope.ts";
import type { RouteInput, RouteSpec } from "../../server/route-spec.ts";
import { requireToolNames } from "./decode.ts";
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
      handle: (input) => handleChat(deps, anthropicRuntime, callInput(namedTools(input, true))),
    },
    {
      method: "POST",
      paths: ["/v1/messages/count_tokens"],
      summary: "Count the input tokens of a message request (Anthropic models)",
      body: CountTokensRequestSchema,
      response: CountTokensResponseSchema,
      renderError: toAnthropicErrorResponse,
      errorSchema: AnthropicErrorResponseSchema,
      handle: (input) => handleCountTokens(deps, callInput(namedTools(input, false))),
    },
  ];
}

/** The input, once every tool in it has the name Anthropic requires (see requireToolNames). */
function namedTools(input: RouteInput, mcpEntries: boolean): RouteInput {
  requireToolNames((input.body as { tools?: unknown }).tools, mcpEntries);
  return input;
}
