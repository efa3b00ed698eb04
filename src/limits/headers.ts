/** Rate-limit response headers, named and formatted like OpenAI's so existing clients understand them. */

import type { Headroom, Refusal } from "./types.ts";

/** A duration in whole seconds the way OpenAI writes resets (Go duration style): "0s", "12s", "1m0s", "1h2m3s". */
export function formatResetSeconds(seconds: number): string {
  const total = Math.max(0, Math.ceil(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = total % 60;
  if (hours > 0) return `${hours}h${minutes}m${rest}s`;
  if (minutes > 0) return `${minutes}m${rest}s`;
  return `${rest}s`;
}

/** `x-ratelimit-*` headers for the fields present in `h`. */
export function headroomHeaders(h: Headroom): Record<string, string> {
  const headers: Record<string, string> = {};
  if (h.limitRequests !== undefined) headers["x-ratelimit-limit-requests"] = String(h.limitRequests);
  if (h.remainingRequests !== undefined) headers["x-ratelimit-remaining-requests"] = String(h.remainingRequests);
  if (h.limitTokens !== undefined) headers["x-ratelimit-limit-tokens"] = String(h.limitTokens);
  if (h.remainingTokens !== undefined) headers["x-ratelimit-remaining-tokens"] = String(h.remainingTokens);
  if (h.resetRequestsSeconds !== undefined) headers["x-ratelimit-reset-requests"] = formatResetSeconds(h.resetRequestsSeconds);
  if (h.resetTokensSeconds !== undefined) headers["x-ratelimit-reset-tokens"] = formatResetSeconds(h.resetTokensSeconds);
  return headers;
}

/** The `retry-after` header (whole seconds, at least 1) for a refused request. */
export function retryAfterHeaders(r: Refusal): Record<string, string> {
  return { "retry-after": String(Math.max(1, Math.ceil(r.retryAfterSeconds))) };
}
