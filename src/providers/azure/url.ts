import { GatewayError } from "../../canonical/errors.ts";
import { modelIdSegment } from "../model-id.ts";
import type { Target } from "../types.ts";

/**
 * Which of Azure's URL shapes a deployment uses:
 * - `deployments`: `{endpoint}/openai/deployments/{deployment}/chat/completions?api-version=...` (dated versions)
 * - `v1`: `{endpoint}/openai/v1/chat/completions` (the v1 API; the deployment goes in the body's `model`)
 * - `foundry`: `{endpoint}/models/chat/completions?api-version=...` (Azure AI Foundry model inference; body `model`)
 */
export type AzureUrlStyle = "deployments" | "v1" | "foundry";

/** The latest GA dated version of the Azure OpenAI data-plane inference API (REST reference, "Latest GA release"). */
export const AZURE_DEFAULT_API_VERSION = "2024-10-21";
/** The Azure AI Model Inference API version Foundry's `/models` endpoint docs and portal samples use. */
export const AZURE_FOUNDRY_API_VERSION = "2024-05-01-preview";
/** `api_version` values that select the v1 API; only `preview` is sent on (as `?api-version=preview`). */
const V1_VERSIONS: ReadonlySet<string> = new Set(["v1", "latest", "preview"]);

const PATHS = { chat: "chat/completions", embeddings: "embeddings" } as const;

/** A resolved URL choice: the style, and the parts the URL is made of (handy in logs and tests). */
export interface AzureEndpoint {
  style: AzureUrlStyle;
  url: string;
}

function badBase(apiBase: string): GatewayError {
  return new GatewayError(
    "gateway.internal",
    `The Azure deployment's api_base "${apiBase.slice(0, 120)}" is not a URL; use the resource endpoint, e.g. https://my-resource.openai.azure.com.`,
    { provider: "Azure OpenAI" },
  );
}

/** The URL with every query parameter the deployment asked for (api-version first). */
function withQuery(url: string, version: string | undefined, query: URLSearchParams): string {
  const params = new URLSearchParams();
  if (version !== undefined) params.set("api-version", version);
  query.forEach((value, name) => params.append(name, value));
  const text = params.toString();
  return text === "" ? url : `${url}?${text}`;
}

/**
 * Decides the URL style and builds the URL. From the apiBase (trailing slashes ignored; given with
 * or without `/openai`) and apiVersion, first match wins:
 * 1. path ends with `/models` (`https://{name}.services.ai.azure.com/models`) -> `foundry`,
 *    api-version default {@link AZURE_FOUNDRY_API_VERSION};
 * 2. path ends with `/openai/deployments/{name}` -> `deployments` with the URL's deployment (not `model`);
 * 3. path ends with `/openai/v1`, or apiVersion is `v1` / `latest` / `preview` -> `v1`; no api-version
 *    unless one other than `v1`/`latest` is configured;
 * 4. otherwise -> `deployments` with deployment = `target.model`, api-version default
 *    {@link AZURE_DEFAULT_API_VERSION}.
 * An `api-version` in the apiBase's query counts as configured; `target.apiVersion` wins over it.
 */
export function azureEndpoint(target: Target, operation: "chat" | "embeddings"): AzureEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(target.apiBase.trim());
  } catch {
    throw badBase(target.apiBase);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw badBase(target.apiBase);
  const query = new URLSearchParams(parsed.search);
  const version = target.apiVersion?.trim() || query.get("api-version") || undefined;
  query.delete("api-version");
  const path = parsed.pathname.replace(/\/+$/, "");
  const base = `${parsed.origin}${path}`;
  const op = PATHS[operation];

  if (/\/models$/i.test(path)) return { style: "foundry", url: withQuery(`${base}/${op}`, version ?? AZURE_FOUNDRY_API_VERSION, query) };
  if (/\/openai\/deployments\/[^/]+$/i.test(path)) {
    return { style: "deployments", url: withQuery(`${base}/${op}`, version ?? AZURE_DEFAULT_API_VERSION, query) };
  }
  const root = base.replace(/\/openai(\/v1)?$/i, "");
  if (/\/openai\/v1$/i.test(path) || (version !== undefined && V1_VERSIONS.has(version.toLowerCase()))) {
    const sent = version === undefined || version.toLowerCase() === "v1" || version.toLowerCase() === "latest" ? undefined : version;
    return { style: "v1", url: withQuery(`${root}/openai/v1/${op}`, sent, query) };
  }
  // The name may come from the request (`azure/*`): one encoded segment ('/' too, as OpenAI's SDK encodes it), or a 400.
  const deployment = modelIdSegment(target.model.trim(), "Azure OpenAI", { slash: true });
  return { style: "deployments", url: withQuery(`${root}/openai/deployments/${deployment}/${op}`, version ?? AZURE_DEFAULT_API_VERSION, query) };
}

/** The upstream URL for an Azure call (see {@link azureEndpoint} for how the style is chosen). */
export function azureUrl(target: Target, operation: "chat" | "embeddings"): string {
  return azureEndpoint(target, operation).url;
}
