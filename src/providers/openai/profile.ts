import type { PriceEntry } from "../../config/schema.ts";
import type { Operation, Transport } from "../types.ts";

/**
 * Everything that distinguishes one OpenAI-wire upstream from another, as data. OpenAI itself,
 * every OpenAI-compatible vendor preset and the mock are profiles; none needs code of its own.
 */
export interface OpenAIWireProfile {
  id: string;
  label: string;
  defaultApiBase?: string;
  apiKeyEnv?: readonly string[];
  apiBaseEnv?: readonly string[];
  /** Local servers (ollama, vllm, lmstudio) take no key. */
  requiresApiKey?: boolean;
  operations?: readonly Operation[];
  /** Accepts `stream_options.include_usage`; vendors that reject it still send usage on their own. */
  streamUsage?: boolean;
  /** Parameters the upstream rejects: dropped with `drop_params`, else a 400 naming them. */
  unsupportedParams?: readonly string[];
  /** Parameters the upstream knows under another name. */
  renameParams?: Readonly<Record<string, string>>;
  transport?: Transport;
  /** genai-prices provider ids whose rows price this vendor's models (none: unpriced unless a deployment sets `price`). */
  priceSources?: readonly string[];
  /** One price for every model, instead of the price data (the mock's nominal price). */
  price?: PriceEntry;
}
