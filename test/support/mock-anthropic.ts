/**
 * A scripted Anthropic Messages API upstream for tests. It answers on a real socket (Bun.serve on
 * 127.0.0.1, port 0) in Anthropic's recorded shapes, records every request, and notices callers
 * that go away. Before any script runs it validates the request as strictly as Anthropic does;
 * a violation is answered 400 in Anthropic's error shape and recorded in `invalid`, so a gateway
 * that sends something Anthropic would reject fails the test loudly.
 *
 * The model name in the body picks the script (streamed when `stream: true`):
 *
 * | model         | answers |
 * | ------------- | ------- |
 * | `text`        | `TEXT_ANSWER` as one text block (streamed one word per delta), end_turn, `TEXT_USAGE` (cache read) |
 * | `thinking`    | a thinking block (`THINKING_TEXT`, `THINKING_SIGNATURE`), then `THINKING_ANSWER`; `THINKING_USAGE` (cache write) |
 * | `thinking-tools` | a thinking block (`THINKING_TOOL_TEXT`, `THINKING_TOOL_SIGNATURE`), then one tool_use of the request's first custom tool with `TOOL_INPUTS[0]`; stop_reason tool_use; `THINKING_TOOLS_USAGE` |
 * | `tools`       | a short text, then two parallel tool_use blocks calling the request's first two custom tools (the first twice when there is one) with `TOOL_INPUTS`, arguments streamed as input_json_delta fragments; stop_reason tool_use |
 * | `json`        | a tool_use of the forced tool (`tool_choice.name`, else the last tool) with `JSON_ANSWER` |
 * | `error-429`   | 429 rate_limit_error, `retry-after: 7`, `anthropic-ratelimit-requests-remaining: 0` |
 * | `error-529`   | 529 overloaded_error |
 * | `error-event` | streamed: message_start, one text delta, then an `event: error` (overloaded_error); not streamed: 500 api_error |
 * | `stall`       | streamed: message_start and one text delta, then nothing more until the caller goes away; not streamed: never answers until then |
 * | anything else | 404 not_found_error |
 *
 * `POST /v1/messages/count_tokens` is validated the same way (no `max_tokens` or `stream`, which it
 * does not take) for the models above that answer, and answers `{"input_tokens": N}` with N from
 * `countTokens` (deterministic: words plus a fixed overhead per message and per tool).
 */

import { recordRequest, type RecordedRequest } from "./recording.ts";

/** One request the mock received, as it arrived; `invalid` says why it was rejected (answered 400/401). */
export type RecordedAnthropicRequest = RecordedRequest;

/** A running mock: its base URL, what it received, and how to stop it. */
export interface MockAnthropic {
  /** Base URL ending in `/v1`, ready for `api_base`. */
  url: string;
  requests: RecordedAnthropicRequest[];
  aborted: RecordedAnthropicRequest[];
  requestsFor(model: string): RecordedAnthropicRequest[];
  stop(): Promise<void>;
}

/** The message id each script answers with. */
export const MESSAGE_IDS = {
  text: "msg_01XFDUDYJgAACzvnptvVoYEL",
  thinking: "msg_01Aq9w938a90dw8q7bx4hdDn",
  tools: "msg_01PXB6Fwu7qHdBv2Pb9UdQrE",
  json: "msg_01LdvRkXyZ4oQ2gDm9uTnc5a",
  "thinking-tools": "msg_01ThinkToolsThinkTools0001",
  "error-event": "msg_01HCzFvDPjy8mTtrLrHRDW3H",
  stall: "msg_01StallStallStallStall0001",
} as const;

/** What `text` answers, one word per stream delta. */
export const TEXT_WORDS = ["Hello", " from", " the", " mock", " Claude."] as const;
/** `text`'s whole answer. */
export const TEXT_ANSWER = TEXT_WORDS.join("");
/** `text`'s usage: a cache read. */
export const TEXT_USAGE = { input_tokens: 21, cache_creation_input_tokens: 0, cache_read_input_tokens: 1860, output_tokens: 12, service_tier: "standard" } as const;

