import type { DialectRuntime } from "../../calls/dialect.ts";
import { lastObjectMember, lastStringMember } from "../../json/find-member.ts";
import { fromOpenAIUsage } from "../../canonical/usage.ts";
import type { CallRecord } from "../../telemetry/calls.ts";
import { openAIDialect } from "./index.ts";
import { reverseToolNamesInCompletion } from "../../providers/openai/passthrough-names.ts";
import { openAIPassthroughStage } from "./stream.ts";

/** Reads usage and finish reason from a chat completion body without parsing all of it. */
function observeCompletion(text: string): Pick<CallRecord, "usage" | "finishReason"> {
  const usage = fromOpenAIUsage(lastObjectMember(text, "usage"));
  const finishReason = lastStringMember(text, "finish_reason");
  return { ...(usage ? { usage } : {}), ...(finishReason ? { finishReason } : {}) };
}

/** The OpenAI dialect as the shared call handlers use it. */
export const openAIRuntime: DialectRuntime = {
  wire: "openai",
  codec: openAIDialect,
  isStream: (body) => body.stream === true,
  wantsStreamUsage: (body) => (body.stream_options as { include_usage?: unknown } | null | undefined)?.include_usage === true,
  observeBody: observeCompletion,
  rewriteBody: reverseToolNamesInCompletion,
  passthroughStage: ({ clientWantsUsage, explain, onEnd, promptChars, reverseNames }) => openAIPassthroughStage(clientWantsUsage, explain, onEnd, promptChars, reverseNames),
};
