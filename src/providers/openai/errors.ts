import { GatewayError, type ErrorCode } from "../../canonical/errors.ts";
import { redactUpstreamText } from "../redact.ts";

interface OpenAIErrorBody {
  error?: { message?: unknown; type?: unknown; code?: unknown; param?: unknown } | string;
  message?: unknown;
  detail?: unknown;
}

/** Pulls the human message out of the many error shapes OpenAI-compatible servers return. */
function readError(body: string): { message: string; code?: string; param?: string } {
  let parsed: OpenAIErrorBody | undefined;
  try {
    parsed = JSON.parse(body) as OpenAIErrorBody;
  } catch {
    return { message: body.trim() };
  }
  const error = parsed?.error;
  if (typeof error === "string") return { message: error };
  if (error && typeof error === "object") {
    const out: { message: string; code?: string; param?: string } = {
      message: typeof error.message === "string" ? error.message : JSON.stringify(error),
    };
    if (typeof error.code === "string") out.code = error.code;
    if (typeof error.param === "string") out.param = error.param;
    return out;
  }
  if (typeof parsed?.message === "string") return { message: parsed.message };
  if (parsed?.detail !== undefined) return { message: typeof parsed.detail === "string" ? parsed.detail : JSON.stringify(parsed.detail) };
  return { message: body.trim() };
}

const CONTEXT_LENGTH = /context[_ ]length|maximum context|context window|too many tokens|prompt is too long/i;
const CONTENT_FILTER = /content[_ ]filter|content management policy|safety system/i;

/** Parses a `Retry-After` header (seconds or HTTP date) into whole seconds. */
export function parseRetryAfter(headers: Headers): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Math.ceil(Number(ms) / 1000));
  const value = headers.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

// Request ids let a user quote the upstream's own id to its support; retry hints drive client back-off.
const PASSED_THROUGH = new Set(["retry-after", "retry-after-ms", "request-id", "x-request-id"]);

/** Upstream headers worth handing to the client. */
export function passthroughHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name.startsWith("x-ratelimit-") || name.startsWith("anthropic-ratelimit-") || PASSED_THROUGH.has(name)) out[name] = value;
  });
  return out;
}

function codeFor(status: number, message: string, upstreamCode: string | undefined): ErrorCode {
  if (status === 400 || status === 422) {
    if (upstreamCode === "context_length_exceeded" || CONTEXT_LENGTH.test(message)) return "provider.context_length_exceeded";
    if (upstreamCode === "content_filter" || upstreamCode === "content_policy_violation" || CONTENT_FILTER.test(message)) {
      return "provider.content_filtered";
    }
    return "provider.bad_request";
  }
  if (status === 401) return "provider.unauthenticated";
  if (status === 403) return "provider.forbidden";
  if (status === 404) return "provider.not_found";
  if (status === 408) return "provider.timeout";
  if (status === 413) return "provider.body_too_large";
  if (status === 429) return "provider.rate_limited";
  if (status === 503 || status === 529) return "provider.overloaded";
  if (status >= 500) return "provider.server_error";
  return "provider.bad_request";
}

/**
 * The error's status: the upstream's own (an Anthropic-style 529 included, so records and /metrics
 * show it; OpenAI-format clients get 503 from their dialect), 502 for a non-error code.
 */
function statusFor(status: number): number {
  return status >= 400 && status <= 599 ? status : 502;
}

/** Maps an OpenAI-wire error answer to a GatewayError that names the provider. */
export function mapOpenAIError(label: string, status: number, body: string, headers: Headers): GatewayError {
  const { message, code, param } = readError(body);
  const safe = redactUpstreamText(message || `HTTP ${status}`);
  const retryAfter = parseRetryAfter(headers);
  return new GatewayError(codeFor(status, message, code), `${label} returned ${status}: ${safe}`, {
    status: statusFor(status),
    ...(param ? { param } : {}),
    ...(retryAfter !== undefined ? { retryAfter } : {}),
    headers: passthroughHeaders(headers),
    provider: label,
  });
}