/** `thinking`'s reasoning. */
export const THINKING_TEXT = "The user wants 27 * 453. 27 * 453 = 12231.";
/** `thinking`'s signature. */
export const THINKING_SIGNATURE = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds8Ad3hfd0ZmGdwQoqQ==";
/** `thinking`'s text after the reasoning. */
export const THINKING_ANSWER = "27 * 453 = 12,231.";
/** `thinking`'s usage: a cache write. */
export const THINKING_USAGE = { input_tokens: 48, cache_creation_input_tokens: 1912, cache_read_input_tokens: 0, output_tokens: 96, service_tier: "standard" } as const;

/** `tools`' text before its calls. */
export const TOOLS_PREAMBLE = "I'll check both cities.";
/** `tools`' two call ids. */
export const TOOL_USE_IDS = ["toolu_01A09q90qw90lq917835lq9", "toolu_01T1x1fJ34qAmk2tNTrN7Up6"] as const;
/** `tools`' two call inputs. */
export const TOOL_INPUTS = [
  { city: "Paris", unit: "celsius" },
  { city: "Tokyo", unit: "celsius" },
] as const;
/** `tools`' usage. */
export const TOOLS_USAGE = { input_tokens: 412, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 104, service_tier: "standard" } as const;

/** `thinking-tools`' reasoning before its call. */
export const THINKING_TOOL_TEXT = "The user wants the weather in Paris; get_weather answers that.";
/** `thinking-tools`' signature. */
export const THINKING_TOOL_SIGNATURE = "EuYBCkQYAiJAb3RoZXJzaWduYXR1cmVmb3J0aGV0b29sY2FsbHR1cm4AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==";
/** `thinking-tools`' call id. */
export const THINKING_TOOL_USE_ID = "toolu_01ThinkTool0000000000000001";
/** `thinking-tools`' usage. */
export const THINKING_TOOLS_USAGE = { input_tokens: 388, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 77, service_tier: "standard" } as const;

/** `json`'s call id. */
export const JSON_TOOL_USE_ID = "toolu_01JsonAnswer0000000000001";
/** `json`'s answer (the forced tool's input). */
export const JSON_ANSWER = { answer: 42, unit: "none" } as const;
/** `json`'s usage. */
export const JSON_USAGE = { input_tokens: 230, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 31, service_tier: "standard" } as const;

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;
const TOOL_USE_ID = /^[a-zA-Z0-9_-]+$/;
// 2026-10-21 is what the official SDK (1.x) sends; the translators speak 2023-06-01.
const VERSIONS = new Set(["2023-06-01", "2023-01-01", "2026-10-21"]);
const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);
const TOP_LEVEL = new Set([
  "model", "messages", "max_tokens", "system", "metadata", "stop_sequences", "stream", "temperature", "top_p", "top_k",
  "tools", "tool_choice", "thinking", "service_tier", "container", "mcp_servers", "context_management", "inference_geo", "cache_control", "speed",
]);
/** What `/v1/messages/count_tokens` takes: the prompt, not the generation settings. */
const COUNT_TOP_LEVEL = new Set(["model", "messages", "system", "tools", "tool_choice", "thinking", "mcp_servers", "context_management", "cache_control"]);
/** The script models count_tokens knows; any other model is a 404 as on /v1/messages. */
const COUNT_MODELS = new Set(["text", "thinking", "thinking-tools", "tools", "json"]);
const CUSTOM_TOOL_KEYS = new Set(["type", "name", "description", "input_schema", "cache_control", "strict"]);
const USER_BLOCKS = new Set(["text", "image", "document", "tool_result"]);
const ASSISTANT_BLOCKS = new Set(["text", "thinking", "redacted_thinking", "tool_use", "server_tool_use", "web_search_tool_result"]);
const REQUEST_ID = "req_011CMockAnthropic000000001";
const encoder = new TextEncoder();

const RATE_LIMIT_HEADERS = {
  "request-id": REQUEST_ID,
  "anthropic-ratelimit-requests-limit": "4000",
  "anthropic-ratelimit-requests-remaining": "3999",
  "anthropic-ratelimit-requests-reset": "2025-06-01T00:00:01Z",
};

