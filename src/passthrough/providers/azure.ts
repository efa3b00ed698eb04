import { toOpenAIErrorResponse } from "../../dialects/openai/errors.ts";
import { azureAuthHeaders } from "../../providers/azure/auth.ts";
import { azure } from "../../providers/azure/index.ts";
import type { PassthroughProvider } from "../types.ts";
import { bodyCall, credentialsOf, withoutSuffix } from "./common.ts";
import { openAIWireCall } from "./openai.ts";

// Azure matches its paths without regard to case.
const DEPLOYMENT = /^openai\/deployments\/([^/]+)\/(.+)$/i;

/**
 * Azure OpenAI at `/azure/*` (the OpenAI SDK's AzureOpenAI with `endpoint: <gateway>/azure`):
 * `openai/deployments/{deployment}/…` names the model in the path (the deployment, as Azure
 * deployments of the gateway name their upstream model), `openai/v1/…` in the body. The credential
 * goes as Azure deployments send it (`api-key`, or an Entra token as a bearer).
 */
export const azurePassthrough: PassthroughProvider = {
  id: "azure",
  label: "Azure OpenAI",
  credentials: credentialsOf(azure),
  rootOf: (base) => withoutSuffix(base, ["/openai/v1", "/openai"]),
  credentialHeaders: ({ target }) => azureAuthHeaders(target),
  // The dated API needs its version; a client that sends none gets the deployment's.
  upstreamQuery(query, upstream, path) {
    if (path.startsWith("openai/deployments/") && !query.has("api-version") && upstream.target.apiVersion) query.set("api-version", upstream.target.apiVersion);
  },
  classify(request) {
    const match = DEPLOYMENT.exec(request.path);
    if (match) {
      const shape = openAIWireCall((match[2] as string).toLowerCase(), request);
      return { ...shape, pathModel: match[1] as string };
    }
    if (/^openai\/v1\//i.test(request.path)) return openAIWireCall(request.path.slice("openai/v1/".length).toLowerCase(), request);
    // The dated API's calls outside a deployment (`openai/responses`, `openai/batches`, assistants' threads) name their model in the body, if at all.
    if (/^openai\//i.test(request.path)) return openAIWireCall(request.path.slice("openai/".length).toLowerCase(), request);
    return bodyCall("other", request.fields);
  },
  renderError: toOpenAIErrorResponse,
};
