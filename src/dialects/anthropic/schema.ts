import { Type, type Static } from "@sinclair/typebox";

// Request bodies keep unknown fields (additionalProperties: true): vendor parameters and new block types must survive.
const open = { additionalProperties: true } as const;

// Blocks are checked only for their `type` here; decode.ts reads each kind and names the field at fault.
const ContentBlock = Type.Object({ type: Type.String({ minLength: 1 }) }, open);

const TextBlock = Type.Object({ type: Type.Literal("text"), text: Type.String() }, open);

/** One turn of `messages`: content is a string or a list of typed blocks. */
export const AnthropicMessageSchema = Type.Object(
  {
    role: Type.Union([Type.Literal("user"), Type.Literal("assistant")]),
    content: Type.Union([Type.String(), Type.Array(ContentBlock)]),
  },
  open,
);

// Custom tools carry `input_schema`; hosted tools (`web_search_20250305`, ...) carry a versioned `type` and no schema.
// An MCP entry (`{"type": "mcp", "server_url": ...}`, calls/mcp) has no name, so the decoder requires it of the others
// (a union here would report a bad tool at the entry, not at the field).
const ToolSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, description: "Required, except in an MCP entry ({\"type\": \"mcp\", \"server_url\": \"switchboard/mcp/<server>\"})" })),
    type: Type.Optional(Type.String({ minLength: 1 })),
    description: Type.Optional(Type.String()),
    input_schema: Type.Optional(Type.Object({}, open)),
  },
  open,
);

const ToolChoiceSchema = Type.Object(
  {
    type: Type.Union([Type.Literal("auto"), Type.Literal("any"), Type.Literal("tool"), Type.Literal("none")]),
    name: Type.Optional(Type.String({ minLength: 1 })),
    disable_parallel_tool_use: Type.Optional(Type.Boolean()),
  },
  open,
);

const ThinkingSchema = Type.Object({ type: Type.String({ minLength: 1 }), budget_tokens: Type.Optional(Type.Integer({ minimum: 1 })) }, open);

// Fields shared by `/v1/messages` and `/v1/messages/count_tokens`.
const promptFields = {
  model: Type.String({ minLength: 1 }),
  messages: Type.Array(AnthropicMessageSchema, { minItems: 1 }),
  system: Type.Optional(Type.Union([Type.String(), Type.Array(TextBlock)])),
  tools: Type.Optional(Type.Array(ToolSchema)),
  tool_choice: Type.Optional(ToolChoiceSchema),
  temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  top_p: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  top_k: Type.Optional(Type.Integer({ minimum: 0 })),
  stop_sequences: Type.Optional(Type.Array(Type.String())),
  metadata: Type.Optional(Type.Object({ user_id: Type.Optional(Type.Union([Type.String(), Type.Null()])) }, open)),
  thinking: Type.Optional(ThinkingSchema),
};

/** `POST /v1/messages`: the fields the gateway checks; everything else passes through untouched. */
export const MessagesRequestSchema = Type.Object(
  {
    ...promptFields,
    max_tokens: Type.Integer({ minimum: 1 }),
    stream: Type.Optional(Type.Boolean()),
  },
  open,
);
export type MessagesRequest = Static<typeof MessagesRequestSchema>;

/** `POST /v1/messages/count_tokens`: a messages request without `max_tokens` and `stream`. */
export const CountTokensRequestSchema = Type.Object(promptFields, open);
export type CountTokensRequest = Static<typeof CountTokensRequestSchema>;

// Response shapes, for the OpenAPI document.
const UsageSchema = Type.Object(
  {
    input_tokens: Type.Integer(),
    output_tokens: Type.Integer(),
    cache_creation_input_tokens: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
    cache_read_input_tokens: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  },
  open,
);

/** The Anthropic Message a non-streamed `/v1/messages` call answers with. */
export const MessageResponseSchema = Type.Object(
  {
    id: Type.String(),
    type: Type.Literal("message"),
    role: Type.Literal("assistant"),
    model: Type.String(),
    content: Type.Array(ContentBlock),
    stop_reason: Type.Union([Type.String(), Type.Null()]),
    stop_sequence: Type.Union([Type.String(), Type.Null()]),
    usage: UsageSchema,
  },
  {
    ...open,
    description:
      "With `stream: true` the body is `text/event-stream`: `message_start`, then `content_block_start` / `content_block_delta` / `content_block_stop` per block, `message_delta`, `message_stop`; a failure after the first byte is an `error` event.",
  },
);

/** The `/v1/messages/count_tokens` answer. */
export const CountTokensResponseSchema = Type.Object({ input_tokens: Type.Integer() }, open);

/** Anthropic's error body. */
export const AnthropicErrorResponseSchema = Type.Object({
  type: Type.Literal("error"),
  error: Type.Object({ type: Type.String(), message: Type.String() }),
});
