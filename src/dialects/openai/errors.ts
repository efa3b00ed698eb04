import type { GatewayError } from "../../canonical/errors.ts";

/** OpenAI's error body for a gateway error. */
export function toOpenAIErrorBody(error: GatewayError): { error: { message: string; type: string; param: string | null; code: string } } {
  return { error: { message: error.message, type: error.type, param: error.details.param ?? null, code: error.shortCode } };
}

/** A complete OpenAI-shape error response, with Retry-After and passthrough headers. */
export function toOpenAIErrorResponse(error: GatewayError, extraHeaders: Record<string, string> = {}): Response {
  const headers: Record<string, string> = { "content-type": "application/json", ...error.details.headers, ...extraHeaders };
  if (error.details.retryAfter !== undefined) headers["retry-after"] = String(error.details.retryAfter);
  return new Response(JSON.stringify(toOpenAIErrorBody(error)), { status: toOpenAIStatus(error), headers });
}

/** The status an OpenAI-format client sees: the error's, except an upstream's 529 (overloaded), which OpenAI clients do not know, as 503. */
export function toOpenAIStatus(error: GatewayError): number {
  return error.status === 529 ? 503 : error.status;
}
