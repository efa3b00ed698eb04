/** The mock's models: what each does is the contract README documents. */
export const MOCK_MODELS = [
  { id: "mock/echo", does: "answers `Echo: <last user message>`, streamed one word per chunk" },
  { id: "mock/tool-call", does: "calls the first tool offered, arguments filled from its JSON schema" },
  { id: "mock/slow", does: "like mock/echo, with 250 ms before each chunk" },
  { id: "mock/fail-mid-stream", does: "streams two words, then the upstream connection breaks" },
  { id: "mock/error-429", does: "fails with 429 and Retry-After: 1 (any mock/error-<4xx|5xx> works)" },
  { id: "mock/error-500", does: "fails with 500" },
  { id: "mock/embed", does: "deterministic embeddings (any mock model embeds), honours `dimensions`" },
] as const;

/** Milliseconds between chunks for `mock/slow`. */
export const SLOW_CHUNK_MS = 250;

/**
 * The most tokens a mock answer has: longer answers stop there with finish_reason `length` (and
 * `max_tokens` / `max_completion_tokens` below it are honoured), as a real model's would. It
 * bounds what a strict budget reserves for a mock call.
 */
export const MOCK_MAX_OUTPUT_TOKENS = 100;

/**
 * The mock's nominal price, so budgets, spend and the cost header can be tried without an
 * account: $1 per 1,000 tokens (input, cached input and output alike), in dollars per million
 * tokens as a deployment's `price`. Round numbers, not a real price.
 */
export const MOCK_PRICE = { input: 1000, output: 1000, max_output_tokens: MOCK_MAX_OUTPUT_TOKENS };
