/** Prices per token in integer nano-dollars (see units.ts), with the model's token limits. */
export interface ModelPrice {
  /** Uncached input (prompt) tokens. */
  input: number;
  /** Output tokens; includes reasoning tokens unless `reasoning` is set. */
  output: number;
  /** Input tokens read from the provider's prompt cache. Equals `input` where there is no discount. */
  cacheRead: number;
  /** Input tokens written to the prompt cache (Anthropic: the 5-minute TTL). Equals `input` where writes cost nothing extra. */
  cacheWrite: number;
  /** Anthropic 1-hour TTL cache writes, when the caller reports them apart. */
  cacheWrite1h?: number;
  /** Reasoning tokens, only for models that price them apart from output. */
  reasoning?: number;
  /** Rates for the whole call once its input exceeds `above` tokens (Gemini 2.5 Pro, Claude 1M-context beta). */
  longContext?: LongContextPrice;
  /** Largest prompt plus output, in tokens. */
  contextWindow: number;
  /** Largest output, in tokens. */
  maxOutputTokens: number;
}

/** The tier a call is priced at when its input tokens (cached included) exceed `above`. */
export interface LongContextPrice {
  above: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  cacheWrite1h?: number;
}

/** One call's cost in integer nano-dollars; `total` is the exact sum of the other fields. */
export interface CostBreakdown {
  /** Uncached input. */
  input: number;
  cacheRead: number;
  /** 5-minute and 1-hour cache writes together. */
  cacheWrite: number;
  /** Output, reasoning included unless the model prices reasoning apart. */
  output: number;
  /** Present only when the model prices reasoning apart from output. */
  reasoning?: number;
  total: number;
}
