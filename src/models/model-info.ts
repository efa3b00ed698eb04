/**
 * One deployment as LiteLLM's `/model/info` shows it: `model_name`, `litellm_params` (never a
 * secret: no api_key, no credential header, no password or query string in api_base) and
 * `model_info` with LiteLLM's names for the id, the prices per token and the token limits.
 */
import type { Deployment } from "../router/models.ts";
import type { StoredModel } from "../store/types.ts";
import { PICO_PER_NANO, NANO_PER_USD } from "../pricing/units.ts";
import { withoutSecrets, type Dict } from "./litellm-model.ts";

const PICO_PER_USD = NANO_PER_USD * PICO_PER_NANO;

/** An api_base as shown: without user info, query or fragment (where keys sometimes ride). */
export function shownApiBase(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    // A reference (os.environ/NAME) or something the loader refused: shown as written.
    return value;
  }
}

/** LiteLLM's litellm_params of a config-file deployment, from what Switchboard built of it. */
function derivedParams(d: Deployment): Dict {
  // The built-in mock's upstream ids already carry its prefix (mock/echo).
  const model = d.target.model.startsWith(`${d.provider.id}/`) ? d.target.model : `${d.provider.id}/${d.target.model}`;
  const params: Dict = { model, api_base: shownApiBase(d.target.apiBase), timeout: d.timeoutMs / 1000 };
  if (d.firstByteMs !== undefined) params.stream_timeout = d.firstByteMs / 1000;
  if (d.rpm !== undefined) params.rpm = d.rpm;
  if (d.tpm !== undefined) params.tpm = d.tpm;
  if (d.weight !== 1) params.weight = d.weight;
  if (d.order !== 0) params.order = d.order;
  if (d.tags) params.tags = [...d.tags];
  if (d.region) params.region_name = d.region;
  return params;
}

/** Stored litellm_params as answered: no secret field, no credentials in api_base. */
export function shownParams(params: Dict): Dict {
  const shown = withoutSecrets(params);
  for (const field of ["api_base", "base_url"]) if (field in shown) shown[field] = shownApiBase(shown[field]);
  return shown;
}

const perToken = (pico: number | undefined) => (pico === undefined ? null : pico / PICO_PER_USD);

/** The `/model/info` entry of a deployment; `stored` when it was added at run time. */
export function modelInfoEntry(d: Deployment, stored?: StoredModel): { model_name: string; litellm_params: Dict; model_info: Dict } {
  const params = stored ? shownParams(stored.litellmParams) : derivedParams(d);
  const wildcard = d.target.model.includes("*");
  const price = wildcard ? undefined : d.priceOf(d.target.model);
  const info: Dict = {
    ...(stored?.modelInfo ?? {}),
    id: d.id,
    db_model: stored !== undefined,
    key: d.target.model,
    litellm_provider: d.provider.id,
    mode: typeof stored?.modelInfo.mode === "string" ? stored.modelInfo.mode : null,
    max_tokens: price?.maxOutputTokens ?? null,
    max_input_tokens: price?.contextWindow ?? null,
    max_output_tokens: price?.maxOutputTokens ?? null,
    input_cost_per_token: perToken(price?.input),
    output_cost_per_token: perToken(price?.output),
    cache_read_input_token_cost: perToken(price?.cacheRead),
    cache_creation_input_token_cost: perToken(price?.cacheWrite),
    output_cost_per_reasoning_token: perToken(price?.reasoning),
  };
  return { model_name: d.modelName, litellm_params: params, model_info: info };
}
