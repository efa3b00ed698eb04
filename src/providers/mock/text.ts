/** The mock's tokenizer: one token per whitespace-separated word. Deterministic, so usage is exact in tests. */
export function countTokens(text: string): number {
  const words = text.match(/\S+/g);
  return words ? words.length : 0;
}

/** Flattens OpenAI message content (string or parts) to its text. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) => (part && typeof part === "object" && typeof (part as { text?: unknown }).text === "string" ? (part as { text: string }).text : ""))
    .filter(Boolean)
    .join(" ");
}

/** The mock's prompt token count: every message's text plus each offered tool's name. */
export function promptTokens(body: { messages?: unknown; tools?: unknown }): number {
  let total = 0;
  if (Array.isArray(body.messages)) for (const message of body.messages) total += countTokens(contentText((message as { content?: unknown })?.content));
  if (Array.isArray(body.tools)) total += body.tools.length;
  return total;
}

/** Splits a reply into the chunks the mock streams: one word (with its leading space) each. */
export function chunkWords(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}
