import { Type } from "@sinclair/typebox";

const names = Type.Union([Type.Array(Type.String()), Type.Object({ tool_names: Type.Array(Type.String()) }, { additionalProperties: true })]);

/**
 * A `tools` entry naming MCP servers of this gateway (OpenAI's Responses shape, accepted in chat
 * completions and messages as LiteLLM does): the gateway runs their tools for the model.
 */
export const McpToolSchema = Type.Object(
  {
    type: Type.Literal("mcp"),
    server_url: Type.String({ minLength: 1, description: "switchboard/mcp/<server> or litellm_proxy/mcp/<server> (one server), switchboard or litellm_proxy (every server the key may use)" }),
    server_label: Type.Optional(Type.String()),
    require_approval: Type.Optional(
      Type.Union([Type.Literal("never"), Type.Literal("always"), Type.Object({ never: Type.Optional(names), always: Type.Optional(names) }, { additionalProperties: true })], {
        description: "never: the gateway runs the calls; always (the default): the calls are returned to the client",
      }),
    ),
    allowed_tools: Type.Optional(names),
  },
  { additionalProperties: true },
);
