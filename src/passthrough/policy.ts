/**
 * A pass-through call's policy, before anything goes upstream: the model it names (path or body,
 * which must agree), the key's allow-lists for it, the upstream and credential it may use, then
 * rate limits and budgets, as for a translated call.
 *
 * A model is allowed by any name the gateway serves it under: the name of a deployment of the
 * provider serving that upstream model (`claude-sonnet` for `anthropic/claude-sonnet-4-5`), or
 * `<provider>/<model>` (which `anthropic/*` allow-lists match). Key aliases do not apply: the body
 * goes upstream as sent. Calls that name no model (files, batch listings, model lists) are open to
 * every valid key; they are free at the gateway, so budgets never hold them back, unless their
 * route has a price per call (a config endpoint's `cost_per_request`), which is reserved as an MCP
 * tool's price is.
 */
import type { Caller } from "../auth/caller.ts";
import { echo } from "../canonical/echo.ts";
import { GatewayError } from "../canonical/errors.ts";
import { admitCall, admitFixedPrice, callerMayUse, checkModelAccess, isBudgeted, requestedMaxTokens, type Accounting, type Admission, type Priced } from "../calls/admit.ts";
import type { Operation } from "../providers/types.ts";
import type { CallShape, PassthroughProvider, PassthroughUpstream } from "./types.ts";
import { upstreamOfDeployment, type PassthroughUpstreams } from "./upstreams.ts";

/** Where a call goes, and the names it goes under. */
export interface Chosen {
  upstream: PassthroughUpstream;
  /** The model the request names (the upstream's id), when it names one. */
  model?: string;
  /** The gateway name the caller was allowed the model by (recorded as the call's model). */
  name?: string;
}

/** The one model a request names; a 400 when its path and body name different ones, or a model call names none. */
export function namedModel(shape: CallShape, provider: PassthroughProvider): string | undefined {
  const body = shape.bodyModels?.[0];
  if (shape.pathModel !== undefined && body !== undefined && body !== shape.pathModel) {
    throw new GatewayError("caller.invalid_request", `The path names the model '${echo(shape.pathModel)}' and the body '${echo(body)}'; ${provider.label} would read only one of them. Name the same model in both, or only one.`, { param: "model" });
  }
  const model = shape.pathModel ?? body;
  if (model === undefined && shape.kind !== "other") {
    throw new GatewayError("caller.invalid_request", `This ${provider.label} call uses a model but names none; name it (in the body's 'model' or the path), so the key's model access can be checked.`, { param: "model" });
  }
  return model;
}

/** The gateway names a model of `provider` goes by: its deployments', then `<provider>/<model>`. */
const qualified = (provider: PassthroughProvider, model: string) => `${provider.credentials.providerId ?? provider.id}/${model}`;

/** The first name the caller may use `model` by, of `names`; the 403 for `<provider>/<model>` when none. */
function allowedName(caller: Caller, provider: PassthroughProvider, model: string, names: readonly string[]): string {
  for (const name of names) if (callerMayUse(caller, name)) return name;
  const name = qualified(provider, model);
  // The allow-list's own 403 (the same message and type as on /v1).
  checkModelAccess(caller, name, name);
  return name;
}

/**
 * A call that runs a model it does not name may be made only by a caller allowed every model of
 * the provider (`<provider>/*`); the 403 of the list that is narrower otherwise.
 */
function checkUnnamedModel(caller: Caller, provider: PassthroughProvider): void {
  const every = qualified(provider, "*");
  if (callerMayUse(caller, every)) return;
  try {
    checkModelAccess(caller, every, every);
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    throw new GatewayError(error.code, `This ${provider.label} call runs a model it does not name (the endpoint's default, a batch's input file, an assistant's or agent's), so only a key allowed every ${provider.label} model ('${every}') may make it; name the model in the body if the endpoint takes one. ${error.message}`, error.details);
  }
}

/** The 404 for a provider the gateway has no credential for. */
function notConfigured(provider: PassthroughProvider): GatewayError {
  const { credentials } = provider;
  const env = credentials.apiKeyEnv[0];
  const how = [credentials.providerId ? `mark a '${credentials.providerId}/…' deployment use_in_pass_through: true` : undefined, env ? `set ${env}` : undefined].filter(Boolean).join(", or ");
  return new GatewayError("caller.route_not_found", `Pass-through to ${provider.label} is not set up on this gateway: it has no ${provider.label} credential for this call. The operator can ${how || "add one"}.`);
}

