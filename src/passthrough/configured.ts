/**
 * Pass-through endpoints from config (`pass_through_endpoints:`, LiteLLM's format): each entry is
 * a PassthroughProvider served at its own path (its subpaths too with `include_subpath`), with a
 * fixed upstream (its target, and its headers carrying the credential). Everything else is the
 * shared pass-through: path safety under the target, credential and hop-by-hop headers never
 * forwarded, redirects refused, the body as received and the answer chunk by chunk, a ledger row
 * and a CHAIN span per call (no model is read from these bodies: they are not the gateway's APIs).
 */
import { usdToNano } from "../admin/money.ts";
import { PASS_THROUGH_METHODS, type PassThroughEndpoint } from "../config/schema.ts";
import { toOpenAIErrorResponse } from "../dialects/openai/errors.ts";
import type { PassthroughProvider } from "./types.ts";

/** The client's headers that describe the body (forwarded byte for byte), and so always go with it. */
const BODY_HEADERS = ["content-type", "content-encoding"];

/** Only the headers that describe the body: LiteLLM sends the endpoint's headers alone unless `forward_headers`. */
function bodyHeaders(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of BODY_HEADERS) if (headers[name] !== undefined) kept[name] = headers[name];
  return kept;
}

/** The target without its query (the base calls go to) and its query's parameters. */
function splitTarget(target: string): { base: string; query: [string, string][] } {
  const url = new URL(target);
  const query = [...url.searchParams.entries()];
  url.search = "";
  url.hash = "";
  return { base: url.href, query };
}

/** Adds the target URL's parameters the client did not send, then the defaults neither sets (LiteLLM's order: client, target, defaults). */
function mergeQuery(params: URLSearchParams, query: readonly [string, string][], defaults: readonly [string, string][]): void {
  for (const layer of [query, defaults]) {
    const have = new Set(params.keys());
    for (const [name, value] of layer) if (!have.has(name)) params.append(name, value);
  }
}

/** The module of one configured endpoint (`index` is its place in the list, for messages). */
export function configuredPassthrough(entry: PassThroughEndpoint, index: number): PassthroughProvider {
  const { base, query } = splitTarget(entry.target);
  const defaults = Object.entries(entry.default_query_params ?? {});
  const methods = entry.methods ? [...new Set(entry.methods)] : [...PASS_THROUGH_METHODS];
  // Two endpoints may share a path with different methods: the methods then tell them apart.
  const id = entry.methods ? `${entry.path} [${methods.join(",")}]` : entry.path;
  const headers = entry.headers && Object.keys(entry.headers).length > 0 ? entry.headers : undefined;
  return {
    id,
    label: `pass-through endpoint ${entry.path}`,
    credentials: {
      apiKeyEnv: [],
      apiBaseEnv: [],
      priceSources: [],
      fixed: { base, ...(headers ? { headers } : {}), ...(entry.timeout_seconds !== undefined ? { timeoutMs: entry.timeout_seconds * 1000 } : {}) },
    },
    mount: { path: entry.path, subpaths: entry.include_subpath === true, methods, public: entry.auth === false, origin: `pass_through_endpoints[${index}]` },
    rootOf: (apiBase) => apiBase.replace(/\/+$/, ""),
    ...(entry.forward_headers === true ? {} : { clientHeaders: bodyHeaders }),
    ...(query.length + defaults.length > 0 ? { upstreamQuery: (params: URLSearchParams) => mergeQuery(params, query, defaults) } : {}),
    ...(entry.cost_per_request ? { callPriceNano: usdToNano(entry.cost_per_request, "cost_per_request") } : {}),
    credentialHeaders: () => ({}),
    classify: () => ({ kind: "other", stream: false }),
    renderError: toOpenAIErrorResponse,
  };
}

/** The modules of every configured endpoint, in config order. */
export function configuredPassthroughs(entries: readonly PassThroughEndpoint[] | undefined): PassthroughProvider[] {
  return (entries ?? []).map((entry, index) => configuredPassthrough(entry, index));
}
