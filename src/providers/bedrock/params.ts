import { GatewayError } from "../../canonical/errors.ts";
import type { PassthroughOptions } from "../types.ts";

/**
 * A parameter Bedrock cannot take: returns (the caller then leaves it out) when the config says
 * `drop_params: true`, otherwise fails with a 400 that names it and says what to do.
 */
export function refuseBedrockParam(options: PassthroughOptions, param: string, why: string): void {
  if (options.dropParams) return;
  throw new GatewayError("caller.invalid_request", `Bedrock ${why}. Remove '${param}', or set drop_params: true to have the gateway drop it.`, { param });
}

/**
 * Top-level Converse fields an `extra` parameter (or `providerOptions.bedrock`) may carry as is.
 * `additionalModelRequestFields` is merged with the gateway's own (the gateway's keys win).
 */
const FORWARDED = new Set(["guardrailConfig", "additionalModelResponseFieldPaths", "requestMetadata", "performanceConfig", "promptVariables", "serviceTier", "additionalModelRequestFields"]);

/** OpenAI parameters whose value here is OpenAI's own default: sending nothing means the same. */
const NO_OP_VALUES: Readonly<Record<string, unknown>> = { n: 1, presence_penalty: 0, frequency_penalty: 0, logprobs: false };

/**
 * Sorts the request's `extra` parameters and `providerOptions.bedrock`: Converse fields are
 * returned to go in the body; anything else in `extra` is dropped (drop_params) or refused by name.
 */
export function toBedrockExtras(extra: Record<string, unknown>, providerOptions: Record<string, unknown> | undefined, options: PassthroughOptions): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(extra)) {
    if (value === null || value === undefined || NO_OP_VALUES[name] === value) continue;
    if (FORWARDED.has(name)) fields[name] = value;
    else refuseBedrockParam(options, name, `does not support the parameter '${name}'`);
  }
  for (const [name, value] of Object.entries(providerOptions ?? {})) if (FORWARDED.has(name) && value !== undefined) fields[name] = value;
  return fields;
}
