import type { RouteSpec } from "./route-spec.ts";
import { ErrorResponseSchema } from "../dialects/openai/schema.ts";

/** Builds the OpenAPI 3.1 document from the same route table and TypeBox schemas that validate requests. */
export function openApiDocument(routes: readonly RouteSpec[], version: string): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    for (const path of route.paths) {
      const openApiPath = path.replace(/:([A-Za-z_]+)/g, "{$1}");
      const params = [...path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
      const content: Record<string, unknown> = { "application/json": { schema: route.response } };
      if (route.streams) content["text/event-stream"] = { schema: { type: "string", description: route.streams } };
      const errorResponse = { description: "Error", content: { "application/json": { schema: route.errorSchema ?? ErrorResponseSchema } } };
      (paths[openApiPath] ??= {})[route.method.toLowerCase()] = {
        summary: route.summary,
        ...(params.length > 0 ? { parameters: params } : {}),
        ...(route.body ? { requestBody: { required: true, content: { "application/json": { schema: route.body } } } } : {}),
        responses: { "200": { description: "OK", content }, "4XX": errorResponse, "5XX": errorResponse },
        security: [{ bearer: [] }, { apiKey: [] }],
      };
    }
  }
  paths["/health/liveliness"] = { get: { summary: "Process is up", responses: { "200": { description: "OK" } } } };
  paths["/health/readiness"] = { get: { summary: "Ready to serve (503 while draining)", responses: { "200": { description: "OK" }, "503": { description: "Draining" } } } };
  return {
    openapi: "3.1.0",
    info: { title: "Switchboard", version, description: "OpenAI-compatible LLM gateway." },
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" }, apiKey: { type: "apiKey", in: "header", name: "x-api-key" } } },
    paths,
  };
}
