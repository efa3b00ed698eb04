/**
 * OpenInference attributes of an MCP tool call's TOOL span. The parameters and output arrive as the
 * JSON the gateway already had (never re-serialised on the request thread); redaction replaces them,
 * as it replaces prompt and completion text on LLM spans.
 */
import { MimeType, OpenInferenceSpanKind, SemanticConventions as SC } from "@arizeai/openinference-semantic-conventions";
import { REDACTED, type Attributes } from "./openinference-messages.ts";
import type { TraceItem } from "./trace-protocol.ts";

/** The output as people read it: the text of an all-text result, else the result's JSON. */
function outputOf(resultText: string): { value: string; mime: string } {
  try {
    const result = JSON.parse(resultText) as { content?: unknown; structuredContent?: unknown };
    const content = Array.isArray(result.content) ? (result.content as { type?: unknown; text?: unknown }[]) : [];
    if (result.structuredContent === undefined && content.length > 0 && content.every((part) => part?.type === "text" && typeof part.text === "string")) {
      return { value: content.map((part) => part.text as string).join("\n"), mime: MimeType.TEXT };
    }
  } catch {
    // Not JSON: kept as it is.
  }
  return { value: resultText, mime: MimeType.JSON };
}

/** The attributes of a tool call's span; `parametersText` is its arguments' JSON, `resultText` the result's ("" when it failed). */
export function toolAttributes(item: TraceItem, parametersText: string, resultText: string): Attributes {
  const attrs: Attributes = { "openinference.span.kind": OpenInferenceSpanKind.TOOL, [SC.TOOL_NAME]: item.model };
  const redact = item.redact !== false;
  attrs[SC.TOOL_PARAMETERS] = redact ? REDACTED : parametersText;
  attrs[SC.INPUT_VALUE] = redact ? REDACTED : parametersText;
  attrs[SC.INPUT_MIME_TYPE] = MimeType.JSON;
  if (resultText) {
    const output = outputOf(resultText);
    attrs[SC.OUTPUT_VALUE] = redact ? REDACTED : output.value;
    attrs[SC.OUTPUT_MIME_TYPE] = output.mime;
  }
  if (item.tool) {
    attrs["switchboard.mcp_server"] = item.tool.server;
    attrs["switchboard.mcp_tool"] = item.tool.name;
  }
  const { gateway } = item;
  attrs["switchboard.call_id"] = gateway.callId;
  if (gateway.keyAlias) attrs["switchboard.key_alias"] = gateway.keyAlias;
  if (gateway.teamId) attrs["switchboard.team_id"] = gateway.teamId;
  if (gateway.teamAlias) attrs["switchboard.team_alias"] = gateway.teamAlias;
  return attrs;
}
