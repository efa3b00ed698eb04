import { toOpenAIErrorResponse } from "../../dialects/openai/errors.ts";
import { findProvider } from "../../providers/registry.ts";
import type { Provider } from "../../providers/types.ts";
import type { PassthroughProvider } from "../types.ts";
import { bearer, credentialsOf, withoutSuffix } from "./common.ts";
import { openAIWireCall } from "./openai.ts";

/** Mistral's endpoints that run an agent's model, or a batch's, unnamed in the body. */
const RUNS_UNNAMED = /^v1\/(?:agents\/completions|conversations(?:\/.*)?|batch\/jobs)$/;

/** Whether a body `model` is not what such a call runs: an agent's call, or a turn of an existing conversation, runs the agent's or the conversation's. */
const runsOther = (path: string, fields: Record<string, unknown> | undefined) => path === "v1/agents/completions" || path.startsWith("v1/conversations/") || fields?.agent_id !== undefined;

/** Mistral's API at `/mistral/*` (its SDK with `serverURL: <gateway>/mistral`): OpenAI's wire, and FIM, OCR, agents, files. */
export const mistralPassthrough: PassthroughProvider = {
  id: "mistral",
  label: "Mistral",
  credentials: credentialsOf(findProvider("mistral") as Provider),
  rootOf: (base) => withoutSuffix(base, ["/v1"]),
  credentialHeaders: bearer,
  // Agents name an agent, not a model: the gateway can neither price their calls nor check the model they run.
  classify(request) {
    // Mistral's streams end with usage unasked (it takes no stream_options).
    const { usageNotAsked: _, ...shape } = openAIWireCall(request.path.startsWith("v1/") ? request.path.slice("v1/".length) : "", request);
    if (request.method !== "POST" || !RUNS_UNNAMED.test(request.path)) return shape;
    if (runsOther(request.path, request.fields)) return { kind: "other", stream: shape.stream, runsUnnamedModel: true };
    return { ...shape, runsUnnamedModel: true };
  },
  renderError: toOpenAIErrorResponse,
};
