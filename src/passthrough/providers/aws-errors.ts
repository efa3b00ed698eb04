/**
 * The gateway's errors on an AWS route, in the shape AWS's SDKs read (restJson1): the exception
 * named in `x-amzn-errortype`, the text in the body's `message`. The body also carries the
 * gateway's OpenAI-shape `error` object, for clients that are not an AWS SDK (curl, LiteLLM's
 * recipes): an AWS SDK ignores it.
 */
import type { GatewayError } from "../../canonical/errors.ts";
import { toOpenAIErrorBody, toOpenAIStatus } from "../../dialects/openai/errors.ts";

/** The AWS exception an SDK raises for a status (Bedrock's names; an unknown key is AWS's UnrecognizedClientException). */
function exceptionOf(status: number): string {
  if (status === 401) return "UnrecognizedClientException";
  if (status === 403) return "AccessDeniedException";
  if (status === 404) return "ResourceNotFoundException";
  if (status === 408) return "ModelTimeoutException";
  if (status === 429) return "ThrottlingException";
  if (status === 503) return "ServiceUnavailableException";
  if (status >= 500) return "InternalServerException";
  return "ValidationException";
}

/** An AWS-shape error response for a gateway error. */
export function renderAwsError(error: GatewayError, extraHeaders: Record<string, string> = {}): Response {
  const status = toOpenAIStatus(error);
  const headers: Record<string, string> = { "content-type": "application/json", ...error.details.headers, ...extraHeaders, "x-amzn-errortype": exceptionOf(status) };
  if (error.details.retryAfter !== undefined) headers["retry-after"] = String(error.details.retryAfter);
  return new Response(JSON.stringify({ message: error.message, ...toOpenAIErrorBody(error) }), { status, headers });
}
