import { openAIWireProvider } from "../openai/index.ts";
import { MOCK_MODELS, MOCK_PRICE } from "./catalogue.ts";
import { mockChat } from "./chat.ts";
import { mockEmbeddings } from "./embeddings.ts";

const KNOWN = new Set<string>(MOCK_MODELS.map((m) => m.id));

function openAIError(status: number, message: string, type: string, code: string | null, headers: Record<string, string> = {}): Response {
  return Response.json({ error: { message, type, param: null, code } }, { status, headers });
}

/**
 * The mock upstream: receives the exact OpenAI-wire request a real upstream would and answers in
 * OpenAI's wire format, so mock calls run the same pipeline (rewriting, SSE relay, usage, errors).
 */
async function mockTransport(url: string, init: RequestInit): Promise<Response> {
  const request = new Request(url, init);
  const body = (await request.json()) as { model?: unknown };
  // Upstream model ids arrive without the provider prefix (`echo`); the catalogue speaks `mock/echo`.
  const given = typeof body.model === "string" ? body.model : "";
  const model = given === "" || given.startsWith("mock/") ? given : `mock/${given}`;
  body.model = model;
  const failure = /^mock\/error-(\d{3})$/.exec(model);
  if (failure) {
    const status = Number(failure[1]);
    if (status === 429) return openAIError(429, "Rate limit reached for mock/error-429 (simulated).", "requests", "rate_limit_exceeded", { "retry-after": "1", "x-ratelimit-remaining-requests": "0" });
    return openAIError(status, `Simulated upstream failure with status ${status}.`, status >= 500 ? "server_error" : "invalid_request_error", null);
  }
  const path = new URL(request.url).pathname;
  if (path.endsWith("/embeddings")) return mockEmbeddings(body as Parameters<typeof mockEmbeddings>[0]);
  if (!KNOWN.has(model)) {
    return openAIError(404, `The mock provider has no model '${model}'. Available: ${[...KNOWN].join(", ")}.`, "invalid_request_error", "model_not_found");
  }
  return mockChat(body as Parameters<typeof mockChat>[0], request.signal);
}

/** The built-in mock provider: `mock/<model>`, no key, no network. */
export const mock = openAIWireProvider({
  id: "mock",
  label: "Mock provider",
  defaultApiBase: "http://mock.invalid/v1",
  requiresApiKey: false,
  transport: mockTransport,
  price: MOCK_PRICE,
});