function anthropicError(status: number, type: string, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ type: "error", error: { type, message }, request_id: REQUEST_ID }, { status, headers: { ...RATE_LIMIT_HEADERS, ...headers } });
}

const isObject = (value: unknown): value is Record<string, any> => typeof value === "object" && value !== null && !Array.isArray(value);
const blank = (text: unknown) => typeof text !== "string" || text.trim().length === 0;

interface Problem {
  status: number;
  type: string;
  message: string;
}
const bad = (message: string): Problem => ({ status: 400, type: "invalid_request_error", message });

function checkCache(value: unknown, where: string, counter: { n: number }): string | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value) || value.type !== "ephemeral" || (value.ttl !== undefined && value.ttl !== "5m" && value.ttl !== "1h")) return `${where}.cache_control: must be {"type":"ephemeral"} with ttl 5m or 1h`;
  counter.n++;
  return undefined;
}

function checkImage(block: Record<string, any>, where: string): string | undefined {
  const source = block.source;
  if (!isObject(source)) return `${where}.source: Field required`;
  if (source.type === "base64") {
    if (!IMAGE_TYPES.has(source.media_type)) return `${where}.source.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
    if (typeof source.data !== "string" || source.data.length === 0) return `${where}.source.data: Field required`;
  } else if (source.type === "url") {
    if (typeof source.url !== "string" || !/^https?:\/\//.test(source.url)) return `${where}.source.url: must be an http(s) URL`;
  } else return `${where}.source.type: Input should be 'base64' or 'url'`;
  return undefined;
}

function checkBlock(block: unknown, where: string, role: string, counter: { n: number }, previousToolUses: Set<string>): string | undefined {
  if (!isObject(block)) return `${where}: Input should be an object`;
  const allowed = role === "user" ? USER_BLOCKS : ASSISTANT_BLOCKS;
  if (!allowed.has(block.type)) return `${where}.type: '${block.type}' blocks are not allowed in ${role} messages`;
  const cache = checkCache(block.cache_control, where, counter);
  if (cache) return cache;
  switch (block.type) {
    case "text":
      return blank(block.text) ? `${where}: text content blocks must contain non-whitespace text` : undefined;
    case "image":
      return checkImage(block, where);
    case "document": {
      const source = block.source;
      if (!isObject(source)) return `${where}.source: Field required`;
      if (source.type === "base64" && source.media_type !== "application/pdf") return `${where}.source.media_type: Input should be 'application/pdf'`;
      if (source.type === "text" && (source.media_type !== "text/plain" || typeof source.data !== "string")) return `${where}.source: plain-text source needs media_type text/plain and data`;
      if (!["base64", "text", "url", "content", "file"].includes(source.type)) return `${where}.source.type: unknown document source`;
      return undefined;
    }
    case "thinking":
      if (typeof block.thinking !== "string") return `${where}.thinking: Field required`;
      return blank(block.signature) ? `${where}.signature: Field required` : undefined;
    case "redacted_thinking":
      return blank(block.data) ? `${where}.data: Field required` : undefined;
    case "tool_use":
      if (typeof block.id !== "string" || !TOOL_USE_ID.test(block.id)) return `${where}.id: String should match pattern '^[a-zA-Z0-9_-]+$'`;
      if (typeof block.name !== "string" || !TOOL_NAME.test(block.name)) return `${where}.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`;
      return isObject(block.input) ? undefined : `${where}.input: Input should be a valid dictionary`;
    case "tool_result": {
      if (!previousToolUses.has(block.tool_use_id)) {
        return `${where}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${block.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
      }
      const content = block.content;
      if (block.is_error === true && (content === undefined || content === "" || (Array.isArray(content) && content.length === 0))) return `${where}: content cannot be empty if \`is_error\` is true`;
      if (content === undefined || typeof content === "string") return undefined;
      if (!Array.isArray(content)) return `${where}.content: Input should be a string or a list`;
      for (const [k, item] of content.entries()) {
        if (!isObject(item) || (item.type !== "text" && item.type !== "image")) return `${where}.content.${k}: only text and image blocks`;
        if (item.type === "text" && blank(item.text)) return `${where}.content.${k}: text content blocks must contain non-whitespace text`;
        if (item.type === "image") {
          const image = checkImage(item, `${where}.content.${k}`);
          if (image) return image;
        }
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function checkMessages(body: Record<string, any>, counter: { n: number }): string | undefined {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return "messages: at least one message is required";
  let previousToolUses = new Set<string>();
  for (const [i, message] of messages.entries()) {
    const where = `messages.${i}`;
    if (!isObject(message)) return `${where}: Input should be an object`;
    const expected = i % 2 === 0 ? "user" : "assistant";
    if (message.role !== "user" && message.role !== "assistant") return `${where}.role: Input should be 'user' or 'assistant'`;
    if (message.role !== expected) return `messages: roles must alternate between "user" and "assistant", starting with "user" (messages.${i} is '${message.role}')`;
    const last = i === messages.length - 1;
    let blocks: unknown[];
    if (typeof message.content === "string") {
      if (blank(message.content) && !(last && message.role === "assistant")) return `${where}: all messages must have non-empty content except for the optional final assistant message`;
      blocks = [];
    } else if (Array.isArray(message.content)) {
      if (message.content.length === 0 && !(last && message.role === "assistant")) return `${where}: all messages must have non-empty content except for the optional final assistant message`;
      blocks = message.content;
    } else return `${where}.content: Input should be a string or a list`;
    let seenOther = false;
    const answered = new Set<string>();
    for (const [j, block] of blocks.entries()) {
      const problem = checkBlock(block, `${where}.content.${j}`, message.role, counter, previousToolUses);
      if (problem) return problem;
      const type = (block as Record<string, any>).type;
      if (type === "tool_result") {
        if (seenOther) return `${where}.content.${j}: tool_result blocks must come before any other content in a user message`;
        answered.add((block as Record<string, any>).tool_use_id);
      } else seenOther = true;
    }
    if (message.role === "user") {
      for (const id of previousToolUses) {
        if (!answered.has(id)) return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${id}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
      }
      previousToolUses = new Set();
    } else {
      previousToolUses = new Set(blocks.filter((block): block is Record<string, any> => isObject(block) && block.type === "tool_use").map((block) => block.id as string));
    }
  }
  return undefined;
}

function checkTools(body: Record<string, any>, counter: { n: number }): string | undefined {
  const names = new Set<string>();
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) return "tools: Input should be a list";
    for (const [i, tool] of body.tools.entries()) {
      const where = `tools.${i}`;
      if (!isObject(tool)) return `${where}: Input should be an object`;
      if (typeof tool.name !== "string") return `${where}.name: Field required`;
      if (names.has(tool.name)) return `tools: Tool names must be unique (${tool.name})`;
      names.add(tool.name);
      const cache = checkCache(tool.cache_control, where, counter);
      if (cache) return cache;
      if (tool.type === undefined || tool.type === "custom") {
        if (!TOOL_NAME.test(tool.name)) return `${where}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`;
        if (!isObject(tool.input_schema) || tool.input_schema.type !== "object") return `${where}.custom.input_schema.type: Input should be 'object'`;
        const extra = Object.keys(tool).find((key) => !CUSTOM_TOOL_KEYS.has(key));
        if (extra) return `${where}.custom.${extra}: Extra inputs are not permitted`;
      } else if (typeof tool.type !== "string" || !/^[a-z_]+_\d{8}$/.test(tool.type)) return `${where}.type: unknown tool type '${tool.type}'`;
    }
  }
  const choice = body.tool_choice;
  if (choice !== undefined) {
    if (names.size === 0) return "tool_choice: tool_choice may only be specified while providing tools";
    if (!isObject(choice) || !["auto", "any", "tool", "none"].includes(choice.type)) return "tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'";
    if (choice.type === "tool" && !names.has(choice.name)) return `tool_choice.name: Tool '${choice.name}' not found in tools`;
    if (choice.type === "none" && choice.disable_parallel_tool_use !== undefined) return "tool_choice.none.disable_parallel_tool_use: Extra inputs are not permitted";
  }
  return undefined;
}

/**
 * With thinking on, a conversation that ends in tool results must send back the assistant turn
 * that made those calls starting with its thinking block (Anthropic checks the signature).
 */
function thinkingToolLoopProblem(messages: unknown[]): string | undefined {
  const last = messages.at(-1);
  if (!isObject(last) || last.role !== "user" || !Array.isArray(last.content) || !last.content.some((block) => isObject(block) && block.type === "tool_result")) return undefined;
  const i = messages.length - 2;
  const assistant = messages[i];
  const first = isObject(assistant) && Array.isArray(assistant.content) ? assistant.content[0] : undefined;
  if (isObject(first) && (first.type === "thinking" || first.type === "redacted_thinking")) return undefined;
  const found = isObject(first) ? String(first.type) : "text";
  return (
    `messages.${i}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${found}\`. When \`thinking\` is enabled, a final \`assistant\` message ` +
    "must start with a thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks). We recommend you include thinking blocks from previous turns. " +
    "To avoid this requirement, disable `thinking`."
  );
}

const COUNT_TOKENS_PATH = "/v1/messages/count_tokens";

/** Checks a request the way Anthropic does; returns what is wrong, or undefined. */
function validate(request: Request, path: string, headers: Record<string, string>, body: any, bodyText: string): Problem | undefined {
  if (request.method !== "POST") return { status: 405, type: "invalid_request_error", message: `method ${request.method} not allowed` };
  if (path !== "/v1/messages" && path !== COUNT_TOKENS_PATH) return { status: 404, type: "not_found_error", message: `Not found: ${path}` };
  const counting = path === COUNT_TOKENS_PATH;
  if (!headers["x-api-key"]) return { status: 401, type: "authentication_error", message: "x-api-key header is required" };
  if (!VERSIONS.has(headers["anthropic-version"] ?? "")) return bad(`anthropic-version: '${headers["anthropic-version"] ?? ""}' is not a valid version`);
  if (!/^application\/json\s*(;|$)/i.test(headers["content-type"] ?? "")) return bad("content-type must be application/json");
  if (body === undefined) return bad(`There was an issue with your request body: not JSON (${bodyText.slice(0, 40)})`);
  if (!isObject(body)) return bad("body must be a JSON object");
  const unknown = Object.keys(body).find((key) => !(counting ? COUNT_TOP_LEVEL : TOP_LEVEL).has(key));
  if (unknown) return bad(`${unknown}: Extra inputs are not permitted`);
  if (typeof body.model !== "string" || body.model.length === 0) return bad("model: Field required");
  if (!counting && (!Number.isInteger(body.max_tokens) || body.max_tokens < 1)) return bad("max_tokens: Field required (a positive integer)");
  if (body.stream !== undefined && typeof body.stream !== "boolean") return bad("stream: Input should be a valid boolean");
  const counter = { n: 0 };
  if (body.system !== undefined) {
    if (Array.isArray(body.system)) {
      for (const [i, block] of body.system.entries()) {
        if (!isObject(block) || block.type !== "text") return bad(`system.${i}: Input should be a text block`);
        if (blank(block.text)) return bad(`system.${i}: text content blocks must contain non-whitespace text`);
        const cache = checkCache(block.cache_control, `system.${i}`, counter);
        if (cache) return bad(cache);
      }
    } else if (typeof body.system !== "string") return bad("system: Input should be a string or a list of text blocks");
  }
  const messages = checkMessages(body, counter);
  if (messages) return bad(messages);
  const tools = checkTools(body, counter);
  if (tools) return bad(tools);
  if (counter.n > 4) return bad(`A maximum of 4 blocks with cache_control may be provided. Found ${counter.n}.`);
  if (body.temperature !== undefined && (typeof body.temperature !== "number" || body.temperature < 0 || body.temperature > 1)) return bad("temperature: Input should be between 0 and 1");
  if (body.top_p !== undefined && (typeof body.top_p !== "number" || body.top_p < 0 || body.top_p > 1)) return bad("top_p: Input should be between 0 and 1");
  if (body.top_k !== undefined && (!Number.isInteger(body.top_k) || body.top_k < 0)) return bad("top_k: Input should be a non-negative integer");
  if (body.stop_sequences !== undefined) {
    if (!Array.isArray(body.stop_sequences)) return bad("stop_sequences: Input should be a list");
    if (body.stop_sequences.some(blank)) return bad("stop_sequences: each stop sequence must contain non-whitespace");
  }
  if (body.metadata !== undefined) {
    if (!isObject(body.metadata)) return bad("metadata: Input should be an object");
    const extra = Object.keys(body.metadata).find((key) => key !== "user_id");
    if (extra) return bad(`metadata.${extra}: Extra inputs are not permitted`);
  }
  if (body.thinking !== undefined) {
    const thinking = body.thinking;
    if (!isObject(thinking) || (thinking.type !== "enabled" && thinking.type !== "disabled")) return bad("thinking.type: Input should be 'enabled' or 'disabled'");
    if (thinking.type === "enabled") {
      if (!Number.isInteger(thinking.budget_tokens) || thinking.budget_tokens < 1024) return bad("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024");
      if (thinking.budget_tokens >= body.max_tokens) return bad("`max_tokens` must be greater than `thinking.budget_tokens`");
      if (body.temperature !== undefined) return bad("`temperature` may only be set to 1 when thinking is enabled");
      if (body.top_k !== undefined) return bad("`top_k` must be unset when thinking is enabled");
      if (body.top_p !== undefined && body.top_p < 0.95) return bad("`top_p` must be greater than or equal to 0.95 or unset when thinking is enabled");
      if (body.tool_choice?.type === "any" || body.tool_choice?.type === "tool") return bad("Thinking may not be enabled when tool_choice forces tool use.");
      const loop = thinkingToolLoopProblem(body.messages);
      if (loop) return bad(loop);
    }
  }
  return undefined;
}

const frame = (data: Record<string, unknown>): string => `event: ${data.type as string}\ndata: ${JSON.stringify(data)}\n\n`;
const message = (id: string, model: string, content: unknown[], stopReason: string | null, usage: Record<string, unknown>) => ({
  id,
  type: "message",
  role: "assistant",
  model,
  content,
  stop_reason: stopReason,
  stop_sequence: null,
  usage,
});

/** Splits a string into pieces of at most `size` characters. */
const pieces = (text: string, size: number): string[] => text.match(new RegExp(`[\\s\\S]{1,${size}}`, "g")) ?? [];

/** The blocks an answer is made of, as a list the stream and the JSON body are both built from. */
type ScriptBlock = { type: "text"; text: string[] } | { type: "thinking"; thinking: string[]; signature: string } | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

interface Script {
  id: string;
  blocks: ScriptBlock[];
  stopReason: string;
  usage: Record<string, number | string>;
}

function script(model: string, body: Record<string, any>): Script | Problem {
  const customTools: string[] = (body.tools ?? []).filter((tool: any) => tool.type === undefined || tool.type === "custom").map((tool: any) => tool.name);
  switch (model) {
    case "text":
      return { id: MESSAGE_IDS.text, blocks: [{ type: "text", text: [...TEXT_WORDS] }], stopReason: "end_turn", usage: TEXT_USAGE };
    case "thinking":
      return {
        id: MESSAGE_IDS.thinking,
        blocks: [
          { type: "thinking", thinking: pieces(THINKING_TEXT, 11), signature: THINKING_SIGNATURE },
          { type: "text", text: pieces(THINKING_ANSWER, 6) },
        ],
        stopReason: "end_turn",
        usage: THINKING_USAGE,
      };
    case "tools": {
      if (customTools.length === 0) return bad("the mock's `tools` script needs at least one custom tool");
      const second = customTools[1] ?? customTools[0];
      return {
        id: MESSAGE_IDS.tools,
        blocks: [
          { type: "text", text: [TOOLS_PREAMBLE] },
          { type: "tool_use", id: TOOL_USE_IDS[0], name: customTools[0] as string, input: { ...TOOL_INPUTS[0] } },
          { type: "tool_use", id: TOOL_USE_IDS[1], name: second as string, input: { ...TOOL_INPUTS[1] } },
        ],
        stopReason: "tool_use",
        usage: TOOLS_USAGE,
      };
    }
    case "thinking-tools": {
      if (customTools.length === 0) return bad("the mock's `thinking-tools` script needs at least one custom tool");
      return {
        id: MESSAGE_IDS["thinking-tools"],
        blocks: [
          { type: "thinking", thinking: pieces(THINKING_TOOL_TEXT, 13), signature: THINKING_TOOL_SIGNATURE },
          { type: "tool_use", id: THINKING_TOOL_USE_ID, name: customTools[0] as string, input: { ...TOOL_INPUTS[0] } },
        ],
        stopReason: "tool_use",
        usage: THINKING_TOOLS_USAGE,
      };
    }
    case "json": {
      const forced = body.tool_choice?.type === "tool" ? body.tool_choice.name : customTools.at(-1);
      if (!forced) return bad("the mock's `json` script needs a tool to answer with");
      return { id: MESSAGE_IDS.json, blocks: [{ type: "tool_use", id: JSON_TOOL_USE_ID, name: forced, input: { ...JSON_ANSWER } }], stopReason: "tool_use", usage: JSON_USAGE };
    }
    default:
      return { status: 404, type: "not_found_error", message: `model: ${model}` };
  }
}

function jsonBlock(block: ScriptBlock): Record<string, unknown> {
  if (block.type === "text") return { type: "text", text: block.text.join("") };
  if (block.type === "thinking") return { type: "thinking", thinking: block.thinking.join(""), signature: block.signature };
  return { type: "tool_use", id: block.id, name: block.name, input: block.input };
}

/** The SSE frames Anthropic sends for an answer: message_start, a ping, each block start/deltas/stop, message_delta, message_stop. */
function streamFrames(run: Script, model: string): string[] {
  const { output_tokens, ...startUsage } = run.usage;
  const out = [frame({ type: "message_start", message: message(run.id, model, [], null, { ...startUsage, output_tokens: 1 }) })];
  run.blocks.forEach((block, index) => {
    if (block.type === "text") {
      out.push(frame({ type: "content_block_start", index, content_block: { type: "text", text: "" } }));
      if (index === 0) out.push(frame({ type: "ping" }));
      for (const text of block.text) out.push(frame({ type: "content_block_delta", index, delta: { type: "text_delta", text } }));
    } else if (block.type === "thinking") {
      out.push(frame({ type: "content_block_start", index, content_block: { type: "thinking", thinking: "", signature: "" } }));
      for (const thinking of block.thinking) out.push(frame({ type: "content_block_delta", index, delta: { type: "thinking_delta", thinking } }));
      out.push(frame({ type: "content_block_delta", index, delta: { type: "signature_delta", signature: block.signature } }));
    } else {
      out.push(frame({ type: "content_block_start", index, content_block: { type: "tool_use", id: block.id, name: block.name, input: {} } }));
      out.push(frame({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: "" } }));
      for (const partial_json of pieces(JSON.stringify(block.input), 9)) out.push(frame({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json } }));
    }
    out.push(frame({ type: "content_block_stop", index }));
  });
  out.push(frame({ type: "message_delta", delta: { stop_reason: run.stopReason, stop_sequence: null }, usage: { output_tokens } }));
  out.push(frame({ type: "message_stop" }));
  return out;
}

