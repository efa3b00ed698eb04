import { answerIdOf, type DialectRuntime } from "../../calls/dialect.ts";
import { fromOpenAIUsage } from "../../canonical/usage.ts";
import { isRecord } from "../../json/is-record.ts";
import type { CallRecord } from "../../telemetry/calls.ts";
import { openAIDialect } from "./index.ts";
import { reverseToolNamesInCompletion } from "../../providers/openai/passthrough-names.ts";
import { openAIPassthroughStage } from "./stream.ts";
import { toOpenAIMessages } from "../../providers/openai/translate-messages.ts";

/** Usage, finish reason (the first choice's) and id of a chat completion. */
function observeCompletion(answer: Record<string, unknown>): Pick<CallRecord, "usage" | "finishReason" | "responseId"> {
  const usage = fromOpenAIUsage(answer.usage);
  const choice = Array.isArray(answer.choices) ? answer.choices[0] : undefined;
  const finishReason = isRecord(choice) && typeof choice.finish_reason === "string" ? choice.finish_reason : undefined;
  const responseId = answerIdOf(answer);
  return { ...(usage ? { usage } : {}), ...(finishReason ? { finishReason } : {}), ...(responseId ? { responseId } : {}) };
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
  wireMessages: (messages) => toOpenAIMessages(messages),
  wireTools: (tools) => tools.map((tool) => ({ type: "function", function: { name: tool.name, ...(tool.description !== undefined ? { description: tool.description } : {}), parameters: tool.parameters } })),
};
