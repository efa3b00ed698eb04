import type { Server } from "bun";
import { lastObjectMember } from "../json/find-member.ts";
import type { Resolved } from "../router/models.ts";
import type { RawBody } from "../server/body.ts";
import { toGatewayError } from "../spec/errors.ts";
import { fromOpenAIUsage } from "../spec/usage.ts";
import { toOpenAIErrorResponse } from "../dialects/openai/errors.ts";
import { gatewayHeaders } from "./headers.ts";
import { costHeader, costOfCall, openCall, readBuffered, recordFailure, resolveModel, startUpstream, type CallDeps } from "./scope.ts";

/** `POST /v1/embeddings` to an OpenAI-wire upstream, forwarded as received. */
export async function handleEmbeddings(deps: CallDeps, request: Request, body: Record<string, unknown>, raw: RawBody, server: Server<unknown> | null | undefined): Promise<Response> {
  const model = String(body.model);
  const scope = openCall(deps, request, raw, "embeddings", model, false);
  let resolved: Resolved | undefined;
  try {
    resolved = resolveModel(deps, model, "embeddings");
    const { deployment, target } = resolved;
    const built = deployment.provider.buildPassthrough("embeddings", { raw: raw.text, parsed: body, stream: false }, target, { dropParams: deps.dropParams });
    const call = await startUpstream(scope, resolved, built, server);
    const text = await readBuffered(call);
    const doneAt = performance.now();
    // Embedding bodies are mostly vectors; usage is read from the tail.
    const usage = fromOpenAIUsage(lastObjectMember(text, "usage"));
    const cost = costOfCall(resolved, usage);
    scope.record({ status: 200, outcome: "ok", deploymentId: deployment.id, provider: deployment.provider.id, ...(usage ? { usage } : {}), ...(cost === undefined ? {} : { costNano: cost }) });
    const overhead = call.sentAt - raw.receivedAt + (performance.now() - doneAt);
    return new Response(text, { headers: { "content-type": "application/json", ...gatewayHeaders(scope.callId, deployment.id, overhead, call.response.headers), ...costHeader(cost) } });
  } catch (error) {
    const gatewayError = toGatewayError(error);
    recordFailure(scope, gatewayError, resolved);
    return toOpenAIErrorResponse(gatewayError, gatewayHeaders(scope.callId, resolved?.deployment.id, undefined));
  }
}
