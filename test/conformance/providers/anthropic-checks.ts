/**
 * Checks of an Anthropic Messages API request body, shared by the mocks that speak Anthropic's wire
 * (the Anthropic API itself and Claude on Vertex AI): the structure Anthropic validates (roles
 * alternate, blocks well formed, tools and thinking consistent) and each feature's specifics from the
 * contract. Every problem is one line; the caller prefixes the feature.
 */
import {
  HISTORY,
  IMAGE_QUESTION,
  JSON_SCHEMA,
  LENGTH_MAX_TOKENS,
  oddToolsProblem,
  PNG_BASE64,
  PRIOR_CALL,
  QUESTION,
  SYSTEM_PROMPT,
  THINKING_BUDGET,
  TOOL_RESULT,
  TOOLS,
  type Feature,
} from "../contract.ts";

type Json = Record<string, any>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const blank = (text: unknown) => typeof text !== "string" || text.trim().length === 0;

/** Top-level members of a Messages API body (besides `model`, or Vertex's `anthropic_version`, which the caller checks). */
const TOP_LEVEL = new Set([
  "messages", "max_tokens", "system", "metadata", "stop_sequences", "stream", "temperature", "top_p", "top_k", "tools", "tool_choice",
  "thinking", "service_tier", "container", "mcp_servers", "context_management", "inference_geo", "cache_control", "speed", "output_config",
]);
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;
const TOOL_USE_ID = /^[a-zA-Z0-9_-]+$/;
const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);
const CUSTOM_TOOL_KEYS = new Set(["type", "name", "description", "input_schema", "cache_control", "strict"]);
const USER_BLOCKS = new Set(["text", "image", "document", "tool_result"]);
const ASSISTANT_BLOCKS = new Set(["text", "thinking", "redacted_thinking", "tool_use"]);

/** The text of a message's content (a string, or its text blocks joined). */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.filter((block) => isObject(block) && block.type === "text").map((block) => block.text as string).join("");
}

function checkBlock(block: unknown, where: string, role: string, previousToolUses: Set<string>): string | undefined {
  if (!isObject(block)) return `${where}: a content block must be an object`;
  if (!(role === "user" ? USER_BLOCKS : ASSISTANT_BLOCKS).has(block.type)) return `${where}.type: '${block.type}' blocks are not allowed in ${role} messages`;
  switch (block.type) {
    case "text":
      return blank(block.text) ? `${where}: text content blocks must contain non-whitespace text` : undefined;
    case "image": {
      const source = block.source;
      if (!isObject(source) || source.type !== "base64") return `${where}.source: expected a base64 source`;
      if (!IMAGE_TYPES.has(source.media_type)) return `${where}.source.media_type: '${source.media_type}' is not an image type Anthropic takes`;
      return typeof source.data === "string" && source.data.length > 0 ? undefined : `${where}.source.data: Field required`;
    }
    case "thinking":
      return typeof block.thinking !== "string" || blank(block.signature) ? `${where}: a thinking block needs its text and signature` : undefined;
    case "tool_use":
      if (typeof block.id !== "string" || !TOOL_USE_ID.test(block.id)) return `${where}.id: String should match pattern '^[a-zA-Z0-9_-]+$'`;
      if (typeof block.name !== "string" || !TOOL_NAME.test(block.name)) return `${where}.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`;
      return isObject(block.input) ? undefined : `${where}.input: Input should be a valid dictionary`;
    case "tool_result":
      if (!previousToolUses.has(block.tool_use_id)) return `${where}: tool_result ${block.tool_use_id} has no tool_use in the previous message`;
      if (block.content === undefined || typeof block.content === "string") return undefined;
      return Array.isArray(block.content) ? undefined : `${where}.content: Input should be a string or a list`;
    default:
      return undefined;
  }
}

function checkMessages(messages: unknown): string | undefined {
  if (!Array.isArray(messages) || messages.length === 0) return "messages: at least one message is required";
  let previousToolUses = new Set<string>();
  for (const [i, message] of messages.entries()) {
    const where = `messages.${i}`;
    if (!isObject(message)) return `${where}: a message must be an object`;
    const expected = i % 2 === 0 ? "user" : "assistant";
    if (message.role !== expected) return `messages: roles must alternate between "user" and "assistant", starting with "user" (${where} is '${message.role}')`;
    const blocks: unknown[] = typeof message.content === "string" ? [] : Array.isArray(message.content) ? message.content : [null];
    if (textOf(message.content) === "" && blocks.length === 0) return `${where}: all messages must have non-empty content`;
    let seenOther = false;
    for (const [j, block] of blocks.entries()) {
      const problem = checkBlock(block, `${where}.content.${j}`, message.role, previousToolUses);
      if (problem) return problem;
      if ((block as Json).type === "tool_result") {
        if (seenOther) return `${where}.content.${j}: tool_result blocks must come before any other content`;
      } else seenOther = true;
    }
    const answered = new Set(blocks.filter((block) => (block as Json).type === "tool_result").map((block) => (block as Json).tool_use_id as string));
    if (message.role === "user") {
      const missing = [...previousToolUses].find((id) => !answered.has(id));
      if (missing) return `${where}: tool_use ${missing} has no tool_result in the next message`;
      previousToolUses = new Set();
    } else previousToolUses = new Set(blocks.filter((block) => (block as Json).type === "tool_use").map((block) => (block as Json).id as string));
  }
  return undefined;
}

