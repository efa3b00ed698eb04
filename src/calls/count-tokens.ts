import { passthroughOf } from "../providers/passthrough-of.ts";
import type { Resolved } from "../router/models.ts";
import { GatewayError } from "../canonical/errors.ts";
import { toAnthropicErrorResponse } from "../dialects/anthropic/errors.ts";
import { gatewayHeaders } from "./headers.ts";
import { parseBufferedAnswer, readAnswer } from "./answer-checks.ts";
import { admitCall, authorizeModel } from "./admit.ts";
import { openCall, readBuffered, recordFailure, startUpstream, throwIfRefused, type CallDeps, type CallInput } from "./scope.ts";
import { echo } from "../canonical/echo.ts";

/**
 * `POST /v1/messages/count_tokens`: forwarded to providers that count tokens themselves (Anthropic).
 * Others get a 400 that says so: the gateway has no exact tokenizer for them and does not guess.
 */
export async function handleCountTokens(deps: CallDeps, input: CallInput): Promise<Response> {
  const { request, body, raw, server } = input;
  const model = String(body.model);
  const scope = openCall(deps, input, "count_tokens", model, false);
  let resolved: Resolved | undefined;
  try {
    const name = authorizeModel(input.caller, model);
    const found = deps.models.resolve(name);
    if (!found) {
      throwIfRefused(deps.models, name);
      throw new GatewayError("caller.model_not_found", `The model '${echo(model)}' does not exist on this gateway. GET /v1/models lists the models you can use.`, { param: "model" });
    }
    resolved = found;
    const { deployment, target } = resolved;
    if (!deployment.provider.operations.includes("count_tokens")) {
      throw new GatewayError("caller.invalid_request", `Token counting is not available for '${echo(model)}': ${deployment.provider.label} has no token-counting API.`, { param: "model" });
    }
    // Counting is free upstream, but it is still a request: rate limits and the ledger apply.
    // Counting reserves nothing (it is free), so admission never waits here.
    scope.admission = await admitCall(deps.accounting, input.caller, [resolved], body, "count_tokens");
    const built = passthroughOf(deployment.provider, "count_tokens", { raw: raw.text, parsed: body, stream: false, headers: request.headers }, target, { dropParams: deps.dropParams });
    const call = await startUpstream(scope, resolved, built, server);
    const text = await readBuffered(call);
    readAnswer(call, () => parseBufferedAnswer(deployment.provider, text));
    scope.record({ status: 200, outcome: "ok", deploymentId: deployment.id, provider: deployment.provider.id });
    return new Response(text, { headers: { "content-type": "application/json", ...gatewayHeaders(scope, deployment.id, undefined, call.response.headers) } });
  } catch (error) {
    const gatewayError = recordFailure(scope, error, resolved);
    return toAnthropicErrorResponse(gatewayError, gatewayHeaders(scope, resolved?.deployment.id, undefined));
  }
}
