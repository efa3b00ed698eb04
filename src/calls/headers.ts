import { passthroughHeaders } from "../providers/openai/errors.ts";
import { admissionHeaders, type CallScope } from "./scope.ts";

/**
 * Gateway headers on every proxied answer (success or failure). The caller's own rate-limit
 * headroom, when its key has limits, replaces the upstream's `x-ratelimit-*` of the same name:
 * a virtual key's client is limited by its key, not by the provider account behind it.
 */
export function gatewayHeaders(scope: CallScope, deploymentId: string | undefined, overheadMs: number | undefined, upstream?: Headers): Record<string, string> {
  const headers: Record<string, string> = upstream ? passthroughHeaders(upstream) : {};
  Object.assign(headers, admissionHeaders(scope));
  headers["x-switchboard-call-id"] = scope.callId;
  if (deploymentId) headers["x-switchboard-model-id"] = deploymentId;
  const routed = scope.routed;
  if (routed) {
    headers["x-switchboard-attempts"] = String(routed.attempts);
    if (routed.fallbackFrom !== undefined) headers["x-switchboard-fallback"] = routed.model;
  }
  if (overheadMs !== undefined) headers["x-switchboard-overhead-duration-ms"] = overheadMs.toFixed(2);
  return headers;
}