function checkTools(body: Json): string | undefined {
  const names = new Set<string>();
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) return "tools: Input should be a list";
    for (const [i, tool] of body.tools.entries()) {
      if (!isObject(tool) || typeof tool.name !== "string" || !TOOL_NAME.test(tool.name)) return `tools.${i}.name: a tool needs a valid name`;
      if (names.has(tool.name)) return `tools: Tool names must be unique (${tool.name})`;
      names.add(tool.name);
      if (!isObject(tool.input_schema) || tool.input_schema.type !== "object") return `tools.${i}.input_schema.type: Input should be 'object'`;
      const extra = Object.keys(tool).find((key) => !CUSTOM_TOOL_KEYS.has(key));
      if (extra) return `tools.${i}.${extra}: Extra inputs are not permitted`;
    }
  }
  const choice = body.tool_choice;
  if (choice === undefined) return undefined;
  if (names.size === 0) return "tool_choice: tool_choice may only be specified while providing tools";
  if (!isObject(choice) || !["auto", "any", "tool", "none"].includes(choice.type)) return "tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'";
  if (choice.type === "tool" && !names.has(choice.name)) return `tool_choice.name: Tool '${choice.name}' not found in tools`;
  return undefined;
}

function checkThinking(body: Json): string | undefined {
  const thinking = body.thinking;
  if (thinking === undefined) return undefined;
  if (!isObject(thinking) || (thinking.type !== "enabled" && thinking.type !== "disabled")) return "thinking.type: Input should be 'enabled' or 'disabled'";
  if (thinking.type !== "enabled") return undefined;
  if (!Number.isInteger(thinking.budget_tokens) || thinking.budget_tokens < 1024) return "thinking.budget_tokens: Input should be greater than or equal to 1024";
  if (thinking.budget_tokens >= body.max_tokens) return "`max_tokens` must be greater than `thinking.budget_tokens`";
  if (body.temperature !== undefined && body.temperature !== 1) return "`temperature` may only be set to 1 when thinking is enabled";
  if (body.top_k !== undefined) return "`top_k` must be unset when thinking is enabled";
  if (body.tool_choice?.type === "any" || body.tool_choice?.type === "tool") return "Thinking may not be enabled when tool_choice forces tool use.";
  return undefined;
}

/** What Anthropic itself would reject in a Messages body (besides `model`/`anthropic_version`, checked by the caller). */
export function checkMessagesBody(body: Json): string | undefined {
  const unknown = Object.keys(body).find((key) => !TOP_LEVEL.has(key) && key !== "model" && key !== "anthropic_version");
  if (unknown) return `${unknown}: Extra inputs are not permitted`;
  if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) return "max_tokens: Field required (a positive integer)";
  if (body.stream !== undefined && typeof body.stream !== "boolean") return "stream: Input should be a valid boolean";
  if (body.system !== undefined && typeof body.system !== "string") {
    if (!Array.isArray(body.system) || body.system.some((block: unknown) => !isObject(block) || block.type !== "text" || blank(block.text))) return "system: Input should be a string or a list of non-empty text blocks";
  }
  if (body.temperature !== undefined && (typeof body.temperature !== "number" || body.temperature < 0 || body.temperature > 1)) return "temperature: Input should be between 0 and 1";
  return checkMessages(body.messages) ?? checkTools(body) ?? checkThinking(body);
}

const same = (a: unknown, b: unknown): boolean => Bun.deepEquals(a, b, true);

/** Both TOOLS declared with their descriptions and schemas. */
function checkDeclaredTools(body: Json): string | undefined {
  for (const tool of TOOLS) {
    const sent = (Array.isArray(body.tools) ? body.tools : []).find((item: Json) => item?.name === tool.name);
    if (!sent) return `tool ${tool.name} is not declared`;
    if (sent.description !== tool.description) return `tool ${tool.name}'s description is ${JSON.stringify(sent.description)}`;
    if (!same(sent.input_schema, tool.parameters)) return `tool ${tool.name}'s input_schema is ${JSON.stringify(sent.input_schema)}`;
  }
  return undefined;
}

