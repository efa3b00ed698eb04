import type { Server } from "bun";
import type { Resolved } from "../router/models.ts";
import type { RawBody } from "../server/body.ts";
import { GatewayError, toGatewayError } from "../spec/errors.ts";
import { toAnthropicErrorResponse } from "../dialects/anthropic/errors.ts";
import { gatewayHeaders } from "./headers.ts";
import { openCall, readBuffered, recordFailure, startUpstream, type CallDeps } from "./scope.ts";

/**
 * `POST /v1/messages/count_tokens`: forwarded to providers that count tokens themselves (Anthropic).
 * Others get a 400 that says so: the gateway has no exact tokenizer for them and does not guess.
 */
export async function handleCountTokens(deps: CallDeps, request: Request, body: Record<string, unknown>, raw: RawBody, server: Server<unknown> | null | undefined): Promise<Response> {
  const model = String(body.model);
  const scope = openCall(deps, request, raw, "count_tokens", model, false);
  let resolved: Resolved | undefined;
  try {
    resolved = deps.models.resolve(model);
    if (!resolved) throw new GatewayError("caller.model_not_found", `The model '${model}' does not exist on this gateway. GET /v1/models lists the models you can use.`, { param: "model" });
    const { deployment, target } = resolved;
    if (!deployment.provider.operations.includes("count_tokens")) {
      throw new GatewayError("caller.invalid_request", `Token counting is not available for '${model}': ${deployment.provider.label} has no token-counting API.`, { param: "model" });
    }
    const built = deployment.provider.buildPassthrough("count_tokens", { raw: raw.text, parsed: body, stream: false, headers: request.headers }, target, { dropParams: deps.dropParams });
    const call = await startUpstream(scope, resolved, built, server);
    const text = await readBuffered(call);
    scope.record({ status: 200, outcome: "ok", deploymentId: deployment.id, provider: deployment.provider.id });
    return new Response(text, { headers: { "content-type": "application/json", ...gatewayHeaders(scope.callId, deployment.id, undefined, call.response.headers) } });
  } catch (error) {
    const gatewayError = toGatewayError(error);
    recordFailure(scope, gatewayError, resolved);
    return toAnthropicErrorResponse(gatewayError, gatewayHeaders(scope.callId, resolved?.deployment.id, undefined));
  }
}
