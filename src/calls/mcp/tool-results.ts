/**
 * An MCP tool's answer as the model reads it: a canonical tool result. Text stays text, images stay
 * images (each provider renders them its way), embedded text resources are inlined, and what a
 * model cannot read (audio, binary blobs) is named rather than dropped without a word.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { ImagePart, TextPart, ToolResultPart } from "../../canonical/chat.ts";

type Block = CallToolResult["content"][number];

function partOf(block: Block): TextPart | ImagePart {
  switch (block.type) {
    case "text":
      return { type: "text", text: block.text };
    case "image":
      return { type: "image", source: { kind: "base64", mediaType: block.mimeType, data: block.data } };
    case "resource": {
      const { resource } = block;
      if ("text" in resource && typeof resource.text === "string") return { type: "text", text: resource.text };
      return { type: "text", text: `[binary resource ${resource.uri}${resource.mimeType ? ` (${resource.mimeType})` : ""}, not shown]` };
    }
    case "resource_link":
      return { type: "text", text: `[resource ${block.name}: ${block.uri}]` };
    case "audio":
      return { type: "text", text: `[audio (${block.mimeType}), not shown]` };
    default:
      return { type: "text", text: "[content of an unknown type, not shown]" };
  }
}

/** The tool result for call `toolCallId`: a string when all text, else parts; structured content when there is nothing else. */
export function toolResultOf(toolCallId: string, result: CallToolResult): ToolResultPart {
  const parts = (result.content ?? []).map(partOf);
  if (parts.length === 0 && result.structuredContent !== undefined) parts.push({ type: "text", text: JSON.stringify(result.structuredContent) });
  const content = parts.every((part) => part.type === "text") ? parts.map((part) => (part as TextPart).text).join("\n") : parts;
  return { type: "tool-result", toolCallId, content, ...(result.isError ? { isError: true } : {}) };
}

/** A tool call that could not be made (its server failed): the model is told, so it can answer without it. */
export function toolFailureOf(toolCallId: string, message: string): ToolResultPart {
  return { type: "tool-result", toolCallId, content: `The tool could not be called: ${message}`, isError: true };
}