/** The json-schema feature's two wire forms: Anthropic's structured outputs, or a forced tool whose input schema is the schema. */
export function jsonSchemaForm(body: Json): { kind: "output_config" } | { kind: "tool"; name: string } | undefined {
  const format = body.output_config?.format;
  if (isObject(format) && format.type === "json_schema" && same(format.schema, JSON_SCHEMA)) return { kind: "output_config" };
  const choice = body.tool_choice;
  if (!isObject(choice) || choice.type !== "tool") return undefined;
  const tool = (Array.isArray(body.tools) ? body.tools : []).find((item: Json) => item?.name === choice.name);
  return tool && same(tool.input_schema, JSON_SCHEMA) ? { kind: "tool", name: choice.name } : undefined;
}

/** The contract's checks of one feature's request (assumes checkMessagesBody passed). */
export function checkFeature(feature: Feature, body: Json): string | undefined {
  const messages: Json[] = body.messages;
  const last = messages.at(-1) as Json;
  const system = body.system === undefined ? undefined : typeof body.system === "string" ? body.system : textOf(body.system);
  if (feature === "system" ? system !== SYSTEM_PROMPT : system !== undefined) return `system is ${JSON.stringify(system)}`;
  // Every feature's last user turn asks its question, except tool-result's (it holds the tool's answer).
  if (feature !== "tool-result") {
    const question = feature === "image" ? IMAGE_QUESTION : QUESTION;
    if (last.role !== "user" || textOf(last.content) !== question) return `the last user turn does not ask ${JSON.stringify(question)}: ${JSON.stringify(last.content)}`;
  }
  switch (feature) {
    case "multi-turn": {
      const turns = messages.map((message) => [message.role, textOf(message.content)]);
      return same(turns, [["user", HISTORY[0]], ["assistant", HISTORY[1]], ["user", QUESTION]]) ? undefined : `the turns are ${JSON.stringify(turns)}`;
    }
    case "image": {
      const image = Array.isArray(last.content) ? last.content.find((block: Json) => block.type === "image") : undefined;
      return image?.source?.type === "base64" && image.source.media_type === "image/png" && image.source.data === PNG_BASE64 ? undefined : `no inline PNG in the last user turn: ${JSON.stringify(image)}`;
    }
    case "tool-call":
    case "parallel-tools":
      return checkDeclaredTools(body);
    case "tool-names":
      return oddToolsProblem(((body.tools ?? []) as Json[]).map((tool) => ({ name: tool.name, description: tool.description, schema: tool.input_schema })));
    case "tool-result": {
      const tools = checkDeclaredTools(body);
      if (tools) return tools;
      const call = messages.at(-2)?.content?.find?.((block: Json) => block.type === "tool_use");
      if (!call || call.id !== PRIOR_CALL.id || call.name !== PRIOR_CALL.name || !same(call.input, PRIOR_CALL.arguments)) return `the assistant turn before the result holds no ${PRIOR_CALL.name} call ${PRIOR_CALL.id}: ${JSON.stringify(call)}`;
      const result = Array.isArray(last.content) ? last.content.find((block: Json) => block.type === "tool_result") : undefined;
      if (!result || result.tool_use_id !== PRIOR_CALL.id || (result.content !== TOOL_RESULT && textOf(result.content) !== TOOL_RESULT)) return `the last user turn holds no result ${JSON.stringify(TOOL_RESULT)} for ${PRIOR_CALL.id}: ${JSON.stringify(result)}`;
      return messages.length === 3 && textOf(messages[0]?.content) === QUESTION ? undefined : `the history is ${JSON.stringify(messages)}`;
    }
    case "json-schema":
      return jsonSchemaForm(body) ? undefined : `JSON_SCHEMA is neither in output_config.format nor a forced tool's input_schema (tools ${JSON.stringify(body.tools)}, tool_choice ${JSON.stringify(body.tool_choice)})`;
    case "reasoning":
      return body.thinking?.type === "enabled" && body.thinking.budget_tokens === THINKING_BUDGET ? undefined : `thinking is ${JSON.stringify(body.thinking)}, not enabled with budget ${THINKING_BUDGET}`;
    case "finish-length":
      return body.max_tokens === LENGTH_MAX_TOKENS ? undefined : `max_tokens is ${body.max_tokens}, not ${LENGTH_MAX_TOKENS}`;
    default:
      return undefined;
  }
}
