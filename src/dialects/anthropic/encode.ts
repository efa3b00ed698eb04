import type { ChatResult, ContentPart } from "../../canonical/chat.ts";
import { depthExceededAt } from "../../json/depth.ts";
import { toAnthropicStop, type AnthropicStop } from "./stop-reason.ts";
import { toAnthropicUsage, type AnthropicUsage } from "./usage.ts";

/** An Anthropic output content block. */
export type AnthropicContentBlock =
  | { type: "text"; text: string }
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "redacted_thinking"; data: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

/** Anthropic's Message: the body of a non-streamed `/v1/messages` answer. */
export interface AnthropicMessage extends AnthropicStop {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: AnthropicContentBlock[];
  usage: AnthropicUsage;
}

/** Anthropic ids start with `msg_`: an upstream's own `msg_` id is kept, any other gets the prefix (same id in, same id out). */
export function toAnthropicMessageId(id: string): string {
  return id.startsWith("msg_") ? id : `msg_${id.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

/**
 * Tool-call arguments as Anthropic's `input`, which must be an object. Empty arguments (a tool
 * without parameters) read as `{}`; text that is not a JSON object is kept whole as
 * `{"_raw": text}` rather than dropped, so the client's tool sees what the model wrote and can
 * report it back instead of the gateway failing the whole answer.
 */
export function toAnthropicToolInput(args: string): Record<string, unknown> {
  if (args.trim() === "") return {};
  // Nested too deep to serialise again safely: kept as text too.
  if (depthExceededAt(args) !== -1) return { _raw: args };
  try {
    const parsed: unknown = JSON.parse(args);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Not JSON: fall through to the `_raw` wrapper.
  }
  return { _raw: args };
}

function toAnthropicBlock(part: ContentPart): AnthropicContentBlock | undefined {
  switch (part.type) {
    case "text":
      // Empty text blocks are dropped: a client sends its history back, and Anthropic rejects empty text.
      return part.text === "" ? undefined : { type: "text", text: part.text };
    case "thinking":
      return { type: "thinking", thinking: part.text, signature: part.signature ?? "" };
    case "redacted-thinking":
      return { type: "redacted_thinking", data: part.data };
    case "tool-call":
      return { type: "tool_use", id: part.id, name: part.name, input: toAnthropicToolInput(part.arguments) };
    default:
      // A ChatResult holds only text, thinking and tool-call parts; nothing else has an Anthropic output block.
      return undefined;
  }
}

/** A complete canonical answer as an Anthropic Message; `model` is the name the client called. */
export function toAnthropicMessage(result: ChatResult, model: string): AnthropicMessage {
  const content: AnthropicContentBlock[] = [];
  for (const part of result.content) {
    const block = toAnthropicBlock(part);
    if (block) content.push(block);
  }
  const hasToolCalls = content.some((block) => block.type === "tool_use");
  return {
    id: toAnthropicMessageId(result.id),
    type: "message",
    role: "assistant",
    model,
    content,
    ...toAnthropicStop(result.finishReason, hasToolCalls, result.providerMetadata),
    usage: toAnthropicUsage(result.usage),
  };
}
