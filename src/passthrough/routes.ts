import { Type } from "@sinclair/typebox";
import type { RouteSpec } from "../server/route-spec.ts";
import { handlePassthrough, type PassthroughDeps } from "./call.ts";
import type { PassthroughMethod, PassthroughProvider } from "./types.ts";

const METHODS: readonly PassthroughMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/** A route's paths and summary: `/<id>/*` for a provider; a config endpoint's path, and its subpaths when it serves them. */
function placeOf(provider: PassthroughProvider): { paths: string[]; summary: string; methods: readonly PassthroughMethod[] } {
  const { mount } = provider;
  if (!mount) {
    return {
      paths: [`/${provider.id}/:path*`],
      summary: `${provider.label} pass-through: the provider's own API, body and answer as sent (the gateway's key checked, the provider's credential set)`,
      methods: METHODS,
    };
  }
  // The target is not named: /routes and /openapi.json are public, the admin's upstream is not.
  const who = mount.public ? "no key needed" : "the gateway's key checked";
  return {
    paths: [mount.path, ...(mount.subpaths ? [`${mount.path}/:path*`] : [])],
    summary: `Pass-through endpoint from config: the request forwarded to its configured target, body and answer as sent (${who}, the endpoint's headers set)`,
    methods: mount.methods,
  };
}

/** The routes of one provider for every method it serves, authenticated like the /v1 routes (with the key where its SDK sends it) unless public. */
function routesOf(deps: PassthroughDeps, provider: PassthroughProvider): RouteSpec[] {
  const { paths, summary, methods } = placeOf(provider);
  return methods.map((method) => ({
    method,
    paths,
    summary,
    response: Type.Unknown({ description: `${provider.label}'s answer, as it sent it` }),
    renderError: provider.renderError,
    ...(provider.mount?.public ? { access: "public" as const } : {}),
    ...(provider.presentedKey ? { presentedKey: (request: Request) => provider.presentedKey?.(request) } : {}),
    handle: ({ request, caller, server }) => handlePassthrough(deps, provider, request, caller, server),
  }));
}

/** The routes of every provider the settings serve: the providers' own (`/<id>/*`), and the config endpoints' (at their paths). */
export function passthroughRoutes(deps: PassthroughDeps): { providers: RouteSpec[]; configured: RouteSpec[] } {
  const { providers } = deps.upstreams.settings;
  return {
    providers: providers.filter((provider) => !provider.mount).flatMap((provider) => routesOf(deps, provider)),
    configured: providers.filter((provider) => provider.mount).flatMap((provider) => routesOf(deps, provider)),
  };
}
