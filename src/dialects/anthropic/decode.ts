import type { ChatRequest, Message, Reasoning, ToolChoice, ToolDefinition } from "../../canonical/chat.ts";
import { fromWireCacheControl } from "../cache-control.ts";
import { fromAnthropicAssistantContent, fromAnthropicUserContent, invalidField } from "./decode-content.ts";
import type { CountTokensRequest, MessagesRequest } from "./schema.ts";

type Block = Record<string, unknown>;

// Fields with a canonical home; every other top-level field rides in `extra` under its wire name.
const MAPPED = new Set(["model", "messages", "system", "tools", "tool_choice", "stream", "max_tokens", "temperature", "top_p", "top_k", "stop_sequences", "metadata", "thinking", "output_config"]);

function fromAnthropicSystem(system: MessagesRequest["system"]): Message | undefined {
  if (system === undefined) return undefined;
  if (typeof system === "string") return { role: "system", content: [{ type: "text", text: system }] };
  if (system.length === 0) return undefined;
  const content = system.map((block, i) => {
    const cacheControl = fromWireCacheControl((block as Block).cache_control, `system.${i}`);
    return { type: "text" as const, text: block.text, ...(cacheControl ? { cacheControl } : {}) };
  });
  return { role: "system", content };
}

/**
 * Every tool but an MCP entry (`{"type": "mcp"}`, which the chat route runs, calls/mcp) needs a name.
 * The schema leaves `name` optional for those entries; this holds the rest to it before the call is
 * handled, since a same-format call sends the body upstream as received, never through the decoder.
 */
export function requireToolNames(tools: unknown, mcpEntries: boolean): void {
  if (!Array.isArray(tools)) return;
  tools.forEach((tool: unknown, i) => {
    const entry = tool as Block;
    if (typeof entry.name === "string" || (mcpEntries && entry.type === "mcp")) return;
    throw invalidField(`tools.${i}.name`, mcpEntries ? "a tool needs a name" : "a tool needs a name (MCP entries are run by /v1/messages, not counted)");
  });
}

/** Custom tools become definitions; hosted tools (a versioned `type`, no `input_schema`) pass through untouched. */
function fromAnthropicTools(tools: NonNullable<MessagesRequest["tools"]>): { tools: ToolDefinition[]; hostedTools: Block[] } {
  const custom: ToolDefinition[] = [];
  const hostedTools: Block[] = [];
  tools.forEach((entry, i) => {
    // An MCP entry (`type: "mcp"`, no name) is the gateway's to run (calls/mcp) and never reaches here; elsewhere it is refused.
    const tool = entry as Block & { name: string; type?: string; description?: string; input_schema?: Record<string, unknown> };
    if (typeof tool.name !== "string") throw invalidField(`tools.${i}.name`, "a tool needs a name");
    if (tool.type !== undefined && tool.type !== "custom" && tool.input_schema === undefined) {
      hostedTools.push(tool);
      return;
    }
    if (tool.input_schema === undefined) throw invalidField(`tools.${i}.input_schema`, "a custom tool needs a JSON schema of its input");
    const definition: ToolDefinition = { name: tool.name, parameters: tool.input_schema };
    if (tool.description !== undefined) definition.description = tool.description;
    const strict = (tool as Block).strict;
    if (typeof strict === "boolean") definition.strict = strict;
    const cacheControl = fromWireCacheControl((tool as Block).cache_control, `tools.${i}`);
    if (cacheControl) definition.cacheControl = cacheControl;
    custom.push(definition);
  });
  return { tools: custom, hostedTools };
}

function fromAnthropicToolChoice(choice: NonNullable<MessagesRequest["tool_choice"]>): ToolChoice {
  switch (choice.type) {
    case "auto":
      return { type: "auto" };
    case "any":
      return { type: "required" };
    case "none":
      return { type: "none" };
    case "tool":
      if (choice.name === undefined) throw invalidField("tool_choice.name", "expected the name of the tool to call");
      return { type: "tool", name: choice.name };
  }
}