function errorEventFrames(model: string): string[] {
  return [
    frame({ type: "message_start", message: message(MESSAGE_IDS["error-event"], model, [], null, { input_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 }) }),
    frame({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }),
    frame({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Partial" } }),
    frame({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }),
  ];
}

/** What `stall` streams before it goes quiet. */
function stallFrames(model: string): string[] {
  return [
    frame({ type: "message_start", message: message(MESSAGE_IDS.stall, model, [], null, { input_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 }) }),
    frame({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }),
    frame({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Waiting" } }),
  ];
}

/** Resolves when `signal` aborts (at once if it has). */
const untilAborted = (signal: AbortSignal) => new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));

/** A stream of `frames`, one per pull; with `stall`, after the last frame it waits for the caller to go away instead of ending. */
function frameStream(frames: string[], stall?: AbortSignal): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (stall && sent === frames.length) {
        await untilAborted(stall);
        controller.close();
        return;
      }
      const next = frames[sent++];
      if (next === undefined) controller.close();
      else controller.enqueue(encoder.encode(next));
    },
  });
}

const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", ...RATE_LIMIT_HEADERS };

const words = (text: unknown): number => (typeof text === "string" ? (text.match(/\S+/g)?.length ?? 0) : 0);

/** Words in a block list's text (text blocks and tool_result contents). */
function blockWords(blocks: unknown): number {
  if (typeof blocks === "string") return words(blocks);
  if (!Array.isArray(blocks)) return 0;
  let n = 0;
  for (const block of blocks) {
    if (!isObject(block)) continue;
    if (block.type === "text") n += words(block.text);
    else if (block.type === "tool_result") n += blockWords(block.content);
  }
  return n;
}

