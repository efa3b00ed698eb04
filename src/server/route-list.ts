/**
 * `GET /routes`: the server's routes as LiteLLM lists its own, `{"routes": [{path, methods, name}]}`
 * (`name` is what the route does). Public like `/openapi.json`: it says what the server serves,
 * never who may call it with what.
 */
import type { RouteSpec } from "./route-spec.ts";

export interface ListedRoute {
  path: string;
  methods: string[];
  name: string;
}

/** A route the app registers outside the route table (probes, metrics, documents). */
export interface FixedRoute {
  method: string;
  path: string;
  name: string;
}

/** The list, table routes first; `:name` parameters written `{name}` as in the OpenAPI document. */
export function routeList(routes: readonly RouteSpec[], fixed: readonly FixedRoute[]): { routes: ListedRoute[] } {
  const listed: ListedRoute[] = [];
  for (const route of routes) {
    for (const path of route.paths) listed.push({ path: path.replace(/:([A-Za-z_]+)\*?/g, "{$1}"), methods: [route.method], name: route.summary });
  }
  for (const route of fixed) listed.push({ path: route.path, methods: [route.method], name: route.name });
  return { routes: listed };
}
