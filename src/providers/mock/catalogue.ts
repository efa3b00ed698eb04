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
