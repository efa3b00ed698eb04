import { GatewayError, type ErrorCode } from "../../canonical/errors.ts";
import { parseRetryAfter, passthroughHeaders } from "../openai/errors.ts";
import { redactUpstreamText } from "../redact.ts";

/**
 * Bedrock errors: a JSON body `{"message": ...}` (some AWS front ends write `Message`, or
 * `__type`) with the exception's name in the `x-amzn-errortype` header
 * (`ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/`). Stream exceptions
 * arrive as event-stream `exception` messages named in camelCase (`throttlingException`), decoded
 * by streams/aws-eventstream.ts into `{"type", "message", ...}`.
 */

/** Exception names (lower case, `Exception` dropped) -> gateway code. */
const CODE_BY_TYPE: Readonly<Record<string, ErrorCode>> = {
  validation: "provider.bad_request",
  accessdenied: "provider.forbidden",
  resourcenotfound: "provider.not_found",
  throttling: "provider.rate_limited",
  servicequotaexceeded: "provider.rate_limited",
  serviceunavailable: "provider.overloaded",
  modelnotready: "provider.overloaded",
  modeltimeout: "provider.timeout",
  internalserver: "provider.server_error",
  modelerror: "provider.server_error",
  modelstreamerror: "provider.server_error",
  unrecognizedclient: "provider.unauthenticated",
  invalidsignature: "provider.unauthenticated",
  incompletesignature: "provider.unauthenticated",
  missingauthenticationtoken: "provider.unauthenticated",
  expiredtoken: "provider.unauthenticated",
  signaturedoesnotmatch: "provider.unauthenticated",
};

/** The HTTP status AWS documents for each exception (used for in-stream exceptions, which have none). */
const STATUS_BY_CODE: Readonly<Partial<Record<ErrorCode, number>>> = {
  "provider.bad_request": 400,
  "provider.context_length_exceeded": 400,
  // AWS answers bad credentials with 403 like a denied permission; clients tell the two apart by 401.
  "provider.unauthenticated": 401,
  "provider.forbidden": 403,
  "provider.not_found": 404,
  "provider.rate_limited": 429,
  "provider.overloaded": 503,
  "provider.timeout": 504,
  "provider.server_error": 500,
};

// Claude's "prompt is too long", Bedrock's "Input is too long for requested model", and kin.
const CONTEXT_LENGTH = /input is too long|prompt is too long|too many (input )?tokens|context (window|length)|exceed(s|ed)? context limit|maximum context|input tokens? exceeds?/i;

/** `ValidationException:http://…`, `com.amazon.coral#ThrottlingException`, `throttlingException` -> `throttling`. */
export function normaliseExceptionType(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const name = raw.split(":")[0]?.split("#").pop()?.trim() ?? "";
  return name === "" ? undefined : name.toLowerCase().replace(/exception$/, "");
}

function readError(body: string): { type?: string; message: string } {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    if (parsed && typeof parsed === "object") {
      const message = typeof parsed.message === "string" ? parsed.message : typeof parsed.Message === "string" ? parsed.Message : JSON.stringify(parsed);
      const type = typeof parsed.type === "string" ? parsed.type : typeof parsed.__type === "string" ? parsed.__type : undefined;
      return type === undefined ? { message } : { type, message };
    }
  } catch {
    // Not JSON (a load balancer's page): the text is the message.
  }
  return { message: body.trim() };
}

function codeFor(type: string | undefined, status: number | undefined, message: string): ErrorCode {
  const known = type !== undefined && Object.hasOwn(CODE_BY_TYPE, type) ? CODE_BY_TYPE[type] : undefined;
  const code: ErrorCode =
    known ??
    (status === 401 ? "provider.unauthenticated"
    : status === 403 ? "provider.forbidden"
    : status === 404 ? "provider.not_found"
    : status === 408 ? "provider.timeout"
    : status === 413 ? "provider.body_too_large"
    : status === 429 ? "provider.rate_limited"
    : status === 503 ? "provider.overloaded"
    : status !== undefined && status >= 500 ? "provider.server_error"
    : "provider.bad_request");
  return code === "provider.bad_request" && CONTEXT_LENGTH.test(message) ? "provider.context_length_exceeded" : code;
}

/** The status the client sees: the upstream's, except 424 (a failed model dependency, unknown to clients) -> 502. */
const statusFor = (status: number): number => (status === 424 ? 502 : status >= 400 && status <= 599 ? status : 502);

/** Headers worth handing on: retry hints, rate-limit and request ids (AWS's `x-amzn-requestid` included). */
function bedrockPassthroughHeaders(headers: Headers): Record<string, string> {
  const out = passthroughHeaders(headers);
  const requestId = headers.get("x-amzn-requestid");
  if (requestId) out["x-amzn-requestid"] = requestId;
  return out;
}

/**
 * Maps a non-2xx Bedrock answer to a GatewayError that names the provider and the AWS exception,
 * with retry advice and `retry-after` passed on. Context-window validation errors get the code
 * the router's context-window fallbacks look for.
 */
export function mapBedrockError(label: string, status: number, body: string, headers: Headers): GatewayError {
  const read = readError(body);
  const rawType = headers.get("x-amzn-errortype") ?? read.type;
  const type = normaliseExceptionType(rawType);
  const shown = rawType?.split(":")[0]?.split("#").pop();
  const safe = redactUpstreamText(read.message || `HTTP ${status}`);
  const retryAfter = parseRetryAfter(headers);
  const code = codeFor(type, status, read.message);
  return new GatewayError(code, `${label} returned ${status}${shown ? ` (${shown})` : ""}: ${safe}`, {
    // Bad credentials are a 401 to clients, though AWS sends them as 403 (see STATUS_BY_CODE).
    status: code === "provider.unauthenticated" ? 401 : statusFor(status),
    ...(retryAfter !== undefined ? { retryAfter } : {}),
    headers: bedrockPassthroughHeaders(headers),
    provider: label,
  });
}

/** Maps an in-stream exception (the decoder's `exception` event data: `{"type","message",...}`) to a GatewayError. */
export function mapBedrockStreamException(label: string, data: string): GatewayError {
  const read = readError(data);
  const type = normaliseExceptionType(read.type);
  // An exception this table does not know is the service's fault until shown otherwise.
  const code = codeFor(type, type !== undefined && Object.hasOwn(CODE_BY_TYPE, type) ? undefined : 500, read.message);
  const status = STATUS_BY_CODE[code] ?? 500;
  const safe = redactUpstreamText(read.message || "no message");
  return new GatewayError(code, `${label} sent an error mid-stream${read.type ? ` (${read.type})` : ""}: ${safe}`, { status, provider: label });
}
