/**
 * What a pass-through call's span adds to the shared ones: its native bodies read by their wire
 * (Gemini's JSON-array stream included), a note for each part that could not be read (the span
 * keeps its kind and what was read), and CHAIN spans for calls that invoke no model, with no
 * bodies at all.
 */
import { OpenInferenceSpanKind, SemanticConventions as SC } from "@arizeai/openinference-semantic-conventions";
import type { Attributes } from "./openinference-messages.ts";
import type { TraceCall } from "./openinference.ts";
import type { TraceItem } from "./trace-protocol.ts";
import { parsed, parsedValue } from "./trace-text.ts";

/** The span attribute listing why parts of a pass-through call's bodies are missing. */
export const UNREAD_ATTRIBUTE = "switchboard.passthrough.unread";
/** The span attribute naming the route as called (`POST /anthropic/v1/messages`). */
export const ROUTE_ATTRIBUTE = "switchboard.route";

/**
 * Makes a call built from the texts a pass-through call's: native (see TraceCall.native), the
 * request text kept only when it is JSON, a Gemini JSON-array answer read as its stream of
 * responses. Returns the notes on what could not be read.
 */
export function readNativeBodies(call: TraceCall, item: TraceItem, requestText: string, answerText: string): string[] {
  const notes = [...(item.passthrough?.notes ?? [])];
  call.native = true;
  if (requestText !== "" && !parsed(requestText)) notes.push("the request body is not a JSON object");
  if (!parsed(requestText)) delete call.requestText;
  if (item.outcome !== "ok" || answerText === "") return notes;
  if (answerText.trimStart().startsWith("[")) {
    const value = parsedValue(answerText);
    if (Array.isArray(value)) {
      call.streamEvents = value;
      delete call.response;
      return notes;
    }
  }
  if (!item.stream && !call.response) notes.push("the answer is not a JSON object");
  return notes;
}

/** A CHAIN span's attributes: who called what, where it went; never a body. */
export function chainAttributes(item: TraceItem): Attributes {
  const attrs: Attributes = { [SC.OPENINFERENCE_SPAN_KIND]: OpenInferenceSpanKind.CHAIN };
  if (item.provider) attrs[SC.LLM_PROVIDER] = item.provider;
  if (item.upstreamModel ?? item.model) attrs[SC.LLM_MODEL_NAME] = (item.upstreamModel ?? item.model) as string;
  const { gateway } = item;
  attrs["switchboard.call_id"] = gateway.callId;
  if (gateway.deploymentId) attrs["switchboard.deployment"] = gateway.deploymentId;
  if (gateway.keyAlias) attrs["switchboard.key_alias"] = gateway.keyAlias;
  if (gateway.teamId) attrs["switchboard.team_id"] = gateway.teamId;
  if (gateway.teamAlias) attrs["switchboard.team_alias"] = gateway.teamAlias;
  return attrs;
}
