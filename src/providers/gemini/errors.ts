import { isRecord } from "../../json/is-record.ts";
import { GatewayError, type ErrorCode } from "../../canonical/errors.ts";
import type { SseEvent } from "../../streams/sse-parser.ts";
import { parseRetryAfter, passthroughHeaders } from "../openai/errors.ts";
import { redactUpstreamText } from "../redact.ts";

/** Google's canonical `error.status` names and the HTTP status each comes with (for errors without one). */
const STATUS_BY_NAME: Readonly<Record<string, number>> = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  OUT_OF_RANGE: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ABORTED: 409,
  ALREADY_EXISTS: 409,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  INTERNAL: 500,
  UNKNOWN: 500,
  DATA_LOSS: 500,
  NOT_IMPLEMENTED: 501,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
};

/** `ErrorInfo.reason`s that mean the key is wrong (Google answers them with 400 INVALID_ARGUMENT). */
const BAD_KEY = new Set(["API_KEY_INVALID", "API_KEY_EXPIRED"]);
/** `ErrorInfo.reason`s that mean the key or project may not use the API. */
const DENIED = new Set(["API_KEY_SERVICE_BLOCKED", "API_KEY_HTTP_REFERRER_BLOCKED", "API_KEY_IP_ADDRESS_BLOCKED", "SERVICE_DISABLED", "CONSUMER_SUSPENDED", "BILLING_DISABLED"]);

const CONTEXT_LENGTH = /input token count.*exceeds the maximum|exceeds the maximum number of tokens|context window/i;

interface ReadError {
  message: string;
  code?: number;
  status?: string;
  reason?: string;
  /** Seconds, from a `google.rpc.RetryInfo` detail (`"retryDelay": "34.4s"`). */
  retryDelay?: number;
}

/** Pulls message, status name, ErrorInfo reason and RetryInfo delay out of a Google error body (bare or in an array). */
function readError(body: string): ReadError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    // Not JSON (a proxy's HTML page, a plain-text 413): the text is the message.
    return { message: body.trim() };
  }
  const wrapper = Array.isArray(parsed) ? parsed[0] : parsed;
  const error = isRecord(wrapper) ? wrapper.error : undefined;
  if (!isRecord(error)) return { message: body.trim() };
  const out: ReadError = { message: typeof error.message === "string" ? error.message : JSON.stringify(error) };
  if (typeof error.code === "number") out.code = error.code;
  if (typeof error.status === "string") out.status = error.status;
  for (const detail of Array.isArray(error.details) ? error.details : []) {
    if (!isRecord(detail)) continue;
    if (typeof detail.reason === "string" && out.reason === undefined) out.reason = detail.reason;
    const delay = typeof detail.retryDelay === "string" ? /^(\d+(?:\.\d+)?)s$/.exec(detail.retryDelay) : null;
    if (delay) out.retryDelay = Math.ceil(Number(delay[1]));
  }
  return out;
}

function codeFor(status: number, error: ReadError): ErrorCode {
  if (error.reason && BAD_KEY.has(error.reason)) return "provider.unauthenticated";
  if (error.reason && DENIED.has(error.reason)) return "provider.forbidden";
  if (status === 401) return "provider.unauthenticated";
  // FAILED_PRECONDITION: "User location is not supported", free tier unavailable: this key cannot be served here.
  if (status === 403 || error.status === "FAILED_PRECONDITION") return "provider.forbidden";
  if (status === 404) return "provider.not_found";
  if (status === 408 || status === 504) return "provider.timeout";
  if (status === 413) return "provider.body_too_large";
  if (status === 429) return "provider.rate_limited";
  if (status === 503) return "provider.overloaded";
  if (status >= 500) return "provider.server_error";
  return CONTEXT_LENGTH.test(error.message) ? "provider.context_length_exceeded" : "provider.bad_request";
}

/** The status the client sees: Google's own, except a bad key (400 on the wire) is 401 and a refused location 403. */
function statusFor(status: number, code: ErrorCode): number {
  if (code === "provider.unauthenticated") return 401;
  if (code === "provider.forbidden") return 403;
  return status >= 400 && status <= 599 ? status : 502;
}

function toGatewayError(label: string, status: number, error: ReadError, what: string, headers?: Headers): GatewayError {
  const code = codeFor(status, error);
  const safe = redactUpstreamText(error.message || `HTTP ${status}`);
  const retryAfter = (headers && parseRetryAfter(headers)) ?? error.retryDelay;
  return new GatewayError(code, `${label} ${what}${error.status ? ` (${error.status})` : ""}: ${safe}`, {
    status: statusFor(status, code),
    ...(retryAfter !== undefined ? { retryAfter } : {}),
    ...(headers ? { headers: passthroughHeaders(headers) } : {}),
    provider: label,
  });
}

/**
 * Maps a non-2xx Gemini answer (`{"error":{"code","message","status","details"}}`) to a GatewayError
 * naming the provider, with retry advice and `retry-after` from the header or Google's RetryInfo.
 * An invalid key arrives as 400 with reason API_KEY_INVALID and is reported as 401.
 */
export function mapGeminiError(label: string, status: number, body: string, headers: Headers): GatewayError {
  return toGatewayError(label, status, readError(body), `returned ${status}`, headers);
}

/**
 * Maps an error a stream carried in a `data:` event, or a 200 body that holds one (no HTTP status to
 * go on: Google's numeric `code`, else its status name).
 */
export function mapGeminiStreamError(label: string, data: string, what = "sent an error mid-stream"): GatewayError {
  const error = readError(data);
  const status = error.code !== undefined && error.code >= 400 && error.code <= 599 ? error.code : (error.status && STATUS_BY_NAME[error.status]) || 500;
  return toGatewayError(label, status, error, what, undefined);
}

/** The error a stream event carries, if it is one (`{"error":{...}}` instead of a response chunk). */
export function geminiStreamError(label: string, event: SseEvent): GatewayError | undefined {
  if (!event.data.includes('"error"')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(event.data);
  } catch {
    return undefined;
  }
  const payload = Array.isArray(parsed) ? parsed[0] : parsed;
  return isRecord(payload) && isRecord(payload.error) ? mapGeminiStreamError(label, event.data) : undefined;
}
