import { editTopLevel, type TopLevelEdits } from "../../json/top-level.ts";
import { GatewayError } from "../../canonical/errors.ts";
import { joinUrl } from "../openai/request.ts";
import type { Operation, PassthroughInput, Target, UpstreamRequest } from "../types.ts";
import { systemWithoutBlankText, withoutBlankText } from "./empty-text.ts";
import { ANTHROPIC_VERSION, anthropicHeaders } from "./request.ts";
import { planToolNames } from "../tool-names.ts";
import { ANTHROPIC_TOOL_NAMES } from "./tool-names.ts";

/** Body fields a client may send that must never reach an upstream (they would redirect or re-key the call). */
const GATEWAY_ONLY_FIELDS = ["api_base", "base_url", "api_key"] as const;

/** A same-format call: the request to send, and the tool names to turn back into the client's in the answer. */
export interface AnthropicPassthrough {
  upstream: UpstreamRequest;
  /** Upstream tool name -> the client's, only for names the gateway rewrote (empty when none was). */
  reverseNames: ReadonlyMap<string, string>;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
/** A client tool: no `type`, or `custom`. Anything else (web_search_..., bash_..., mcp) is provider-hosted and keeps its name. */
const isCustomTool = (tool: Json) => tool.type === undefined || tool.type === "custom";

/**
 * Rewrites tool names only when one of them is invalid for Anthropic: `tools` and a named
 * `tool_choice` are then re-serialised with the new names, and earlier assistant `tool_use` blocks
 * renamed in `messages` (the client's, or already cleaned of blank text). Returns the member edits
 * (JSON texts), the messages (the same array when no name in them changed) and the reverse map.
 */
function sanitiseToolNames(parsed: Json, messages: unknown[]): { set: Record<string, string>; messages: unknown[]; reverse: ReadonlyMap<string, string> } {
  const tools = Array.isArray(parsed.tools) ? parsed.tools.filter(isObject) : [];
  const choice = isObject(parsed.tool_choice) && parsed.tool_choice.type === "tool" && typeof parsed.tool_choice.name === "string" ? parsed.tool_choice : undefined;
  const names: string[] = [];
  const hosted: string[] = [];
  for (const tool of tools) if (typeof tool.name === "string") (isCustomTool(tool) ? names : hosted).push(tool.name);
  if (choice) names.push(choice.name as string);
  for (const message of messages) {
    if (!isObject(message) || message.role !== "assistant" || !Array.isArray(message.content)) continue;
    for (const block of message.content) if (isObject(block) && block.type === "tool_use" && typeof block.name === "string") names.push(block.name);
  }
  if (names.every((name) => ANTHROPIC_TOOL_NAMES.pattern.test(name))) return { set: {}, messages, reverse: new Map() };
  const { forward, reverse } = planToolNames(names, ANTHROPIC_TOOL_NAMES, hosted);
  const rename = <T extends Json>(item: T): T => (typeof item.name === "string" && forward.get(item.name) !== item.name ? { ...item, name: forward.get(item.name) } : item);
  const set: Record<string, string> = {};
  if (tools.some((tool) => isCustomTool(tool) && rename(tool) !== tool)) {
    set.tools = JSON.stringify((parsed.tools as unknown[]).map((tool) => (isObject(tool) && isCustomTool(tool) ? rename(tool) : tool)));
  }
  if (choice && rename(choice) !== choice) set.tool_choice = JSON.stringify(rename(choice));
  let historyChanged = false;
  const history = messages.map((message) => {
    if (!isObject(message) || message.role !== "assistant" || !Array.isArray(message.content)) return message;
    let changed = false;
    const content = message.content.map((block: unknown) => {
      if (!isObject(block) || block.type !== "tool_use") return block;
      const renamed = rename(block);
      if (renamed !== block) changed = true;
      return renamed;
    });
    if (!changed) return message;
    historyChanged = true;
    return { ...message, content };
  });
  return { set, messages: historyChanged ? history : messages, reverse };
}

/** Anthropic endpoints by operation (it has no embeddings). */
const ANTHROPIC_PATHS: Record<Operation, string | undefined> = { chat: "/messages", count_tokens: "/messages/count_tokens", embeddings: undefined };

/**
 * The same-format fast path (Anthropic-format client, Anthropic upstream): the client's body goes
 * out byte for byte (thinking blocks, signatures, cache_control, unknown fields) except `model`,
 * gateway-only fields, blank text (empty-text.ts: `messages` and `system` are re-serialised only when
 * they hold some) and tool names Anthropic would reject. The client's `anthropic-version` and
 * `anthropic-beta` headers are forwarded.
 */
export function buildAnthropicPassthrough(operation: Operation, input: PassthroughInput, target: Target): AnthropicPassthrough {
  const path = ANTHROPIC_PATHS[operation];
  if (!path) throw new GatewayError("caller.invalid_request", `Anthropic does not serve ${operation}.`, { param: "model" });
  const { parsed } = input;
  const set: Record<string, string> = {};
  const remove: string[] = GATEWAY_ONLY_FIELDS.filter((field) => field in parsed);
  if (parsed.model !== target.model) set.model = JSON.stringify(target.model);
  const system = systemWithoutBlankText(parsed.system);
  if (system !== parsed.system) {
    if (system === undefined) remove.push("system");
    else set.system = JSON.stringify(system);
  }
  const sent = Array.isArray(parsed.messages) ? parsed.messages : [];
  const names = sanitiseToolNames(parsed, withoutBlankText(sent));
  Object.assign(set, names.set);
  if (names.messages !== sent) set.messages = JSON.stringify(names.messages);
  const edits: TopLevelEdits = { set, remove };
  const edited = Object.keys(set).length > 0 || remove.length > 0;
  const version = input.headers?.get("anthropic-version") ?? ANTHROPIC_VERSION;
  const betas = input.headers?.get("anthropic-beta")?.split(",") ?? [];
  return {
    upstream: {
      url: joinUrl(target.apiBase, path),
      headers: anthropicHeaders(target, input.stream, version, betas),
      body: edited ? editTopLevel(input.raw, edits) : input.raw,
    },
    reverseNames: names.reverse,
  };
}

/** Puts the client's tool names back into a buffered Messages answer; only `content` is re-serialised, and only when a name changes. */
export function reverseToolNamesInBody(text: string, reverseNames: ReadonlyMap<string, string>): string {
  if (reverseNames.size === 0) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  if (!isObject(parsed) || !Array.isArray(parsed.content)) return text;
  let changed = false;
  const content = parsed.content.map((block: unknown) => {
    if (!isObject(block) || block.type !== "tool_use" || typeof block.name !== "string") return block;
    const original = reverseNames.get(block.name);
    if (original === undefined) return block;
    changed = true;
    return { ...block, name: original };
  });
  return changed ? editTopLevel(text, { set: { content: JSON.stringify(content) } }) : text;
}

/**
 * Puts the client's tool name back into one SSE event's data. Only `content_block_start` of a
 * `tool_use` block carries a name; every other event is returned untouched without parsing.
 */
export function reverseToolNamesInEvent(data: string, reverseNames: ReadonlyMap<string, string>): string {
  if (reverseNames.size === 0 || !data.includes("content_block_start") || !data.includes('"tool_use"')) return data;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return data;
  }
  if (!isObject(parsed) || parsed.type !== "content_block_start" || !isObject(parsed.content_block)) return data;
  const block = parsed.content_block;
  if (block.type !== "tool_use" || typeof block.name !== "string") return data;
  const original = reverseNames.get(block.name);
  return original === undefined ? data : editTopLevel(data, { set: { content_block: JSON.stringify({ ...block, name: original }) } });
}
