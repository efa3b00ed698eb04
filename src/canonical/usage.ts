/**
 * Token usage, provider-neutral. `input` counts every prompt token including cache reads and
 * writes, so `input - cacheRead - cacheWrite` is the uncached part; each is priced separately.
 */
export interface Usage {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  reasoning?: number;
  audioInput?: number;
  audioOutput?: number;
}

interface OpenAIUsageWire {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number; audio_tokens?: number; cache_creation_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number; audio_tokens?: number } | null;
  /** Some OpenAI-compatible vendors (DeepSeek) report cache hits at the top level. */
  prompt_cache_hit_tokens?: number;
  cache_creation_input_tokens?: number;
}

const count = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;

/** Reads an OpenAI-wire `usage` object; returns undefined when it carries no counts. */
export function fromOpenAIUsage(raw: unknown): Usage | undefined {
  if (!raw || typeof raw !== "object") return undefined;
  const wire = raw as OpenAIUsageWire;
  const input = count(wire.prompt_tokens);
  const output = count(wire.completion_tokens);
  if (input === undefined && output === undefined) return undefined;
  const usage: Usage = { input: input ?? 0, output: output ?? 0 };
  const cacheRead = count(wire.prompt_tokens_details?.cached_tokens) ?? count(wire.prompt_cache_hit_tokens);
  const cacheWrite = count(wire.prompt_tokens_details?.cache_creation_tokens) ?? count(wire.cache_creation_input_tokens);
  const reasoning = count(wire.completion_tokens_details?.reasoning_tokens);
  const audioInput = count(wire.prompt_tokens_details?.audio_tokens);
  const audioOutput = count(wire.completion_tokens_details?.audio_tokens);
  if (cacheRead) usage.cacheRead = cacheRead;
  if (cacheWrite) usage.cacheWrite = cacheWrite;
  if (reasoning) usage.reasoning = reasoning;
  if (audioInput) usage.audioInput = audioInput;
  if (audioOutput) usage.audioOutput = audioOutput;
  return usage;
}

/** Renders usage as OpenAI's wire object. */
export function toOpenAIUsage(usage: Usage): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    prompt_tokens: usage.input,
    completion_tokens: usage.output,
    total_tokens: usage.input + usage.output,
  };
  if (usage.cacheRead !== undefined || usage.audioInput !== undefined || usage.cacheWrite !== undefined) {
    wire.prompt_tokens_details = {
      cached_tokens: usage.cacheRead ?? 0,
      ...(usage.audioInput !== undefined ? { audio_tokens: usage.audioInput } : {}),
      ...(usage.cacheWrite !== undefined ? { cache_creation_tokens: usage.cacheWrite } : {}),
    };
  }
  if (usage.reasoning !== undefined || usage.audioOutput !== undefined) {
    wire.completion_tokens_details = {
      reasoning_tokens: usage.reasoning ?? 0,
      ...(usage.audioOutput !== undefined ? { audio_tokens: usage.audioOutput } : {}),
    };
  }
  return wire;
}

interface AnthropicUsageWire {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

/**
 * Reads Anthropic's `usage`. Anthropic counts cache reads and writes apart from `input_tokens`;
 * the canonical model's `input` includes them, so each can be priced on its own.
 */
export function fromAnthropicUsage(raw: unknown): Usage | undefined {
  if (!raw || typeof raw !== "object") return undefined;
  const wire = raw as AnthropicUsageWire;
  const input = count(wire.input_tokens);
  const output = count(wire.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  const cacheRead = count(wire.cache_read_input_tokens) ?? 0;
  const cacheWrite = count(wire.cache_creation_input_tokens) ?? 0;
  const usage: Usage = { input: (input ?? 0) + cacheRead + cacheWrite, output: output ?? 0 };
  if (cacheRead) usage.cacheRead = cacheRead;
  if (cacheWrite) usage.cacheWrite = cacheWrite;
  return usage;
}
