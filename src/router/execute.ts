import { GatewayError } from "../canonical/errors.ts";
import { headerCredentials, redactError, redactUpstreamText, removeSecrets } from "../providers/redact.ts";
import { isRedirect, NO_REDIRECTS, redirectError } from "../providers/redirect.ts";
import type { Target, UpstreamRequest } from "../providers/types.ts";
import type { Resolved } from "./models.ts";
import { callWatcher, type CutReason } from "./watch.ts";

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
  /** The answer's first byte arrived (a stream's first chunk): only the total and idle timeouts apply from now on. */
  firstByte: () => void;
  /** Tell it each stream chunk (restarts the idle timeout); absent when the deployment has no idle timeout. */
  chunk?: () => void;
  /**
   * Turns a failure while reading the body (timeout, broken connection, an error event) into the
   * error that says why, with the call's credentials redacted from its message.
   */
  explain: (error: unknown) => GatewayError;
}

/**
 * Every secret a target holds, for scrubbing upstream text. The AWS access key id too: not a secret
 * on its own, but it names the gateway's IAM identity, and AWS errors may quote it.
 */
export function secretsOf(target: Target): (string | undefined)[] {
  return [target.apiKey, target.aws?.accessKeyId, target.aws?.secretAccessKey, target.aws?.sessionToken];
}

/**
 * Makes one upstream call. The call is aborted when the client disconnects (`clientSignal`) or
 * when the deployment's total timeout passes (both noticed by the shared CallWatcher); non-2xx answers become GatewayErrors naming the provider.
 */
export async function callUpstream(resolved: Resolved, built: UpstreamRequest, clientSignal: AbortSignal, stream = false): Promise<UpstreamCall> {
  const { deployment, target } = resolved;
  const { provider } = deployment;
  const controller = new AbortController();
  const abort = () => controller.abort();
  let cutBy: CutReason | undefined;
  if (clientSignal.aborted) abort();
  const watch = callWatcher.watch(
    clientSignal,
    {
      totalMs: deployment.timeoutMs,
      ...(deployment.connectMs !== undefined ? { connectMs: deployment.connectMs } : {}),
      ...(deployment.firstByteMs !== undefined ? { firstByteMs: deployment.firstByteMs } : {}),
      ...(stream && deployment.idleMs !== undefined ? { idleMs: deployment.idleMs } : {}),
    },
    (reason) => {
      cutBy = reason;
      abort();
    },
  );
  const settle = () => watch.stop();
  // What was sent, once authorized: its headers hold credentials the target does not (an OAuth or Entra token).
  let sent = built;
  // Computed on the error path only.
  const secrets = () => [...secretsOf(target), ...headerCredentials(sent.headers)];
  const explain = (error: unknown, what: string): GatewayError => {
    if (error instanceof GatewayError) return redactError(error, secrets());
    if (cutBy === "connect") {
      return new GatewayError("provider.timeout", `${provider.label} did not connect and answer with headers within ${(deployment.connectMs as number) / 1000} s (deployment ${deployment.id}).`, { provider: provider.id });
    }
    if (cutBy === "first_byte") {
      return new GatewayError("provider.timeout", `${provider.label} did not start answering within ${(deployment.firstByteMs as number) / 1000} s (deployment ${deployment.id}).`, { provider: provider.id });
    }
    if (cutBy === "idle") {
      return new GatewayError("provider.timeout", `${provider.label} sent nothing for ${(deployment.idleMs as number) / 1000} s in the middle of the stream (deployment ${deployment.id}).`, { provider: provider.id });
    }
    if (cutBy === "timeout") {
      return new GatewayError("provider.timeout", `${provider.label} did not finish within ${deployment.timeoutMs / 1000} s (deployment ${deployment.id}).`, { provider: provider.id });
    }
    const reason = redactUpstreamText(error instanceof Error ? error.message : String(error), secrets());
    return new GatewayError("provider.unreachable", `${what} ${provider.label} (deployment ${deployment.id}): ${reason}`, { provider: provider.id, cause: error });
  };
  const sentAt = performance.now();
  let response: Response;
  try {
    // Signing or a token refresh is the one async step of building a request; its errors are the provider's.
    const ready = provider.authorize ? await provider.authorize(built, target) : built;
    sent = ready;
    // Never followed: a redirect would carry the credential headers and the prompt to another host.
    response = await (provider.transport ?? fetch)(ready.url, { method: "POST", headers: ready.headers, body: ready.body, signal: controller.signal, redirect: NO_REDIRECTS });
  } catch (error) {
    settle();
    throw explain(error, "Could not reach");
  }
  const headersAt = performance.now();
  // A buffered answer has started once its headers are here; a stream once its first event is.
  if (stream) watch.headers();
  else watch.firstByte();
  if (!response.ok) {
    if (isRedirect(response.status)) {
      settle();
      throw redirectError(`${provider.label} (deployment ${deployment.id})`, response, built.url, "check that the deployment's api_base is the provider's API address itself.", provider.id);
    }
    if (response.status === 401) provider.unauthorized?.(sent, target);
    const body = await response.text().catch(() => "");
    settle();
    throw provider.mapError(response.status, removeSecrets(body, secrets()), response.headers);
  }
  return { response, sentAt, headersAt, abort, settle, firstByte: () => watch.firstByte(), ...(stream && deployment.idleMs !== undefined ? { chunk: () => watch.chunk() } : {}), explain: (error) => explain(error, "Lost the connection to") };
}
