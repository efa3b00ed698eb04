import type { CacheControl, DocumentPart, ImagePart, MediaSource, ToolCallPart, ToolResultPart } from "../../canonical/chat.ts";
import { GatewayError } from "../../canonical/errors.ts";
import { toolArgumentsObject } from "../tool-arguments.ts";
import { echo } from "../../canonical/echo.ts";
import { EMPTY_TEXT_PLACEHOLDER, isBlankText } from "../anthropic/empty-text.ts";
import type { ConverseCachePoint, ConverseDocumentBlock, ConverseImageBlock, ConverseMediaSource, ConverseToolResultBlock, ConverseToolResultContent, ConverseToolUseBlock } from "./wire.ts";

/** A 400 naming the message at fault. */
export const invalidMessage = (index: number, message: string) => new GatewayError("caller.invalid_request", `messages[${index}]: ${message}`, { param: `messages[${index}]` });

/** Converse's cache breakpoint for a canonical cache marker; only `5m` and `1h` are TTLs Bedrock takes. */
export function toCachePoint(cache: CacheControl): ConverseCachePoint {
  return cache.ttl === "5m" || cache.ttl === "1h" ? { cachePoint: { type: "default", ttl: cache.ttl } } : { cachePoint: { type: "default" } };
}

const IMAGE_FORMATS: Readonly<Record<string, string>> = { "image/png": "png", "image/jpeg": "jpeg", "image/jpg": "jpeg", "image/gif": "gif", "image/webp": "webp" };

const DOCUMENT_FORMATS: Readonly<Record<string, string>> = {
  "application/pdf": "pdf",
  "text/plain": "txt",
  "text/csv": "csv",
  "text/html": "html",
  "text/markdown": "md",
  "application/msword": "doc",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "application/vnd.ms-excel": "xls",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
};

const DATA_URI = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s;

/**
 * Where media bytes come from. Bedrock never fetches URLs: a base64 `data:` URI is sent inline and
 * an `s3://` URI as an S3 location; an http(s) URL is refused (400) whatever drop_params says,
 * because dropping the image would silently change the question.
 */
function toSource(source: MediaSource, index: number, what: "image" | "document"): { mediaType?: string; source: ConverseMediaSource } {
  if (source.kind === "base64") return { mediaType: source.mediaType.toLowerCase(), source: { bytes: source.data } };
  if (source.url.startsWith("s3://")) return { source: { s3Location: { uri: source.url } } };
  const match = DATA_URI.exec(source.url);
  if (match) return { mediaType: (match[1] as string).toLowerCase(), source: { bytes: match[2] as string } };
  if (source.url.startsWith("data:")) throw invalidMessage(index, `the ${what}'s data: URI must be base64 ('data:<media type>;base64,<data>').`);
  throw invalidMessage(index, `Bedrock cannot fetch ${what} URLs; send the ${what} inline as a base64 data: URI, or as an s3:// URI the deployment's role can read.`);
}

/** The format Converse names a media type by, from the media type or (for S3) the file extension. */
function formatOf(mediaType: string | undefined, url: string | undefined, formats: Readonly<Record<string, string>>): string | undefined {
  if (mediaType !== undefined) return Object.hasOwn(formats, mediaType) ? formats[mediaType] : undefined;
  const extension = url?.split(/[?#]/)[0]?.split(".").pop()?.toLowerCase();
  if (extension === undefined) return undefined;
  return Object.values(formats).find((format) => format === extension) ?? (extension === "jpg" ? "jpeg" : undefined);
}

const urlOf = (source: MediaSource): string | undefined => (source.kind === "url" ? source.url : undefined);

/** An image part as a Converse image block. */
export function toImageBlock(part: ImagePart, index: number): ConverseImageBlock {
  const { mediaType, source } = toSource(part.source, index, "image");
  const format = formatOf(mediaType, urlOf(part.source), IMAGE_FORMATS);
  if (!format) throw invalidMessage(index, `Bedrock accepts png, jpeg, gif and webp images, not '${echo(mediaType ?? urlOf(part.source) ?? "")}'.`);
  return { image: { format, source } };
}

/**
 * Converse document names may hold only letters, digits, single spaces, hyphens, parentheses
 * and square brackets; anything else becomes a space. Untitled documents are numbered.
 */
function documentName(title: string | undefined, ordinal: number): string {
  const cleaned = (title ?? "").replace(/[^A-Za-z0-9\s\-()[\]]/g, " ").replace(/\s+/g, " ").trim();
  return cleaned === "" ? `document ${ordinal}` : cleaned;
}

/** A document part as a Converse document block; `ordinal` numbers untitled documents. */
export function toDocumentBlock(part: DocumentPart, index: number, ordinal: number): ConverseDocumentBlock {
  const { mediaType, source } = toSource(part.source, index, "document");
  const format = formatOf(mediaType, urlOf(part.source), DOCUMENT_FORMATS);
  if (!format) throw invalidMessage(index, `Bedrock accepts pdf, csv, doc, docx, xls, xlsx, html, txt and md documents, not '${echo(mediaType ?? urlOf(part.source) ?? "")}'.`);
  return { document: { format, name: documentName(part.title, ordinal), source } };
}

/** Tool-call arguments are JSON text; Converse wants the object. Empty text means no arguments. */
export function toToolUseBlock(part: ToolCallPart, index: number, toolName: (name: string) => string): ConverseToolUseBlock {
  const input = toolArgumentsObject(part, (message) => invalidMessage(index, message));
  return { toolUse: { toolUseId: part.id, name: toolName(part.name), input } };
}

/**
 * A tool result. Blank text inside it is removed (Converse rejects blank text); a result left
 * with nothing carries the empty-text placeholder, since Converse requires result content.
 * Canonical results are text and images, so `json` content is never produced.
 */
export function toToolResultBlock(part: ToolResultPart, index: number): ConverseToolResultBlock {
  const content: ConverseToolResultContent[] = [];
  if (typeof part.content === "string") {
    if (!isBlankText(part.content)) content.push({ text: part.content });
  } else {
    for (const item of part.content) {
      if (item.type === "image") content.push(toImageBlock(item, index));
      else if (!isBlankText(item.text)) content.push({ text: item.text });
    }
  }
  if (content.length === 0) content.push({ text: EMPTY_TEXT_PLACEHOLDER });
  const block: ConverseToolResultBlock = { toolResult: { toolUseId: part.toolCallId, content } };
  if (part.isError) block.toolResult.status = "error";
  return block;
}
