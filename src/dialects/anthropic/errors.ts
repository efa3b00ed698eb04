import type { GatewayError } from "../../canonical/errors.ts";

/** Anthropic's error body. */
export interface AnthropicErrorBody {
  type: "error";
  error: { type: string; message: string };
}

/** Anthropic's `error.type` for an HTTP status (its documented table; other 4xx are `invalid_request_error`, as Anthropic does). */
export function toAnthropicErrorType(status: number): string {
  switch (status) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 503:
    case 529:
      return "overloaded_error";
    case 504:
      return "timeout_error";
  }
  return status >= 500 ? "api_error" : "invalid_request_error";
}

/**
 * The status an Anthropic client sees. An overloaded upstream is 529, Anthropic's own status for
 * it (Claude Code and the SDKs recognise it); our other 503s (a draining gateway) stay 503.
 */
export function toAnthropicStatus(error: GatewayError): number {
  return error.code === "provider.overloaded" ? 529 : error.status;
}

/** Anthropic's error body for a gateway error (LiteLLM's own types, such as `key_model_access_denied`, kept). */
export function toAnthropicErrorBody(error: GatewayError): AnthropicErrorBody {
  const type = error.keepType ? error.type : toAnthropicErrorType(toAnthropicStatus(error));
  return { type: "error", error: { type, message: error.message } };
}

/**
 * A complete Anthropic-shape error response, with Retry-After and passthrough headers. The retry
 * advice also goes out as `x-should-retry`, the header the official SDKs obey before their own
 * status rules: `stop` -> false, `retry-same` -> true; `try-next` leaves the SDK's default.
 */
export function toAnthropicErrorResponse(error: GatewayError, extraHeaders: Record<string, string> = {}): Response {
  const headers: Record<string, string> = { "content-type": "application/json", ...error.details.headers, ...extraHeaders };
  if (error.details.retryAfter !== undefined) headers["retry-after"] = String(error.details.retryAfter);
  if (error.retry === "stop") headers["x-should-retry"] = "false";
  else if (error.retry === "retry-same") headers["x-should-retry"] = "true";
  return new Response(JSON.stringify(toAnthropicErrorBody(error)), { status: toAnthropicStatus(error), headers });
}