/** Tokens `/v1/messages/count_tokens` reports: whitespace-separated words of the system prompt and of every message's text, plus 3 per message and 10 per tool. */
export function countTokens(body: Record<string, any>): number {
  const messages: unknown[] = Array.isArray(body.messages) ? body.messages : [];
  const tools: unknown[] = Array.isArray(body.tools) ? body.tools : [];
  return blockWords(body.system) + messages.reduce<number>((sum, message) => sum + 3 + blockWords(isObject(message) ? message.content : undefined), 0) + 10 * tools.length;
}

function countAnswer(body: Record<string, any>): Response {
  if (!COUNT_MODELS.has(body.model)) return anthropicError(404, "not_found_error", `model: ${body.model}`);
  return Response.json({ input_tokens: countTokens(body) }, { headers: RATE_LIMIT_HEADERS });
}

function answer(body: Record<string, any>, signal: AbortSignal): Response | Promise<Response> {
  const model: string = body.model;
  const stream = body.stream === true;
  if (model === "stall") {
    // Resolving after the abort lets Bun clean the request up.
    if (!stream) return untilAborted(signal).then(() => new Response(null, { status: 499 }));
    return new Response(frameStream(stallFrames(model), signal), { headers: SSE_HEADERS });
  }
  if (model === "error-429") {
    return anthropicError(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit (https://docs.anthropic.com/en/api/rate-limits); see the response headers for current usage.", {
      "retry-after": "7",
      "anthropic-ratelimit-requests-remaining": "0",
    });
  }
  if (model === "error-529") return anthropicError(529, "overloaded_error", "Overloaded");
  if (model === "error-event") {
    if (!stream) return anthropicError(500, "api_error", "Internal server error");
    return new Response(frameStream(errorEventFrames(model)), { headers: SSE_HEADERS });
  }
  const run = script(model, body);
  if ("status" in run) return anthropicError(run.status, run.type, run.message);
  if (stream) return new Response(frameStream(streamFrames(run, model)), { headers: SSE_HEADERS });
  return Response.json(message(run.id, model, run.blocks.map(jsonBlock), run.stopReason, run.usage), { headers: RATE_LIMIT_HEADERS });
}

/** Starts the mock Anthropic upstream on 127.0.0.1 and a free port. */
export async function startMockAnthropic(): Promise<MockAnthropic> {
  const requests: RecordedAnthropicRequest[] = [];
  const aborted: RecordedAnthropicRequest[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    // `stall` must stay open until the caller goes away, not until an idle timer fires.
    idleTimeout: 0,
    async fetch(request) {
      const { url, recorded, markAnswered, track } = await recordRequest(request, requests, aborted);
      const problem = validate(request, url.pathname, recorded.headers, recorded.body, recorded.bodyText);
      if (problem) {
        recorded.invalid = problem.message;
        markAnswered();
        return anthropicError(problem.status, problem.type, problem.message);
      }
      return track(url.pathname === COUNT_TOKENS_PATH ? countAnswer(recorded.body) : await answer(recorded.body, request.signal));
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}/v1`,
    requests,
    aborted,
    requestsFor: (model) => requests.filter((r) => r.body?.model === model),
    stop: async () => {
      await server.stop(true);
    },
  };
}
