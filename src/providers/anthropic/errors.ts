import { GatewayError, type ErrorCode } from "../../canonical/errors.ts";
import { parseRetryAfter, passthroughHeaders } from "../openai/errors.ts";
import { redactUpstreamText } from "../redact.ts";
import type { AnthropicErrorBody } from "./wire.ts";

/** Anthropic's `error.type` values and the HTTP status each comes with (used for in-stream errors, which have none). */
const STATUS_BY_TYPE: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

const CONTEXT_LENGTH = /prompt is too long|exceed context limit|context window|context length/i;

function readError(body: string): { type?: string; message: string } {
  try {
    const parsed = JSON.parse(body) as AnthropicErrorBody;
    const error = parsed?.error;
    if (error && typeof error === "object") {
      const message = typeof error.message === "string" ? error.message : JSON.stringify(error);
      return typeof error.type === "string" ? { type: error.type, message } : { message };
    }
  } catch {
    // Not JSON (a proxy's HTML page, a plain-text 413): the text is the message.
  }
  return { message: body.trim() };
}

function codeFor(status: number, type: string | undefined, message: string): ErrorCode {
  if (type === "overloaded_error" || status === 529 || status === 503) return "provider.overloaded";
  if (type === "rate_limit_error" || status === 429) return "provider.rate_limited";
  if (type === "request_too_large" || status === 413) return "provider.body_too_large";
  if (type === "timeout_error" || status === 408 || status === 504) return "provider.timeout";
  if (type === "authentication_error" || status === 401) return "provider.unauthenticated";
  if (type === "permission_error" || type === "billing_error" || status === 402 || status === 403) return "provider.forbidden";
  if (type === "not_found_error" || status === 404) return "provider.not_found";
  if (status >= 500 || type === "api_error") return "provider.server_error";
  return CONTEXT_LENGTH.test(message) ? "provider.context_length_exceeded" : "provider.bad_request";
}

/**
 * The error's status: Anthropic's own (529 for overloaded included, so records and /metrics show it;
 * OpenAI-format clients, who do not know 529, get 503 from their dialect), 502 for a non-error code.
 */
const statusFor = (status: number): number => (status >= 400 && status <= 599 ? status : 502);

/**
 * Maps a non-2xx Anthropic answer (`{"type":"error","error":{"type","message"}}`) to a GatewayError
 * that names the provider, with retry advice, `retry-after` and the rate-limit headers passed on.
 */
export function mapAnthropicError(label: string, status: number, body: string, headers: Headers): GatewayError {
  const { type, message } = readError(body);
  const safe = redactUpstreamText(message || `HTTP ${status}`);
  const retryAfter = parseRetryAfter(headers);
  return new GatewayError(codeFor(status, type, message), `${label} returned ${status}${type ? ` (${type})` : ""}: ${safe}`, {
    status: statusFor(status),
    ...(retryAfter !== undefined ? { retryAfter } : {}),
    headers: passthroughHeaders(headers),
    provider: label,
  });
}

/** Maps an in-stream `error` event (same body shape, no HTTP status) to a GatewayError. */
export function mapAnthropicStreamError(label: string, data: string): GatewayError {
  const { type, message } = readError(data);
  const status = (type && STATUS_BY_TYPE[type]) || 500;
  const safe = redactUpstreamText(message || "no message");
  return new GatewayError(codeFor(status, type, message), `${label} sent an error mid-stream${type ? ` (${type})` : ""}: ${safe}`, { status: statusFor(status), provider: label });
}
