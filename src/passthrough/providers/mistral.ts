import { toOpenAIErrorResponse } from "../../dialects/openai/errors.ts";
import { findProvider } from "../../providers/registry.ts";
import type { Provider } from "../../providers/types.ts";
import type { PassthroughProvider } from "../types.ts";
import { bearer, credentialsOf, withoutSuffix } from "./common.ts";
import { openAIWireCall } from "./openai.ts";

/** Mistral's API at `/mistral/*` (its SDK with `serverURL: <gateway>/mistral`): OpenAI's wire, and FIM, OCR, agents, files. */
export const mistralPassthrough: PassthroughProvider = {
  id: "mistral",
  label: "Mistral",
  credentials: credentialsOf(findProvider("mistral") as Provider),
  rootOf: (base) => withoutSuffix(base, ["/v1"]),
  credentialHeaders: bearer,
  // Agents name an agent, not a model: their calls are not the gateway's to price.
  classify: (request) => openAIWireCall(request.path.startsWith("v1/") ? request.path.slice("v1/".length) : "", request),
  renderError: toOpenAIErrorResponse,
};
