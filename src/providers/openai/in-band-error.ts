import { GatewayError } from "../../canonical/errors.ts";
import { redactUpstreamText } from "../redact.ts";
import { mapOpenAIError } from "./errors.ts";

/** Error `type`/`code` strings OpenAI-compatible servers use, as the HTTP status they stand for. */
const STATUS_BY_KIND: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  context_length_exceeded: 400,
  content_filter: 400,
  authentication_error: 401,
  invalid_api_key: 401,
  permission_error: 403,
  not_found_error: 404,
  model_not_found: 404,
  rate_limit_error: 429,
  rate_limit_exceeded: 429,
  insufficient_quota: 429,
  tokens: 429,
  requests: 429,
  overloaded_error: 503,
  server_overloaded: 503,
};

/**
 * An error an OpenAI-wire upstream sent inside a 200 answer (a stream's `{"error":{...}}` chunk, or
 * a buffered body). There is no HTTP status to go on, so one is inferred from the error's numeric
 * `code` (OpenRouter) or its `type`/`code` name, then mapped as errors.ts maps a real status.
 */
export function mapOpenAIInBandError(label: string, payload: Record<string, unknown>): GatewayError {
  const raw = payload.error;
  const error = raw && typeof raw === "object" ? (raw as Record<string, unknown>) : {};
  const { code, type } = error;
  let status = 500;
  if (typeof code === "number" && code >= 400 && code <= 599) status = code;
  else if (typeof code === "string" && STATUS_BY_KIND[code]) status = STATUS_BY_KIND[code];
  else if (typeof type === "string" && STATUS_BY_KIND[type]) status = STATUS_BY_KIND[type];
  const mapped = mapOpenAIError(label, status, JSON.stringify(payload), new Headers());
  const text = typeof raw === "string" ? raw : typeof error.message === "string" ? error.message : JSON.stringify(raw ?? payload);
  return new GatewayError(mapped.code, `${label} reported an error: ${redactUpstreamText(text)}`, mapped.details);
}
