import type { DialectRuntime } from "../../calls/dialect.ts";
import { lastObjectMember, lastStringMember } from "../../json/find-member.ts";
import { fromAnthropicUsage } from "../../canonical/usage.ts";
import { reverseToolNamesInBody } from "../../providers/anthropic/passthrough.ts";
import { anthropicDialect } from "./index.ts";
import { anthropicPassthroughStage } from "./passthrough-stage.ts";

/** The Anthropic dialect as the shared call handlers use it. */
export const anthropicRuntime: DialectRuntime = {
  wire: "anthropic",
  codec: anthropicDialect,
  isStream: (body) => body.stream === true,
  // Anthropic streams always carry usage (message_start / message_delta).
  wantsStreamUsage: () => true,
  observeBody(text) {
    const usage = fromAnthropicUsage(lastObjectMember(text, "usage"));
    const finishReason = lastStringMember(text, "stop_reason");
    return { ...(usage ? { usage } : {}), ...(finishReason ? { finishReason } : {}) };
  },
  rewriteBody: reverseToolNamesInBody,
  passthroughStage: anthropicPassthroughStage,
};
