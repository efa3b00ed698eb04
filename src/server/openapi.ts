import type { TSchema } from "@sinclair/typebox";
import type { RouteSpec } from "./route-spec.ts";
import { ErrorResponseSchema } from "../dialects/openai/schema.ts";

/** A route's query schema as OpenAPI `in: query` parameters (every value is a string on the wire). */
function queryParameters(query: TSchema | undefined): unknown[] {
  const properties = query?.properties as Record<string, TSchema> | undefined;
  if (!properties) return [];
  const required = new Set<string>(Array.isArray(query?.required) ? (query.required as string[]) : []);
  return Object.entries(properties).map(([name, schema]) => {
    const { description, ...rest } = schema as TSchema & { description?: string };
    return { name, in: "query", required: required.has(name), ...(description ? { description } : {}), schema: rest };
  });
}

/** Builds the OpenAPI 3.1 document from the same route table and TypeBox schemas that validate requests. */
export function openApiDocument(routes: readonly RouteSpec[], version: string): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    for (const path of route.paths) {
      const openApiPath = path.replace(/:([A-Za-z_]+)\*?/g, "{$1}");
      const params = [
        ...[...path.matchAll(/:([A-Za-z_]+)(\*?)/g)].map((m) => ({
          name: m[1],
          in: "path",
          required: true,
          ...(m[2] ? { description: "May contain '/', escaped (%2F) or not." } : {}),
          schema: { type: "string" },
        })),
        ...queryParameters(route.query),
      ];
      const content: Record<string, unknown> = { "application/json": { schema: route.response } };
      if (route.streams) content["text/event-stream"] = { schema: { type: "string", description: route.streams } };
      const errorResponse = { description: "Error", content: { "application/json": { schema: route.errorSchema ?? ErrorResponseSchema } } };
      (paths[openApiPath] ??= {})[route.method.toLowerCase()] = {
        summary: route.summary,
        ...(route.access === "public" ? { "x-switchboard-access": "public" } : route.access ? { tags: ["management"], "x-switchboard-access": route.access } : {}),
        ...(params.length > 0 ? { parameters: params } : {}),
        ...(route.body ? { requestBody: { required: route.bodyOptional !== true, content: { "application/json": { schema: route.body } } } } : {}),
        responses: { "200": { description: "OK", content }, "4XX": errorResponse, "5XX": errorResponse },
        security: route.access === "public" ? [] : route.access === "admin" || route.access === "admin-read" ? [{ masterKey: [] }] : [{ bearer: [] }, { apiKey: [] }, { azureApiKey: [] }],
      };
    }
  }
  // Served to anyone: no key is read.
  const open = { "x-switchboard-access": "public", security: [] };
  paths["/health/liveliness"] = { get: { summary: "Process is up", ...open, responses: { "200": { description: "OK" } } } };
  paths["/health/liveness"] = { get: { summary: "Process is up (Kubernetes' name)", ...open, responses: { "200": { description: "OK" } } } };
  paths["/routes"] = { get: { summary: "The server's routes, as LiteLLM lists its own: {routes: [{path, methods, name}]}", ...open, responses: { "200": { description: "OK" } } } };
  paths["/metrics"] = { get: { summary: "Prometheus metrics (text format 0.0.4)", ...open, responses: { "200": { description: "Metrics", content: { "text/plain": { schema: { type: "string" } } } } } } };
  paths["/health/readiness"] = { get: { summary: "Ready to serve (503 while draining)", ...open, responses: { "200": { description: "OK" }, "503": { description: "Draining" } } } };
  return {
    openapi: "3.1.0",
    info: { title: "Switchboard", version, description: "OpenAI-compatible LLM gateway." },
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer" },
        apiKey: { type: "apiKey", in: "header", name: "x-api-key" },
        azureApiKey: { type: "apiKey", in: "header", name: "api-key", description: "As Azure OpenAI clients send it." },
        masterKey: {
          type: "http",
          scheme: "bearer",
          description: "The master key (SWITCHBOARD_MASTER_KEY) or a key of a proxy_admin user (proxy_admin_viewer too on admin-read routes); other keys get 403. x-switchboard-access names each route's rule.",
        },
      },
    },
    paths,
  };
}
