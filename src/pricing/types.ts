/** Per-token rates in integer pico-dollars (see units.ts). */
export interface Rates {
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
}

/** The rates a whole call is priced at once its input tokens (cached included) exceed `above`. */
export interface PriceTier extends Rates {
  above: number;
}

/** One model's price: pico-dollars per token, an optional per-call fee, and what is known of its limits. */
export interface ModelPrice extends Rates {
  /** Long-context tiers, `above` ascending (Gemini 2.5 Pro, Claude past 200k input tokens). */
  tiers?: readonly PriceTier[];
  /** A fee per call, in pico-dollars (Perplexity's request fee). */
  request?: number;
  /** Largest prompt plus output, in tokens, when known. */
  contextWindow?: number;
  /** Largest output, in tokens, when known (a deployment's `max_output_tokens`; the price data has none). */
  maxOutputTokens?: number;
  /** Where the price came from, for `config check` and messages: `genai-prices openai/gpt-4o`, `deployment price`… */
  source: string;
}

/** One call's cost in integer nano-dollars: each part rounded up on its own, `total` rounded up once from the exact sum. */
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
  /** Present only when the model has a per-call fee. */
  request?: number;
  total: number;
}
