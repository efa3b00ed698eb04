import { handleChatCall } from "../../calls/chat.ts";
import { handleEmbeddings } from "../../calls/embeddings.ts";
import type { CallDeps } from "../../calls/scope.ts";
import { openAIRuntime } from "./runtime.ts";
import { listModels, retrieveModel } from "./models.ts";
import { ChatCompletionRequestSchema, ChatCompletionSchema, EmbeddingRequestSchema, EmbeddingResponseSchema, ModelListSchema } from "./schema.ts";
import type { RouteSpec } from "../../server/route-spec.ts";

/** The OpenAI dialect's routes, each also served without the `/v1` prefix as OpenAI-compatible servers do. */
export function openAIRoutes(deps: CallDeps, startedAt: number): RouteSpec[] {
  const created = Math.floor(startedAt / 1000);
  return [
    {
      method: "POST",
      paths: ["/v1/chat/completions", "/chat/completions"],
      summary: "Create a chat completion (OpenAI format), optionally streamed",
      body: ChatCompletionRequestSchema,
      response: ChatCompletionSchema,
      streams: "Server-sent events of chat.completion.chunk objects, ending in `data: [DONE]`.",
      handle: ({ request, body, raw, server }) => handleChatCall(deps, openAIRuntime, request, body as Record<string, unknown>, raw(), server),
    },
    {
      method: "POST",
      paths: ["/v1/embeddings", "/embeddings"],
      summary: "Create embeddings (OpenAI format)",
      body: EmbeddingRequestSchema,
      response: EmbeddingResponseSchema,
      handle: ({ request, body, raw, server }) => handleEmbeddings(deps, request, body as Record<string, unknown>, raw(), server),
    },
    {
      method: "GET",
      paths: ["/v1/models", "/models"],
      summary: "List the models this gateway serves",
      response: ModelListSchema,
      handle: () => listModels(deps.models, created),
    },
    {
      method: "GET",
      paths: ["/v1/models/:model", "/models/:model"],
      summary: "Retrieve one model",
      response: ModelListSchema.properties.data.items,
      handle: ({ params }) => retrieveModel(deps.models, decodeURIComponent(params.model ?? ""), created),
    },
  ];
}