/** Picks the upstream of a call and checks the caller's model access (every model a batch names too). */
export function chooseUpstream(upstreams: PassthroughUpstreams, provider: PassthroughProvider, caller: Caller, shape: CallShape, model: string | undefined): Chosen {
  for (const other of shape.bodyModels?.slice(1) ?? []) allowedName(caller, provider, other, [...upstreams.serving(provider, other).map((s) => s.name), qualified(provider, other)]);
  if (model === undefined) {
    if (shape.runsUnnamedModel) checkUnnamedModel(caller, provider);
    const upstream = upstreams.fallback(provider, "", shape.place);
    if (!upstream) throw notConfigured(provider);
    return { upstream };
  }
  const serving = upstreams.serving(provider, model);
  // A gateway name in the path wins over a wildcard deployment taking it for a model id (as LiteLLM's router models do).
  const exact = serving.some((s) => !s.deployment.target.model.includes("*"));
  const byName = !exact && shape.kind !== "other" && shape.pathModel === model && provider.pathNamesDeployments ? upstreams.named(provider, model) : undefined;
  if (byName) {
    // The path names a deployment by its gateway name: that name is what the key must allow.
    checkModelAccess(caller, model, model);
    const upstreamModel = byName.target.model;
    return { upstream: upstreamOfDeployment(provider, byName, upstreamModel), model: upstreamModel, name: model };
  }
  const name = allowedName(caller, provider, model, [...serving.map((s) => s.name), qualified(provider, model)]);
  // A deployment's credential serves its model's calls; anything else takes the pass-through credential.
  const by = shape.kind === "other" ? undefined : (serving.find((s) => s.name === name) ?? serving[0]);
  const upstream = by ? upstreamOfDeployment(provider, by.deployment, model) : upstreams.fallback(provider, model, shape.place);
  if (!upstream) throw notConfigured(provider);
  return { upstream, model, name };
}

const OPERATIONS: Record<Exclude<CallShape["kind"], "other">, Operation> = { generate: "chat", embed: "embeddings", count: "count_tokens" };

/**
 * Rate limits and budgets for a chosen call. A model call is reserved as a translated call is
 * (strict budgets from the native request's output cap); a call that names a model but whose
 * cost the gateway cannot compute (images, audio, rerank, batches) is refused to budgeted keys, as
 * an unpriced model is; the rest is free at the gateway.
 */
export function admitPassthrough(accounting: Accounting | undefined, caller: Caller, provider: PassthroughProvider, shape: CallShape, chosen: Chosen, fields: Record<string, unknown> | undefined): Admission | Promise<Admission> {
  const { model, name, upstream } = chosen;
  const unnamed = model === undefined && shape.runsUnnamedModel === true;
  if ((model === undefined || name === undefined) && !unnamed) return admitFixedPrice(accounting, caller, provider.callPriceNano ?? 0);
  if (shape.kind === "other" || model === undefined || name === undefined) {
    if (accounting && isBudgeted(caller)) {
      const what = model === undefined ? "runs a model it does not name, so it is not" : `names the model '${echo(model)}' but is not`;
      throw new GatewayError(
        "policy.model_unpriced",
        `This ${provider.label} call ${what} one whose cost the gateway can count (only ${provider.label}'s generation, embedding and token-counting calls are), and this key, its team, its user or its organization has a budget, which cannot be kept for calls of unknown cost. A key without a budget can make it.`,
        { param: "model" },
      );
    }
    return admitFixedPrice(accounting, caller, 0);
  }
  if (shape.usageNotAsked && accounting && isBudgeted(caller)) {
    throw new GatewayError(
      "caller.invalid_request",
      `This ${provider.label} stream does not ask for its usage, so its cost could only be guessed from its text, and this key, its team, its user or its organization has a budget. Send "stream_options": {"include_usage": true} (the SDKs' stream_options), or call without stream.`,
      { param: "stream_options" },
    );
  }
  const priced: Priced = { deployment: { id: upstream.id, modelName: name, priceOf: upstream.priceOf, provider: { id: provider.id } }, target: { model } };
  const body = fields ?? {};
  return admitCall(accounting, caller, [priced], body, OPERATIONS[shape.kind], shape.maxOutputTokens ?? requestedMaxTokens(body), shape.choices);
}
