import { GatewayError } from "../../canonical/errors.ts";
import type { PassthroughOptions } from "../types.ts";

/**
 * A parameter Anthropic cannot take: returns (the caller then leaves it out) when the config says
 * `drop_params: true`, otherwise fails with a 400 that names it and says what to do.
 */
export function refuseParam(options: PassthroughOptions, param: string, why: string): void {
  if (options.dropParams) return;
  throw new GatewayError("caller.invalid_request", `Anthropic ${why}. Remove '${param}', or set drop_params: true to have the gateway drop it.`, { param });
}

/** Top-level Messages API fields an `extra` parameter may carry to Anthropic as is. */
const FORWARDED = new Set(["container", "mcp_servers", "context_management", "inference_geo", "cache_control", "speed"]);

/** Anthropic's `service_tier` values (OpenAI's `default`/`flex`/`priority` mean other things). */
const SERVICE_TIERS = new Set(["auto", "standard_only"]);

/** OpenAI parameters whose value here is OpenAI's own default: sending nothing means the same. */
const NO_OP_VALUES: Readonly<Record<string, unknown>> = { n: 1, presence_penalty: 0, frequency_penalty: 0, logprobs: false };

/**
 * Sorts the request's `extra` parameters: the ones Anthropic knows are returned to go in the body;
 * the rest are dropped (with drop_params) or refused by name. `metadata` may carry only `user_id`,
 * the one key Anthropic's metadata has.
 */
export function toAnthropicExtras(extra: Record<string, unknown>, options: PassthroughOptions): { fields: Record<string, unknown>; userId?: string } {
  const fields: Record<string, unknown> = {};
  let userId: string | undefined;
  for (const [name, value] of Object.entries(extra)) {
    if (value === null || value === undefined || NO_OP_VALUES[name] === value) continue;
    if (FORWARDED.has(name)) fields[name] = value;
    else if (name === "service_tier") {
      if (typeof value === "string" && SERVICE_TIERS.has(value)) fields[name] = value;
      else refuseParam(options, name, `takes service_tier 'auto' or 'standard_only', not ${JSON.stringify(value)}`);
    } else if (name === "metadata" && value && typeof value === "object" && !Array.isArray(value)) {
      for (const [key, item] of Object.entries(value)) {
        if (key === "user_id" && typeof item === "string") userId = item;
        else refuseParam(options, `metadata.${key}`, "accepts only 'user_id' in metadata");
      }
    } else refuseParam(options, name, `does not support the parameter '${name}'`);
  }
  return userId === undefined ? { fields } : { fields, userId };
}
