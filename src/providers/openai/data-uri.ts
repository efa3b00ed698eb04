/** Renders inline bytes as a `data:` URI, the form OpenAI takes for inline images and files. */
export function toDataUri(mediaType: string, base64: string): string {
  return `data:${mediaType};base64,${base64}`;
}

const DATA_URI = /^data:([^;,]*)((?:;[^;,]*)*?);base64,(.*)$/s;

/** Splits a base64 `data:` URI into media type and data; undefined for anything else (URLs, percent-encoded data). */
export function fromDataUri(uri: string): { mediaType: string; data: string } | undefined {
  const match = DATA_URI.exec(uri);
  if (!match) return undefined;
  return { mediaType: match[1] || "application/octet-stream", data: match[3] ?? "" };
}
