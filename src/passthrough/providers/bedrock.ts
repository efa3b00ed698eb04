import { isRecord } from "../../json/is-record.ts";
import { bedrock } from "../../providers/bedrock/index.ts";
import { signBedrockRequest } from "../../providers/bedrock/sign.ts";
import { modelIdSegment } from "../../providers/model-id.ts";
import type { Target } from "../../providers/types.ts";
import { decodePathParam } from "../../server/url.ts";
import { AwsEventStreamDecoder } from "../../streams/aws-eventstream.ts";
import type { CallShape, PassthroughProvider } from "../types.ts";
import { fromInvocationMetrics } from "../usage.ts";
import { renderAwsError } from "./aws-errors.ts";
import { bearer, credentialsOf, withoutSuffix } from "./common.ts";

const LABEL = "Amazon Bedrock";

/**
 * `model/{modelId}/{action}`: every bedrock-runtime call of a model (the id decoded: an ARN's `/` is
 * in it). Any action, known or not (`Converse`, `invoke-with-bidirectional-stream`), names the model.
 */
const MODEL_CALL = /^model\/(.+)\/([^/]+)$/;
/** The same on the path as sent (the id still one escaped segment), to put another id in its place. */
const RAW_MODEL_CALL = /^model\/([^/]+)\/([a-z-]+)$/;

const ACTIONS: Record<string, Pick<CallShape, "kind" | "stream" | "wire">> = {
  converse: { kind: "generate", stream: false, wire: "bedrock-converse" },
  "converse-stream": { kind: "generate", stream: true, wire: "bedrock-converse" },
  invoke: { kind: "generate", stream: false, wire: "bedrock-invoke" },
  "invoke-with-response-stream": { kind: "generate", stream: true, wire: "bedrock-invoke" },
  "count-tokens": { kind: "count", stream: false },
};

const positive = (value: unknown): number | undefined => (typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined);

/** The output cap of a Converse body, or of an InvokeModel body in its model's own fields (Anthropic's `max_tokens` is read by the shared code). */
function maxOutputTokens(fields: Record<string, unknown> | undefined): number | undefined {
  const inference = isRecord(fields?.inferenceConfig) ? fields.inferenceConfig : undefined;
  const titan = isRecord(fields?.textGenerationConfig) ? fields.textGenerationConfig : undefined;
  return positive(inference?.maxTokens) ?? positive(inference?.max_new_tokens) ?? positive(fields?.max_gen_len) ?? positive(titan?.maxTokenCount);
}

/**
 * Bedrock's credential from the environment: AWS keys (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN) or a Bedrock API key (AWS_BEARER_TOKEN_BEDROCK), and a region
 * (AWS_REGION_NAME as LiteLLM's pass-through reads it, else AWS_REGION / AWS_DEFAULT_REGION).
 */
function fromEnvironment(env: Record<string, string | undefined>): Target | undefined {
  const target: Target = { model: "", apiBase: "" };
  if (env.AWS_BEARER_TOKEN_BEDROCK) target.apiKey = env.AWS_BEARER_TOKEN_BEDROCK;
  const region = env.AWS_REGION_NAME;
  return bedrock.configure?.(target, region ? { aws_region_name: region } : {}, env) ? undefined : target;
}

/** InvokeModel's token-count headers (Bedrock counts, cache reads and writes apart from the input). */
function headerUsage(headers: Headers) {
  const number = (name: string) => {
    const value = headers.get(`x-amzn-bedrock-${name}`);
    return value === null || !/^\d+$/.test(value.trim()) ? undefined : Number(value);
  };
  return fromInvocationMetrics({
    inputTokenCount: number("input-token-count"),
    outputTokenCount: number("output-token-count"),
    cacheReadInputTokenCount: number("cache-read-input-token-count"),
    cacheWriteInputTokenCount: number("cache-write-input-token-count"),
  });
}

