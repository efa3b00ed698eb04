import type { ChatResult, FinishReason, ToolCallPart } from "../../canonical/chat.ts";
import { toOpenAIUsage } from "../../canonical/usage.ts";

/** The canonical model's finish reason as OpenAI's `finish_reason`; "error" and "other" have no OpenAI name, and "stop" is the closest. */
export function toOpenAIFinishReason(reason: FinishReason): "stop" | "length" | "tool_calls" | "content_filter" {
  switch (reason) {
    case "length":
      return "length";
    case "tool-calls":
      return "tool_calls";
    case "content-filter":
      return "content_filter";
    default:
      return "stop";
  }
}

/**
 * A canonical result as an OpenAI `chat.completion` object. `model` is the name the client called;
 * `created` (Unix seconds) is passed in so the function stays pure. Text parts are joined into
 * `content` (null when the answer is only tool calls), thinking into `reasoning_content`, and signed
 * thinking also into `thinking_blocks` so it can be sent back.
 */
export function toOpenAIChatCompletion(result: ChatResult, model: string, created: number): Record<string, unknown> {
  let text = "";
  let hasText = false;
  let reasoning: string | undefined;
  const calls: ToolCallPart[] = [];
  const thinkingBlocks: Record<string, unknown>[] = [];
  for (const part of result.content) {
    if (part.type === "text") {
      text += part.text;
      hasText = true;
    } else if (part.type === "thinking") {
      reasoning = (reasoning ?? "") + part.text;
      thinkingBlocks.push({ type: "thinking", thinking: part.text, ...(part.signature !== undefined ? { signature: part.signature } : {}) });
    } else if (part.type === "redacted-thinking") thinkingBlocks.push({ type: "redacted_thinking", data: part.data });
    else if (part.type === "tool-call") calls.push(part);
  }
  const message: Record<string, unknown> = { role: "assistant", content: hasText || calls.length === 0 ? text : null, refusal: null };
  if (reasoning !== undefined) message.reasoning_content = reasoning;
  // LiteLLM's field: signed thinking the client sends back on its next turn (Anthropic requires it in tool loops).
  if (thinkingBlocks.some((block) => block.signature !== undefined || block.type === "redacted_thinking")) message.thinking_blocks = thinkingBlocks;
  if (calls.length > 0) {
    message.tool_calls = calls.map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } }));
  }
  return {
    id: result.id,
    object: "chat.completion",
    created,
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: toOpenAIFinishReason(result.finishReason) }],
    ...(result.usage ? { usage: toOpenAIUsage(result.usage) } : {}),
  };
}
