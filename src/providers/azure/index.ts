import type { Provider, Target, UpstreamRequest } from "../types.ts";
import { passthroughOf } from "../passthrough-of.ts";
import { openAIWireProvider } from "../openai/index.ts";
import { azureHeaders } from "./auth.ts";
import { mapAzureError } from "./errors.ts";
import { azureUrl } from "./url.ts";

const LABEL = "Azure OpenAI";

/** The OpenAI wire as Azure hosts it: OpenAI's translators, Azure's URL (deployment, api-version) and credential. */
// Azure's own rows fall back to OpenAI's (and the other vendors Azure hosts) in the price data itself.
const base = openAIWireProvider({ id: "azure", label: LABEL, apiKeyEnv: ["AZURE_API_KEY", "AZURE_OPENAI_API_KEY"], apiBaseEnv: ["AZURE_API_BASE", "AZURE_OPENAI_ENDPOINT"], priceSources: ["azure"] });

/** An OpenAI-built request readdressed to Azure; the body (whose `model` is the deployment name) is unchanged. */
const toAzure = (upstream: UpstreamRequest, target: Target, operation: "chat" | "embeddings", stream: boolean): UpstreamRequest => ({
  ...upstream,
  url: azureUrl(target, operation),
  // Replaced, not merged: OpenAI's headers would send the key as a bearer token.
  headers: azureHeaders(target, stream),
});

export const azure: Provider = {
  ...base,
  configure(target, settings, env) {
    const version = settings.api_version ?? env.AZURE_API_VERSION ?? env.OPENAI_API_VERSION;
    if (version) target.apiVersion = version;
    return undefined;
  },
  chat: {
    ...base.chat,
    buildRequest(request, target, options) {
      const built = base.chat.buildRequest(request, target, options);
      return { ...built, upstream: toAzure(built.upstream, target, "chat", request.stream === true) };
    },
  },
  buildPassthrough(operation, input, target, options) {
    const built = passthroughOf(base, operation, input, target, options);
    return toAzure(built, target, operation === "embeddings" ? "embeddings" : "chat", input.stream);
  },
  mapError: (status, body, headers) => mapAzureError(LABEL, status, body, headers),
};
