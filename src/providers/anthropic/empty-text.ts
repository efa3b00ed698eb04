import type { AnthropicContentBlock, AnthropicMessage, AnthropicTextBlock } from "./wire.ts";

/**
 * Anthropic rejects text blocks that are empty or only whitespace ("text content blocks must
 * contain non-whitespace text"), in messages, in `system` and inside tool results. These rules
 * always apply (no flag): they change nothing a model would read.
 */

/** Sent instead of a user or assistant turn that would otherwise carry no content at all. */
export const EMPTY_TEXT_PLACEHOLDER = "(empty)";

/** Whether Anthropic would reject this text as a text block. */
export function isBlankText(text: string): boolean {
  return text.trim().length === 0;
}

const CACHEABLE = new Set(["text", "image", "document", "tool_result", "tool_use"]);

const isBlankBlock = (block: AnthropicContentBlock): boolean => block.type === "text" && isBlankText(block.text);

/**
 * Removes blank text blocks from one turn. A turn left with nothing (it held only blank text)
 * gets the placeholder in their place; a turn with anything else (tool calls, images, tool
 * results, other text) just loses the blank blocks, so tool calls with no text send only
 * their tool_use blocks. Blank text inside tool results is removed too (their content is optional).
 * A blank assistant turn at the very end is dropped instead (returns undefined): it is a prefill,
 * and the model would continue from the placeholder; prefilling nothing is the same as no prefill.
 */
export function withoutEmptyText(message: AnthropicMessage, last = false): AnthropicMessage | undefined {
  const content: AnthropicContentBlock[] = [];
  let changed = false;
  for (const block of message.content) {
    if (isBlankBlock(block)) {
      changed = true;
      // A cache breakpoint on a dropped block covers the same prefix as one on the block before it.
      const cache = (block as AnthropicTextBlock).cache_control;
      const previous = content.at(-1);
      if (cache && previous && CACHEABLE.has(previous.type) && !("cache_control" in previous)) content[content.length - 1] = { ...previous, cache_control: cache } as AnthropicContentBlock;
      continue;
    }
    if (block.type === "tool_result" && block.content !== undefined) {
      const cleaned = cleanToolResultContent(block.content);
      if (cleaned !== block.content) {
        changed = true;
        const { content: _dropped, ...rest } = block;
        content.push(cleaned === undefined ? rest : { ...rest, content: cleaned });
        continue;
      }
    }
    content.push(block);
  }
  if (content.length === 0) {
    if (last && message.role === "assistant") return undefined;
    const placeholder: AnthropicTextBlock = { type: "text", text: EMPTY_TEXT_PLACEHOLDER };
    const cache = message.content.find((block): block is AnthropicTextBlock => block.type === "text" && block.cache_control !== undefined)?.cache_control;
    return { role: message.role, content: [cache ? { ...placeholder, cache_control: cache } : placeholder] };
  }
  return changed ? { role: message.role, content } : message;
}

/** Tool-result content without blank text; undefined when nothing is left (Anthropic then takes no `content`). */
function cleanToolResultContent(content: NonNullable<Extract<AnthropicContentBlock, { type: "tool_result" }>["content"]>) {
  if (typeof content === "string") return isBlankText(content) ? undefined : content;
  if (!content.some(isBlankBlock)) return content;
  const kept = content.filter((block) => !isBlankBlock(block));
  return kept.length > 0 ? kept : undefined;
}

/** System blocks without blank ones: an empty system message is dropped, not sent. */
export function withoutEmptySystem(blocks: AnthropicTextBlock[]): AnthropicTextBlock[] {
  return blocks.some((block) => isBlankText(block.text)) ? blocks.filter((block) => !isBlankText(block.text)) : blocks;
}