/** `thinking` -> reasoning; a thinking type this gateway does not know yet is forwarded in `extra`. */
function fromAnthropicThinking(thinking: NonNullable<MessagesRequest["thinking"]>): Reasoning | undefined {
  switch (thinking.type) {
    case "enabled":
      return { enabled: true, ...(thinking.budget_tokens !== undefined ? { budgetTokens: thinking.budget_tokens } : {}) };
    case "adaptive":
      return { enabled: true };
    case "disabled":
      return { enabled: false };
    default:
      return undefined;
  }
}

const EFFORTS: Record<string, NonNullable<Reasoning["effort"]>> = { low: "low", medium: "medium", high: "high", xhigh: "high", max: "high" };

/**
 * `output_config`: a JSON-schema `format` becomes the canonical model's response format and `effort` its
 * reasoning effort (`xhigh` and `max` as `high`, the canonical model's top); anything else rides in `extra`.
 */
function readOutputConfig(config: unknown, request: ChatRequest, extra: Record<string, unknown>): void {
  if (!config || typeof config !== "object" || Array.isArray(config)) {
    extra.output_config = config;
    return;
  }
  const { format, effort, ...rest } = config as Block;
  if (format !== undefined && format !== null) {
    const block = format as Block;
    if (block.type !== "json_schema" || !block.schema || typeof block.schema !== "object" || Array.isArray(block.schema)) {
      throw invalidField("output_config.format", "expected {type: 'json_schema', schema: {...}}");
    }
    request.responseFormat = { type: "json_schema", name: "response", schema: block.schema as Record<string, unknown> };
  }
  if (typeof effort === "string") {
    const mapped = EFFORTS[effort];
    if (!mapped) throw invalidField("output_config.effort", "expected low, medium, high, xhigh or max");
    request.reasoning = { ...request.reasoning, effort: mapped };
  }
  if (Object.keys(rest).length > 0) extra.output_config = rest;
}

/** Reads a validated `/v1/messages` (or `count_tokens`) body into the canonical model. Throws a 400 naming the field for what the canonical model cannot hold. */
export function fromAnthropicRequest(body: MessagesRequest | CountTokensRequest): ChatRequest {
  const messages: Message[] = [];
  const system = fromAnthropicSystem(body.system);
  if (system) messages.push(system);
  body.messages.forEach((message, i) => {
    const content = message.content as string | Block[];
    if (message.role === "user") messages.push(...fromAnthropicUserContent(content, `messages.${i}.content`));
    else messages.push(fromAnthropicAssistantContent(content, `messages.${i}.content`));
  });

  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) if (!MAPPED.has(key)) extra[key] = value;

  const request: ChatRequest = { model: body.model, messages, stream: "stream" in body && body.stream === true, extra };
  if (body.tools !== undefined) {
    const { tools, hostedTools } = fromAnthropicTools(body.tools);
    if (tools.length > 0) request.tools = tools;
    if (hostedTools.length > 0) request.hostedTools = hostedTools;
  }
  if (body.tool_choice !== undefined) {
    request.toolChoice = fromAnthropicToolChoice(body.tool_choice);
    if (body.tool_choice.disable_parallel_tool_use === true) request.parallelToolCalls = false;
  }
  if ("max_tokens" in body) request.maxTokens = body.max_tokens;
  if (body.temperature !== undefined) request.temperature = body.temperature;
  if (body.top_p !== undefined) request.topP = body.top_p;
  if (body.top_k !== undefined) request.topK = body.top_k;
  if (body.stop_sequences !== undefined) request.stop = body.stop_sequences;
  if (body.metadata !== undefined) {
    const { user_id, ...rest } = body.metadata as Block;
    if (typeof user_id === "string") request.user = user_id;
    // Anthropic defines only `user_id`; anything else the client put there is forwarded as sent.
    if (Object.keys(rest).length > 0) extra.metadata = rest;
  }
  if (body.thinking !== undefined) {
    const reasoning = fromAnthropicThinking(body.thinking);
    if (reasoning) request.reasoning = reasoning;
    else extra.thinking = body.thinking;
  }
  if ("output_config" in body && body.output_config !== undefined) readOutputConfig(body.output_config, request, extra);
  return request;
}
