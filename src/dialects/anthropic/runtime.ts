import { answerIdOf, type DialectRuntime } from "../../calls/dialect.ts";
import { fromAnthropicUsage } from "../../canonical/usage.ts";
import { reverseToolNamesInBody } from "../../providers/anthropic/passthrough.ts";
import { anthropicDialect } from "./index.ts";
import { anthropicPassthroughStage } from "./passthrough-stage.ts";
import { toAnthropicMessages } from "../../providers/anthropic/messages.ts";

/** The Anthropic dialect as the shared call handlers use it. */
export const anthropicRuntime: DialectRuntime = {
  wire: "anthropic",
  codec: anthropicDialect,
  isStream: (body) => body.stream === true,
  // Anthropic streams always carry usage (message_start / message_delta).
  wantsStreamUsage: () => true,
  observeAnswer(answer) {
    const usage = fromAnthropicUsage(answer.usage);
    const finishReason = typeof answer.stop_reason === "string" ? answer.stop_reason : undefined;
    const responseId = answerIdOf(answer);
    return { ...(usage ? { usage } : {}), ...(finishReason ? { finishReason } : {}), ...(responseId ? { responseId } : {}) };
  },
  rewriteBody: reverseToolNamesInBody,
  passthroughStage: anthropicPassthroughStage,
  wireMessages: (messages) => toAnthropicMessages(messages, (name) => name).messages,
  wireTools: (tools) => tools.map((tool) => ({ name: tool.name, ...(tool.description !== undefined ? { description: tool.description } : {}), input_schema: tool.parameters })),
};
