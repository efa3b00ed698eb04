import { passthroughOf } from "../providers/passthrough-of.ts";
import { lastObjectMember } from "../json/find-member.ts";
import type { Resolved } from "../router/models.ts";
import type { UpstreamCall } from "../router/execute.ts";
import type { UpstreamAnswer } from "../providers/types.ts";
import { GatewayError } from "../canonical/errors.ts";
import { fromOpenAIUsage } from "../canonical/usage.ts";
import { toOpenAIErrorResponse } from "../dialects/openai/errors.ts";
import { gatewayHeaders } from "./headers.ts";
import { checkObjectFraming, readAnswer } from "./answer-checks.ts";
import { admitModel, costHeader, costOfCall, openCall, overheadMs, readBuffered, recordFailure, routeCall, startUpstream, type CallDeps, type CallInput } from "./scope.ts";

/**
 * `POST /v1/embeddings`: forwarded as received to an OpenAI-wire upstream; translated for a
 * provider with its own embeddings wire (one client request may take several upstream calls).
 */
export async function handleEmbeddings(deps: CallDeps, input: CallInput): Promise<Response> {
  const { body, raw, server } = input;
  const model = String(body.model);
  const scope = openCall(deps, input, "embeddings", model, false);
  let resolved: Resolved | undefined;
  try {
    const pending = admitModel(deps, scope, body, model, "embeddings");
    // A promise only when a strict budget first loads a tokenizer (rare): no await on the usual path.
    const admitted = pending instanceof Promise ? await pending : pending;
    const routed = await routeCall(deps, scope, admitted, "embeddings", async (candidate) => {
      const { provider } = candidate.deployment;
      const options = { dropParams: deps.dropParams };
      if (!provider.embeddings) {
        const built = passthroughOf(provider, "embeddings", { raw: raw.text, parsed: body, stream: false }, candidate.target, options);
        const call = await startUpstream(scope, candidate, built, server);
        const text = await readBuffered(call);
        // Relayed as received (mostly vectors, not parsed): only its framing is checked.
        readAnswer(call, () => checkObjectFraming(provider, text));
        return { call, text, doneAt: performance.now() };
      }
      const { upstreams, state } = provider.embeddings.buildRequests(body, candidate.target, options);
      const answers: UpstreamAnswer[] = [];
      let call: UpstreamCall | undefined;
      // In order, one at a time: a batch is small, and a failure stops the rest.
      for (const built of upstreams) {
        call = await startUpstream(scope, candidate, built, server);
        answers.push({ body: await readBuffered(call), headers: call.response.headers });
      }
      if (!call) throw new GatewayError("caller.invalid_request", "The embeddings request has no input.", { param: "input" });
      const text = JSON.stringify(provider.embeddings.parseResponses(answers, state, model));
      return { call, text, doneAt: performance.now() };
    });
    resolved = routed.resolved;
    const { deployment, target } = resolved;
    const { call, text, doneAt } = routed.value;
    // Embedding bodies are mostly vectors; usage is read from the tail.
    const usage = fromOpenAIUsage(lastObjectMember(text, "usage"));
    const cost = costOfCall(resolved, usage, scope.startedAt);
    const overhead = overheadMs(scope, call, doneAt);
    if (scope.trace) scope.trace.responseText = text;
    scope.record({ status: 200, outcome: "ok", deploymentId: deployment.id, provider: deployment.provider.id, upstreamModel: target.model, overheadMs: overhead, ...(usage ? { usage } : {}), ...(cost === undefined ? {} : { costNano: cost }) });
    return new Response(text, { headers: { "content-type": "application/json", ...gatewayHeaders(scope, deployment.id, overhead, call.response.headers), ...costHeader(cost) } });
  } catch (error) {
    const gatewayError = recordFailure(scope, error, resolved);
    return toOpenAIErrorResponse(gatewayError, gatewayHeaders(scope, resolved?.deployment.id ?? gatewayError.details.deploymentId, undefined));
  }
}
