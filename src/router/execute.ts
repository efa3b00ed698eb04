import { GatewayError } from "../spec/errors.ts";
import { redactUpstreamText, removeSecrets } from "../providers/redact.ts";
import type { UpstreamRequest } from "../providers/types.ts";
import type { Resolved } from "./models.ts";
import { callWatcher } from "./watch.ts";

/** An upstream answer with the timing the gateway reports. */
export interface UpstreamCall {
  response: Response;
  /** performance.now() when the request was handed to the transport. */
  sentAt: number;
  /** performance.now() when the response headers arrived. */
  headersAt: number;
  /** Aborts the upstream call (client went away, or the gateway gave up). */
  abort: () => void;
  /** Clears the call's total timeout once the body is fully read. */
  settle: () => void;
  /** Turns a failure while reading the body into the error that says why (timeout or broken connection). */
  explain: (error: unknown) => GatewayError;
}

/**
 * Makes one upstream call. The call is aborted when the client disconnects (`clientSignal`) or
 * when the deployment's total timeout passes (both noticed by the shared CallWatcher); non-2xx answers become GatewayErrors naming the provider.
 */
export async function callUpstream(resolved: Resolved, built: UpstreamRequest, clientSignal: AbortSignal): Promise<UpstreamCall> {
  const { deployment, target } = resolved;
  const { provider } = deployment;
  const controller = new AbortController();
  const abort = () => controller.abort();
  let timedOut = false;
  if (clientSignal.aborted) abort();
  const settle = callWatcher.watch(clientSignal, deployment.timeoutMs, (reason) => {
    timedOut = reason === "timeout";
    abort();
  });
  const explain = (error: unknown, what: string): GatewayError => {
    if (error instanceof GatewayError) return error;
    if (timedOut) {
      return new GatewayError("provider.timeout", `${provider.label} did not finish within ${deployment.timeoutMs / 1000} s (deployment ${deployment.id}).`, { provider: provider.id });
    }
    const reason = redactUpstreamText(error instanceof Error ? error.message : String(error), [target.apiKey]);
    return new GatewayError("provider.unreachable", `${what} ${provider.label} (deployment ${deployment.id}): ${reason}`, { provider: provider.id, cause: error });
  };
  const sentAt = performance.now();
  let response: Response;
  try {
    response = await (provider.transport ?? fetch)(built.url, { method: "POST", headers: built.headers, body: built.body, signal: controller.signal });
  } catch (error) {
    settle();
    throw explain(error, "Could not reach");
  }
  const headersAt = performance.now();
  if (!response.ok) {
    const body = await response.text().catch(() => "");
    settle();
    throw provider.mapError(response.status, removeSecrets(body, [target.apiKey]), response.headers);
  }
  return { response, sentAt, headersAt, abort, settle, explain: (error) => explain(error, "Lost the connection to") };
}
