/**
 * An MCP tool's answer as the model reads it: a canonical tool result. Text stays text, images stay
 * images (each provider renders them its way), embedded text resources are inlined, and what a
 * model cannot read (audio, binary blobs) is named rather than dropped without a word. A result is
 * bounded: every later round resends the whole conversation, so one huge answer would be paid for
 * (and could overflow the model's context) again and again.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { ImagePart, TextPart, ToolResultPart } from "../../canonical/chat.ts";

type Block = CallToolResult["content"][number];

/** The most one tool result gives the model: UTF-8 bytes of text, plus the base64 size of its images. */
export const MAX_TOOL_RESULT_BYTES = 256 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

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
  const content = parts.every((part) => part.type === "text") ? capText(parts.map((part) => (part as TextPart).text).join("\n")) : capParts(parts);
  return { type: "tool-result", toolCallId, content, ...(result.isError ? { isError: true } : {}) };
}

/** A tool call that could not be made (its server failed): the model is told, so it can answer without it. */
export function toolFailureOf(toolCallId: string, message: string): ToolResultPart {
  return { type: "tool-result", toolCallId, content: `The tool could not be called: ${message}`, isError: true };
}

/** The note that ends a cut result, so the model knows it read only part of it. */
const cutNote = (cut: number) => `\n[${cut} more bytes of this tool result were cut: the gateway gives a model at most ${MAX_TOOL_RESULT_BYTES} bytes of one result]`;

/** `text` within the bound, cut on a character boundary, with the note when anything was cut. */
function capText(text: string): string {
  const bytes = encoder.encode(text);
  if (bytes.length <= MAX_TOOL_RESULT_BYTES) return text;
  const kept = prefixOf(bytes, MAX_TOOL_RESULT_BYTES);
  return decoder.decode(kept) + cutNote(bytes.length - kept.length);
}

/** The longest prefix of at most `limit` bytes that does not split a UTF-8 character. */
function prefixOf(bytes: Uint8Array, limit: number): Uint8Array {
  let end = Math.min(limit, bytes.length);
  // A continuation byte (10xxxxxx) at the cut means a character straddles it: keep none of that character.
  while (end > 0 && end < bytes.length && ((bytes[end] as number) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

/** Mixed parts within the bound, in order: text cut where the bound falls, images that do not fit named instead; the note when anything was cut. */
function capParts(parts: (TextPart | ImagePart)[]): (TextPart | ImagePart)[] {
  let left = MAX_TOOL_RESULT_BYTES;
  let cut = 0;
  const kept: (TextPart | ImagePart)[] = [];
  for (const part of parts) {
    if (part.type === "image") {
      const size = part.source.kind === "base64" ? part.source.data.length : 0;
      if (size <= left) {
        kept.push(part);
        left -= size;
      } else {
        kept.push({ type: "text", text: `[image (${part.source.kind === "base64" ? part.source.mediaType : "image"}), ${size} bytes of base64, left out: over the size limit]` });
        cut += size;
      }
      continue;
    }
    const bytes = encoder.encode(part.text);
    const prefix = prefixOf(bytes, left);
    if (prefix.length > 0) kept.push(prefix.length === bytes.length ? part : { type: "text", text: decoder.decode(prefix) });
    left -= prefix.length;
    cut += bytes.length - prefix.length;
  }
  if (cut > 0) kept.push({ type: "text", text: cutNote(cut).trimStart() });
  return kept;
}
