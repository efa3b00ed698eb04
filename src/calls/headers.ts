import { passthroughHeaders } from "../providers/openai/errors.ts";

/** Gateway headers on every proxied answer (success or failure). */
export function gatewayHeaders(callId: string, deploymentId: string | undefined, overheadMs: number | undefined, upstream?: Headers): Record<string, string> {
  const headers: Record<string, string> = upstream ? passthroughHeaders(upstream) : {};
  headers["x-switchboard-call-id"] = callId;
  if (deploymentId) headers["x-switchboard-model-id"] = deploymentId;
  if (overheadMs !== undefined) headers["x-switchboard-overhead-duration-ms"] = overheadMs.toFixed(2);
  return headers;
}
