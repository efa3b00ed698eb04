import { Type } from "@sinclair/typebox";
import type { RouteSpec } from "../server/route-spec.ts";
import { handlePassthrough, type PassthroughDeps } from "./call.ts";
import type { PassthroughProvider } from "./types.ts";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** The routes of one provider: `/<id>/*` for every method, authenticated like the /v1 routes (with the key where its SDK sends it). */
function routesOf(deps: PassthroughDeps, provider: PassthroughProvider): RouteSpec[] {
  return METHODS.map((method) => ({
    method,
    paths: [`/${provider.id}/:path*`],
    summary: `${provider.label} pass-through: the provider's own API, body and answer as sent (the gateway's key checked, the provider's credential set)`,
    response: Type.Unknown({ description: `${provider.label}'s answer, as it sent it` }),
    renderError: provider.renderError,
    ...(provider.presentedKey ? { presentedKey: (request: Request) => provider.presentedKey?.(request) } : {}),
    handle: ({ request, caller, server }) => handlePassthrough(deps, provider, request, caller, server),
  }));
}

/** The routes of every provider the settings serve. */
export function passthroughRoutes(deps: PassthroughDeps): RouteSpec[] {
  return deps.upstreams.settings.providers.flatMap((provider) => routesOf(deps, provider));
}
