/**
 * One pass-through call, in order: the path checked, the body read, the call classified by its
 * provider, then (recorded from here on) its model checked against the key, its upstream chosen,
 * its limits and budgets taken, the outbound request built, and the answer relayed.
 */
import type { Server } from "bun";
import type { Caller } from "../auth/caller.ts";
import { echo } from "../canonical/echo.ts";
import { toGatewayError, type GatewayError } from "../canonical/errors.ts";
import { gatewayHeaders } from "../calls/headers.ts";
import type { CallDeps, CallScope } from "../calls/scope.ts";
import { decodePathParam } from "../server/url.ts";
import { readOpaqueBody, readPassthroughBody, type PassthroughBody } from "./body.ts";
import { forward } from "./forward.ts";
import { upstreamRequestHeaders } from "./headers.ts";
import { joinUnderRoot, pathAfterPrefix, pathProblem, rawQueryOf, unsafePath } from "./path.ts";
import { admitPassthrough, chooseUpstream, namedModel, type Chosen } from "./policy.ts";
import { openPassthroughCall, type PassthroughCallInfo } from "./scope.ts";
import type { OutboundRequest, PassthroughProvider, PassthroughUpstream } from "./types.ts";
import type { PassthroughUpstreams } from "./upstreams.ts";

/** What pass-through calls need from the app. */
export interface PassthroughDeps extends CallDeps {
  upstreams: PassthroughUpstreams;
  maxBodyBytes: number;
}

/**
 * The client's path after the prefix, checked, and the path to send upstream (checked again if the
 * provider changed it). A config endpoint called at its own path sends "": its base as written.
 */
function upstreamPathOf(provider: PassthroughProvider, url: string): { clientPath: string; path: string } {
  const { mount } = provider;
  const clientPath = pathAfterPrefix(url, mount ? mount.path.slice(1) : provider.id) ?? "";
  if (mount && clientPath === "") return { clientPath, path: "" };
  const problem = pathProblem(clientPath, provider.segmentEscapes);
  if (problem) throw unsafePath(clientPath, problem);
  const path = provider.upstreamPath ? provider.upstreamPath(clientPath) : clientPath;
  const changed = path === clientPath ? undefined : pathProblem(path, provider.segmentEscapes);
  if (changed) throw unsafePath(path, changed);
  return { clientPath, path };
}

/** The path as the chosen upstream reads it, checked again when the provider changed it. */
function placedPath(provider: PassthroughProvider, upstream: PassthroughUpstream, path: string, method: string): string {
  const placed = provider.placePath ? provider.placePath(path, upstream, method) : path;
  const problem = placed === path ? undefined : pathProblem(placed, provider.segmentEscapes);
  if (problem) throw unsafePath(placed, problem);
  return placed;
}

/** The request to send: the client's headers (less what never goes up), the deployment's, the credential; the body as received. */
function outboundOf(provider: PassthroughProvider, upstream: PassthroughUpstream, request: Request, path: string, body: PassthroughBody): OutboundRequest {
  let query = rawQueryOf(request.url);
  // `key` is where a client may put its gateway key (Gemini's SDK does): never forwarded, on any route.
  const hasKey = /(?:^|&)key=/.test(query);
  if (provider.upstreamQuery || hasKey) {
    const params = new URLSearchParams(query);
    params.delete("key");
    provider.upstreamQuery?.(params, upstream, path);
    query = params.toString();
  }
  const allowed = upstreamRequestHeaders(request.headers);
  const headers = provider.clientHeaders ? provider.clientHeaders(allowed) : allowed;
  for (const [name, value] of Object.entries(upstream.target.headers ?? {})) headers[name.toLowerCase()] = value;
  Object.assign(headers, provider.credentialHeaders(upstream));
  // fetch sends no body with a GET; no provider API reads one.
  const bytes = request.method === "GET" ? undefined : body.bytes;
  // "" only for a config endpoint called at its own path: its base is the admin's, taken as written.
  const url = path === "" ? `${upstream.target.apiBase}${query ? `?${query}` : ""}` : joinUnderRoot(upstream.root, placedPath(provider, upstream, path, request.method), query);
  return { method: request.method, url, headers, body: bytes };
}

/** Records a call that failed before its answer, and returns the error to render. */
function failed(scope: CallScope, provider: PassthroughProvider, thrown: unknown, chosen: Chosen | undefined): GatewayError {
  const error = toGatewayError(thrown);
  if (error.code === "gateway.internal") scope.logError?.("internal error", error.cause ?? error);
  if (scope.trace) scope.trace.errorMessage = error.message;
  scope.record({
    status: error.status,
    outcome: scope.request.signal.aborted ? "cancelled" : "error",
    errorCode: error.code,
    provider: provider.id,
    ...(chosen ? { deploymentId: chosen.upstream.id } : {}),
    ...(chosen?.model !== undefined ? { upstreamModel: chosen.model } : {}),
  });
  return error;
}

/** Handles one request to `/<provider>/*` (or a config endpoint's path); errors before the call is classified are thrown for the route to render. */
export async function handlePassthrough(deps: PassthroughDeps, provider: PassthroughProvider, request: Request, caller: Caller, server: Server<unknown> | null | undefined): Promise<Response> {
  const receivedAt = performance.now();
  const { clientPath, path } = upstreamPathOf(provider, request.url);
  // A config endpoint's body is not read: its API is not the gateway's (and its span has no body).
  const body = provider.mount ? await readOpaqueBody(request, deps.maxBodyBytes) : await readPassthroughBody(request, deps.maxBodyBytes);
  const shape = provider.classify({ method: request.method, path: decodePathParam(path).replace(/\/$/, ""), fields: body.fields });
  const notes: string[] = [];
  if (body.bytes && body.text === "" && !provider.mount) notes.push(`the request body is not JSON (${echo(request.headers.get("content-type") ?? "no content-type")}): it is not in the span`);
  const prefix = provider.mount?.path ?? `/${provider.id}`;
  const info: PassthroughCallInfo = { route: `${request.method} ${prefix}${clientPath ? `/${echo(clientPath)}` : ""}`, shape, model: "", upstream: undefined, notes };
  const scope = openPassthroughCall(deps, request, { text: body.text, receivedAt }, caller, body.fields ?? {}, info);
  let chosen: Chosen | undefined;
  try {
    const model = namedModel(shape, provider);
    chosen = chooseUpstream(deps.upstreams, provider, caller, shape, model);
    info.model = chosen.name ?? "";
    info.upstream = chosen.upstream;
    const admitted = admitPassthrough(deps.accounting, caller, provider, shape, chosen, body.fields);
    scope.admission = admitted instanceof Promise ? await admitted : admitted;
    return await forward(provider, scope, info, chosen.upstream, outboundOf(provider, chosen.upstream, request, path, body), server);
  } catch (error) {
    const failure = failed(scope, provider, error, chosen);
    return provider.renderError(failure, gatewayHeaders(scope, chosen?.upstream.id, undefined));
  }
}
