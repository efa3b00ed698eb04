import type { MediaSource } from "../../canonical/chat.ts";
import { GatewayError } from "../../canonical/errors.ts";
import { fromDataUri } from "../openai/data-uri.ts";
import type { GeminiPart } from "./wire.ts";

/** Media types by file extension, for URLs (Gemini's `fileData` wants one; the gateway never fetches the URL). */
const BY_EXTENSION: Readonly<Record<string, string>> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  gif: "image/gif",
  heic: "image/heic",
  heif: "image/heif",
  pdf: "application/pdf",
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  html: "text/html",
  mp3: "audio/mp3",
  wav: "audio/wav",
  ogg: "audio/ogg",
  flac: "audio/flac",
  mp4: "video/mp4",
  mov: "video/mov",
  webm: "video/webm",
};

/** The media type a URL's file extension names (query and fragment ignored); undefined when it names none. */
export function mediaTypeFromUrl(url: string): string | undefined {
  const path = url.split(/[?#]/, 1)[0] ?? "";
  const dot = path.lastIndexOf(".");
  if (dot === -1 || dot < path.lastIndexOf("/")) return undefined;
  return BY_EXTENSION[path.slice(dot + 1).toLowerCase()];
}

/**
 * An image or document as a Gemini part: inline bytes as `inlineData`, a base64 `data:` URI
 * unpacked into `inlineData`, any other URL (https, gs://, a Files API URI, YouTube) as `fileData`
 * with the media type its extension names, else `fallback` (image/jpeg for images, as Google's own
 * SDKs assume; application/pdf for documents).
 */
export function toGeminiMediaPart(source: MediaSource, fallback: string, param: string): GeminiPart {
  if (source.kind === "base64") return { inlineData: { mimeType: source.mediaType, data: source.data } };
  if (source.url.startsWith("data:")) {
    const inline = fromDataUri(source.url);
    if (!inline) throw new GatewayError("caller.invalid_request", `${param}: a data: URI must be base64 ('data:<media type>;base64,<data>').`, { param });
    return { inlineData: { mimeType: inline.mediaType, data: inline.data } };
  }
  return { fileData: { mimeType: mediaTypeFromUrl(source.url) ?? fallback, fileUri: source.url } };
}