/**
 * The key as an AWS SDK sends it: LiteLLM's `litellm_user_api_key` header (its boto3 recipe), or
 * the access key id of the client's SigV4 signature (the SDK given the virtual key as its access
 * key, any secret: the signature itself cannot be checked and is dropped). `x-litellm-api-key` and
 * `Authorization: Bearer` (curl, the SDK's Bedrock API key auth) are read by the shared code.
 */
function presentedKey(request: Request): string | undefined {
  const { headers } = request;
  if (headers.get("x-litellm-api-key")?.trim() || headers.get("x-switchboard-api-key")?.trim()) return undefined;
  const named = headers.get("litellm_user_api_key")?.trim();
  if (named) return /^Bearer\s+(.+)$/i.exec(named)?.[1]?.trim() || named;
  return /^AWS4-HMAC-SHA256\s+Credential=(?:Bearer\s+)?([^/\s,]+)\//i.exec(headers.get("authorization")?.trim() ?? "")?.[1];
}

/**
 * Amazon Bedrock's runtime API at `/bedrock/*` (the AWS SDK's BedrockRuntimeClient with
 * `endpoint: <gateway>/bedrock`, as LiteLLM's route): Converse, ConverseStream, InvokeModel,
 * InvokeModelWithResponseStream and CountTokens on `model/{modelId}/…`, the model id (an ARN's
 * `/` escaped as `%2F`) being the model a key must be allowed, or the gateway name of a Bedrock
 * deployment, sent up as its model id. Every request is signed anew with SigV4 over the exact
 * method, URL and bytes (or carries the Bedrock API key); streams are AWS event streams.
 */
export const bedrockPassthrough: PassthroughProvider = {
  id: "bedrock",
  label: LABEL,
  credentials: { ...credentialsOf(bedrock), environment: fromEnvironment },
  rootOf: (base) => withoutSuffix(base, []),
  presentedKey,
  segmentEscapes: new Set(["/"]),
  // A gateway name in the path goes up as its deployment's model id.
  pathNamesDeployments: true,
  placePath(path, { target }) {
    const match = RAW_MODEL_CALL.exec(path);
    if (!match || !target.model || decodePathParam(match[1] as string) === target.model) return path;
    return `model/${modelIdSegment(target.model, LABEL, { slash: true })}/${match[2]}`;
  },
  // A presigned request's X-Amz-* parameters are the client's signature (its credential the virtual key): never sent.
  upstreamQuery(query) {
    for (const name of [...new Set(query.keys())]) if (name.toLowerCase().startsWith("x-amz-")) query.delete(name);
  },
  // SigV4 is added by authorize, over the final headers; a Bedrock API key goes as a bearer.
  credentialHeaders: (upstream) => (upstream.target.aws ? {} : bearer(upstream)),
  authorize: async (outbound, { target }) => (target.aws && target.region ? signBedrockRequest(outbound, target.aws, target.region) : outbound),
  classify({ method, path, fields }): CallShape {
    const match = MODEL_CALL.exec(path);
    const action = match && method === "POST" ? ACTIONS[match[2] as string] : undefined;
    if (match && action) {
      const model = match[1] as string;
      const cap = maxOutputTokens(fields);
      // An embedding model's InvokeModel embeds (Titan, Cohere Embed): an EMBEDDING span, no output reserved.
      const kind = action.wire === "bedrock-invoke" && /embed/i.test(model) ? "embed" : action.kind;
      return { ...action, kind, pathModel: model, ...(cap ? { maxOutputTokens: cap } : {}) };
    }
    // A model's other calls (another action, method or case) run it at a cost the gateway cannot see: the key must allow it.
    if (match) return { kind: "other", stream: false, pathModel: match[1] as string };
    // StartAsyncInvoke names its model in the body; what it costs is seen later, upstream.
    const modelId = method === "POST" && path === "async-invoke" && typeof fields?.modelId === "string" && fields.modelId !== "" ? fields.modelId : undefined;
    return { kind: "other", stream: false, ...(modelId ? { bodyModels: [modelId] } : {}) };
  },
  headerUsage,
  streamDecoder: (shape) => (shape.stream ? new AwsEventStreamDecoder(LABEL) : undefined),
  renderError: renderAwsError,
};
