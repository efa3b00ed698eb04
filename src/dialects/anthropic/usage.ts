import type { Usage } from "../../canonical/usage.ts";

/** Anthropic's usage object. */
export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/**
 * Renders canonical usage the Anthropic way: `input_tokens` is only the uncached part of the prompt
 * (the canonical model's `input` counts cache reads and writes too). Unknown usage reads as zeroes.
 */
export function toAnthropicUsage(usage: Usage | undefined): AnthropicUsage {
  const cacheRead = usage?.cacheRead ?? 0;
  const cacheWrite = usage?.cacheWrite ?? 0;
  return {
    input_tokens: Math.max(0, (usage?.input ?? 0) - cacheRead - cacheWrite),
    output_tokens: usage?.output ?? 0,
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
  };
}
