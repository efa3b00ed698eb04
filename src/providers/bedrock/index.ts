import type { CloudSettings } from "../../config/schema.ts";
import { AwsEventStreamDecoder } from "../../streams/aws-eventstream.ts";
import type { Provider, Target } from "../types.ts";
import { buildBedrockEmbeddings, inputTokenCount, parseBedrockEmbeddings, type BedrockEmbeddingsState } from "./embeddings.ts";
import { mapBedrockError } from "./errors.ts";
import { buildBedrockRequest } from "./request.ts";
import { parseBedrockResponse } from "./response.ts";
import { signBedrockRequest } from "./sign.ts";
import { bedrockStreamError, bedrockStreamReader } from "./stream.ts";
import { claudeModelOf } from "./price-id.ts";

const LABEL = "Amazon Bedrock";
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * Completes a Bedrock target: the region (config, else AWS_REGION / AWS_DEFAULT_REGION) and its
 * runtime host unless api_base was set; credentials from config or the standard AWS variables,
 * unless a Bedrock API key (bearer) is configured.
 */
function configureBedrock(target: Target, settings: CloudSettings, env: Record<string, string | undefined>): string | undefined {
  const region = settings.aws_region_name ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) return "Amazon Bedrock needs a region: set aws_region_name or export AWS_REGION";
  if (!REGION.test(region)) return `aws_region_name: '${region}' is not an AWS region name (e.g. us-east-1)`;
  target.region = region;
  if (!settings.api_base) target.apiBase = `https://bedrock-runtime.${region}.amazonaws.com`;
  if (target.apiKey) return undefined;
  const accessKeyId = settings.aws_access_key_id ?? env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = settings.aws_secret_access_key ?? env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    return "Amazon Bedrock needs credentials: set aws_access_key_id and aws_secret_access_key (or export AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), or a Bedrock API key (api_key, or AWS_BEARER_TOKEN_BEDROCK)";
  }
  const sessionToken = settings.aws_session_token ?? env.AWS_SESSION_TOKEN;
  target.aws = { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  return undefined;
}

/** AWS Bedrock's Converse API (chat, every model family) and InvokeModel (Titan and Cohere embeddings), signed with SigV4 or a Bedrock API key. */
export const bedrock: Provider = {
  id: "bedrock",
  label: LABEL,
  wire: "bedrock",
  // Replaced by the region's runtime host when the deployment is configured.
  defaultApiBase: "https://bedrock-runtime.us-east-1.amazonaws.com",
  apiKeyEnv: ["AWS_BEARER_TOKEN_BEDROCK"],
  apiBaseEnv: [],
  credentialEnv: ["AWS_ACCESS_KEY_ID"],
  requiresApiKey: false,
  operations: ["chat", "embeddings"],
  // Bedrock's own rows (regional and global Claude prices differ); Anthropic's list for a Claude model they lack yet.
  priceSources: [{ id: "aws" }, { id: "anthropic", model: claudeModelOf }],
  configure: configureBedrock,
  // Signing covers every header, so it runs last; a bearer API key needs nothing more.
  authorize: async (upstream, target) => (target.aws && target.region ? signBedrockRequest(upstream, target.aws, target.region) : upstream),
  streamDecoder: () => new AwsEventStreamDecoder(LABEL),
  chat: {
    buildRequest: buildBedrockRequest,
    parseResponse: parseBedrockResponse,
    streamReader: (state) => bedrockStreamReader(state, LABEL),
  },
  embeddings: {
    buildRequests: buildBedrockEmbeddings,
    parseResponses: (answers, state, model) =>
      parseBedrockEmbeddings(
        answers.map((answer) => answer.body),
        model,
        state as BedrockEmbeddingsState,
        answers.map((answer) => inputTokenCount(answer.headers)),
      ),
  },
  mapError: (status, body, headers) => mapBedrockError(LABEL, status, body, headers),
  streamError: (event) => bedrockStreamError(LABEL, event),
};
