/**
 * What a failed attempt means for the router: whether another try can succeed, which fallback
 * list applies, and whether it says anything about the deployment's health.
 */

import type { ErrorCode, GatewayError } from "../canonical/errors.ts";

/** Codes that describe a transient upstream state, whatever status they carry. */
const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "provider.rate_limited",
  "provider.overloaded",
  "provider.server_error",
  "provider.timeout",
  "provider.unreachable",
  "provider.bad_response",
]);

/** Codes that are about the request itself: the same request fails the same way anywhere, whatever the status. */
const REQUEST_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "provider.body_too_large",
  "provider.context_length_exceeded",
  "provider.content_filtered",
]);

/** Codes that mean this deployment is misconfigured (key, permission, model name): another group may work. */
const MISCONFIGURED_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(["provider.unauthenticated", "provider.forbidden", "provider.not_found"]);

/** Statuses below 500 that still mean "try again": timeout, conflict, rate limit, Anthropic's overloaded. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 409, 429, 529]);

/** Whether the error comes from us or the caller rather than an upstream. */
function ours(error: GatewayError): boolean {
  return error.code.startsWith("caller.") || error.code.startsWith("policy.") || error.code.startsWith("gateway.");
}

/** Whether another attempt (same or another deployment) can succeed where this one failed. */
export function isRetryable(error: GatewayError): boolean {
  // Our own refusals (limits, budgets, draining, bad input) answer the same on every deployment.
  if (ours(error)) return false;
  if (RETRYABLE_CODES.has(error.code)) return true;
  if (REQUEST_CODES.has(error.code)) return false;
  // Generic codes (bad_request, not_found, ...) carry the upstream's own status: an upstream 409 or
  // 5xx mapped to a catch-all code is still transient.
  return RETRYABLE_STATUSES.has(error.status) || error.status >= 500;
}

/** Which fallback list a failure selects once a group's retries are spent. */
export type FailureKind = "context_window" | "content_policy" | "general" | "final";

/** Classifies a failure for fallbacks: context and content errors have their own lists; `final` means no fallback can help. */
export function failureKind(error: GatewayError): FailureKind {
  if (error.code === "provider.context_length_exceeded") return "context_window";
  if (error.code === "provider.content_filtered") return "content_policy";
  return countsAsFailure(error) ? "general" : "final";
}

/** Whether the failure says the deployment is unhealthy (feeds cooldowns), as opposed to the caller's request being at fault. */
export function countsAsFailure(error: GatewayError): boolean {
  return isRetryable(error) || MISCONFIGURED_CODES.has(error.code);
}
