import { Type } from "@sinclair/typebox";
import { McpToolSchema } from "../mcp-tool-schema.ts";

// Request bodies keep unknown fields (additionalProperties: true): vendor parameters must reach the upstream.
const open = { additionalProperties: true } as const;

const ContentPart = Type.Object({ type: Type.String({ minLength: 1 }) }, open);

export const ChatMessageSchema = Type.Object(
  {
    role: Type.Union([Type.Literal("system"), Type.Literal("developer"), Type.Literal("user"), Type.Literal("assistant"), Type.Literal("tool"), Type.Literal("function")]),
    content: Type.Optional(Type.Union([Type.String(), Type.Array(ContentPart), Type.Null()])),
    name: Type.Optional(Type.String()),
    tool_call_id: Type.Optional(Type.String()),
    tool_calls: Type.Optional(Type.Array(Type.Object({ id: Type.String(), type: Type.String(), function: Type.Object({ name: Type.String(), arguments: Type.String() }, open) }, open))),
  },
  open,
);

const ToolSchema = Type.Object(
  {
    type: Type.String(),
    function: Type.Optional(Type.Object({ name: Type.String({ minLength: 1 }), description: Type.Optional(Type.String()), parameters: Type.Optional(Type.Object({}, open)) }, open)),
  },
  open,
);

/** `POST /v1/chat/completions`: the fields the gateway checks; everything else passes through untouched. */
export const ChatCompletionRequestSchema = Type.Object(
  {
    model: Type.String({ minLength: 1 }),
    messages: Type.Array(ChatMessageSchema, { minItems: 1 }),
    stream: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    stream_options: Type.Optional(Type.Union([Type.Object({ include_usage: Type.Optional(Type.Boolean()) }, open), Type.Null()])),
    tools: Type.Optional(Type.Array(Type.Union([McpToolSchema, ToolSchema]))),
    temperature: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 2 }), Type.Null()])),
    top_p: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()])),
    n: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 128 }), Type.Null()])),
    max_tokens: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
    max_completion_tokens: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
    stop: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String(), { maxItems: 4 }), Type.Null()])),
    user: Type.Optional(Type.String()),
  },
  open,
);

/** `POST /v1/embeddings`. */
export const EmbeddingRequestSchema = Type.Object(
  {
    model: Type.String({ minLength: 1 }),
    input: Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 }), Type.Array(Type.Integer(), { minItems: 1 }), Type.Array(Type.Array(Type.Integer()), { minItems: 1 })]),
    encoding_format: Type.Optional(Type.Union([Type.Literal("float"), Type.Literal("base64")])),
    dimensions: Type.Optional(Type.Integer({ minimum: 1 })),
    user: Type.Optional(Type.String()),
  },
  open,
);

// Response shapes, for the OpenAPI document.
const UsageSchema = Type.Object({ prompt_tokens: Type.Integer(), completion_tokens: Type.Optional(Type.Integer()), total_tokens: Type.Integer() }, open);

export const ChatCompletionSchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("chat.completion"),
    created: Type.Integer(),
    model: Type.String(),
    choices: Type.Array(Type.Object({ index: Type.Integer(), message: ChatMessageSchema, finish_reason: Type.Union([Type.String(), Type.Null()]) }, open)),
    usage: Type.Optional(UsageSchema),
  },
  { ...open, description: "With `stream: true` the body is `text/event-stream` of `chat.completion.chunk` objects ending in `data: [DONE]`." },
);

export const EmbeddingResponseSchema = Type.Object(
  {
    object: Type.Literal("list"),
    data: Type.Array(Type.Object({ object: Type.Literal("embedding"), index: Type.Integer(), embedding: Type.Union([Type.Array(Type.Number()), Type.String()]) })),
    model: Type.String(),
    usage: UsageSchema,
  },
  open,
);

export const ModelListSchema = Type.Object({
  object: Type.Literal("list"),
  data: Type.Array(Type.Object({ id: Type.String(), object: Type.Literal("model"), created: Type.Integer(), owned_by: Type.String() })),
});

export const ErrorResponseSchema = Type.Object({
  error: Type.Object({
    message: Type.String(),
    type: Type.String(),
    param: Type.Union([Type.String(), Type.Null()]),
    code: Type.Union([Type.String(), Type.Null()]),
  }),
});
