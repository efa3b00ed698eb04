import { GatewayError } from "../canonical/errors.ts";
import type { CacheControl } from "../canonical/chat.ts";

/**
 * Reads an optional `cache_control` marker. Both dialects carry the same wire object (Anthropic's;
 * OpenAI-format clients send it as LiteLLM accepts it); only `ephemeral` exists.
 */
export function fromWireCacheControl(value: unknown, param: string): CacheControl | undefined {
  if (value === undefined || value === null) return undefined;
  const invalid = (field: string, what: string) => new GatewayError("caller.invalid_request", `Invalid value for '${field}': ${what}.`, { param: field });
  if (typeof value !== "object" || Array.isArray(value) || (value as { type?: unknown }).type !== "ephemeral") throw invalid(`${param}.cache_control.type`, 'expected "ephemeral"');
  const ttl = (value as { ttl?: unknown }).ttl;
  if (ttl === undefined) return { type: "ephemeral" };
  if (typeof ttl !== "string") throw invalid(`${param}.cache_control.ttl`, "expected a string");
  return { type: "ephemeral", ttl };
}
