import { answerIdOf, type DialectRuntime } from "../../calls/dialect.ts";
import { fromOpenAIUsage } from "../../canonical/usage.ts";
import { isRecord } from "../../json/is-record.ts";
import type { CallRecord } from "../../telemetry/calls.ts";
import { openAIDialect } from "./index.ts";
import { reverseToolNamesInCompletion } from "../../providers/openai/passthrough-names.ts";
import { openAIPassthroughStage } from "./stream.ts";
import { toOpenAIMessages } from "../../providers/openai/translate-messages.ts";
import type { Message } from "../../canonical/chat.ts";

/** Usage, finish reason (the first choice's) and id of a chat completion. */
function observeCompletion(answer: Record<string, unknown>): Pick<CallRecord, "usage" | "finishReason" | "responseId"> {
  const usage = fromOpenAIUsage(answer.usage);
  const choice = Array.isArray(answer.choices) ? answer.choices[0] : undefined;
  const finishReason = isRecord(choice) && typeof choice.finish_reason === "string" ? choice.finish_reason : undefined;
  const responseId = answerIdOf(answer);
  return { ...(usage ? { usage } : {}), ...(finishReason ? { finishReason } : {}), ...(responseId ? { responseId } : {}) };
}

/** An assistant turn's reasoning as this dialect's clients send it back: `thinking_blocks`, as encode.ts writes them. */
function thinkingBlocksOf(message: Message): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = [];
  for (const part of message.content) {
    if (part.type === "thinking") blocks.push({ type: "thinking", thinking: part.text, ...(part.signature !== undefined ? { signature: part.signature } : {}) });
    else if (part.type === "redacted-thinking") blocks.push({ type: "redacted_thinking", data: part.data });
  }
  return blocks;
}

/**
 * Canonical turns as a client of this dialect writes them. The provider translator drops reasoning
 * (OpenAI takes none back), but a tool loop's round may go to a provider that is sent it and bills it
 * (Anthropic): the round is admitted on this body, so its reasoning is kept in it.
 */
function toWireMessages(messages: readonly Message[]): unknown[] {
  return messages.flatMap((message) => {
    const wire = toOpenAIMessages([message]);
    const thinking = message.role === "assistant" ? thinkingBlocksOf(message) : [];
    return thinking.length === 0 ? wire : wire.map((turn) => (turn.role === "assistant" ? { ...turn, thinking_blocks: thinking } : turn));
  });
}

/** The OpenAI dialect as the shared call handlers use it. */
export const openAIRuntime: DialectRuntime = {
  wire: "openai",
  codec: openAIDialect,
  isStream: (body) => body.stream === true,
  wantsStreamUsage: (body) => (body.stream_options as { include_usage?: unknown } | null | undefined)?.include_usage === true,
  observeAnswer: observeCompletion,
  rewriteBody: reverseToolNamesInCompletion,
  passthroughStage: openAIPassthroughStage,
  wireMessages: toWireMessages,
  wireTools: (tools) => tools.map((tool) => ({ type: "function", function: { name: tool.name, ...(tool.description !== undefined ? { description: tool.description } : {}), parameters: tool.parameters } })),
};
