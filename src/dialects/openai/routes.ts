import { handleChat } from "../../calls/chat-entry.ts";
import { handleEmbeddings } from "../../calls/embeddings.ts";
import { callInput, type CallDeps } from "../../calls/scope.ts";
import { openAIRuntime } from "./runtime.ts";
import { listModels, retrieveModel } from "./models.ts";
import { ChatCompletionRequestSchema, ChatCompletionSchema, EmbeddingRequestSchema, EmbeddingResponseSchema, ModelListSchema } from "./schema.ts";
import type { RouteSpec } from "../../server/route-spec.ts";
import { decodePathParam } from "../../server/url.ts";
import { AzureQuerySchema, deploymentBody, deploymentCallInput } from "./azure.ts";

const STREAMS = "Server-sent events of chat.completion.chunk objects, ending in `data: [DONE]`.";

/**
 * The OpenAI dialect's routes, each also served without the `/v1` prefix as OpenAI-compatible
 * servers do, and chat and embeddings also on Azure OpenAI's deployment paths (azure.ts).
 */
export function openAIRoutes(deps: CallDeps, startedAt: number): RouteSpec[] {
  const created = Math.floor(startedAt / 1000);
  return [
    {
      method: "POST",
      paths: ["/v1/chat/completions", "/chat/completions"],
      summary: "Create a chat completion (OpenAI format), optionally streamed",
      body: ChatCompletionRequestSchema,
      response: ChatCompletionSchema,
      streams: STREAMS,
      handle: (input) => handleChat(deps, openAIRuntime, callInput(input)),
    },
    {
      method: "POST",
      paths: ["/openai/deployments/:deployment/chat/completions"],
      summary: "Create a chat completion (Azure OpenAI wire: the deployment names the model), optionally streamed",
      body: deploymentBody(ChatCompletionRequestSchema),
      query: AzureQuerySchema,
      response: ChatCompletionSchema,
      streams: STREAMS,
      handle: (input) => handleChat(deps, openAIRuntime, deploymentCallInput(input)),
    },
    {
      method: "POST",
      paths: ["/v1/embeddings", "/embeddings"],
      summary: "Create embeddings (OpenAI format)",
      body: EmbeddingRequestSchema,
      response: EmbeddingResponseSchema,
      handle: (input) => handleEmbeddings(deps, callInput(input)),
    },
    {
      method: "POST",
      paths: ["/openai/deployments/:deployment/embeddings"],
      summary: "Create embeddings (Azure OpenAI wire: the deployment names the model)",
      body: deploymentBody(EmbeddingRequestSchema),
      query: AzureQuerySchema,
      response: EmbeddingResponseSchema,
      handle: (input) => handleEmbeddings(deps, deploymentCallInput(input)),
    },
    {
      method: "GET",
      paths: ["/v1/models", "/models"],
      summary: "List the models this gateway serves",
      response: ModelListSchema,
      handle: ({ caller }) => listModels(deps.models, created, caller),
    },
    {
      method: "GET",
      // The id's `/` may come escaped (the OpenAI SDK) or not (curl, older SDKs).
      paths: ["/v1/models/:model*", "/models/:model*"],
      summary: "Retrieve one model",
      response: ModelListSchema.properties.data.items,
      handle: ({ params, caller }) => retrieveModel(deps.models, decodePathParam(params.model ?? ""), created, caller),
    },
  ];
}
