import type { ChatRequest } from "../../canonical/chat.ts";
import { GatewayError } from "../../canonical/errors.ts";
import { isBlankText } from "../anthropic/empty-text.ts";
import { modelIdSegment } from "../model-id.ts";
import { planTokens, type TokenPlan } from "../anthropic/thinking.ts";
import type { PassthroughOptions, Target, UpstreamRequest } from "../types.ts";
import { toConverseMessages } from "./messages.ts";
import { refuseBedrockParam, toBedrockExtras } from "./params.ts";
import { isAnthropicModel, type BedrockState } from "./state.ts";
import { planRequestToolNames } from "../tool-names.ts";
import { CONVERSE_TOOL_NAMES, planConverseTools } from "./tools.ts";
import type { ConverseRequestBody } from "./wire.ts";

/** The bedrock-runtime operations the translators call, by their URL suffix. */
export type BedrockAction = "converse" | "converse-stream" | "invoke";

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * `https://bedrock-runtime.<region>.amazonaws.com`, or the deployment's `api_base` when set (a VPC
 * endpoint or a proxy). The region is checked so it can never change the host.
 */
export function bedrockBaseUrl(target: Target): string {
  if (target.apiBase) return target.apiBase.endsWith("/") ? target.apiBase.slice(0, -1) : target.apiBase;
  if (!target.region) throw new GatewayError("gateway.internal", "This Bedrock deployment has neither a region nor an api_base; set one in its config.");
  if (!REGION.test(target.region)) throw new GatewayError("gateway.internal", `This Bedrock deployment's region '${target.region}' is not an AWS region name (e.g. us-east-1).`);
  return `https://bedrock-runtime.${target.region}.amazonaws.com`;
}

/**
 * The URL of one operation on one model. The id is one path segment, encoded as AWS's SDK encodes
 * its `modelId` label (`:` and an ARN's `/` percent-encoded); an id that could leave the path is a 400.
 */
export function bedrockModelUrl(target: Target, action: BedrockAction): string {
  return `${bedrockBaseUrl(target)}/model/${modelIdSegment(target.model, "Amazon Bedrock", { slash: true })}/${action}`;
}

/** JSON in; JSON or event-stream out; a Bedrock API key as a bearer token (SigV4 is added later, by sign.ts); deployment headers last. */
export function bedrockHeaders(target: Target, accept: string): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json", accept };
  if (target.apiKey) headers.authorization = `Bearer ${target.apiKey}`;
  for (const [name, value] of Object.entries(target.headers ?? {})) headers[name.toLowerCase()] = value;
  return headers;
}

/** `max_tokens`, thinking and sampling for Claude: Anthropic's rules (thinking.ts), sent through `additionalModelRequestFields`. */
function planClaude(request: ChatRequest, model: string, options: PassthroughOptions): TokenPlan {
  const plan = planTokens(request, model);
  if (request.responseFormat && request.responseFormat.type !== "text" && plan.budget !== undefined) {
    // A forced tool call and extended thinking exclude each other; the format is the contract the client parses.
    const param = request.reasoning?.budgetTokens !== undefined ? "thinking" : "reasoning_effort";
    refuseBedrockParam(options, param, "cannot combine extended thinking with response_format (it is answered through a forced tool call)");
    return { maxTokens: plan.maxTokens };
  }
  return plan;
}

const wantsReasoning = (request: ChatRequest): boolean =>
  request.reasoning !== undefined && request.reasoning.enabled !== false && (request.reasoning.effort !== undefined || request.reasoning.budgetTokens !== undefined);

/** Builds the Converse (or ConverseStream) call for a canonical request, and the state its answer is read with. */
export function buildBedrockRequest(request: ChatRequest, target: Target, options: PassthroughOptions): { upstream: UpstreamRequest; state: BedrockState } {
  const claude = isAnthropicModel(target.model);
  const names = planRequestToolNames(request, CONVERSE_TOOL_NAMES);
  let plan: TokenPlan | undefined;
  if (claude) plan = planClaude(request, target.model, options);
  else if (wantsReasoning(request)) refuseBedrockParam(options, request.reasoning?.budgetTokens !== undefined ? "thinking" : "reasoning_effort", "takes reasoning controls only for Anthropic (Claude) models");
  const thinking = plan?.budget !== undefined;

  const { system, messages } = toConverseMessages(request.messages, (name) => names.forward.get(name) ?? name);
  const body: ConverseRequestBody = { messages };
  if (system.length > 0) body.system = system;

  const inference: NonNullable<ConverseRequestBody["inferenceConfig"]> = {};
  const additional: Record<string, unknown> = {};
  const maxTokens = plan?.maxTokens ?? request.maxTokens;
  if (maxTokens !== undefined) inference.maxTokens = maxTokens;
  if (request.temperature !== undefined) {
    // With thinking Claude takes only temperature 1, its default: sending nothing is the same.
    if (!thinking) inference.temperature = request.temperature;
    else if (request.temperature !== 1) refuseBedrockParam(options, "temperature", "does not accept temperature while extended thinking is on");
  }
  if (request.topP !== undefined) {
    if (!thinking || request.topP >= 0.95) inference.topP = request.topP;
    else refuseBedrockParam(options, "top_p", "accepts top_p only between 0.95 and 1 while extended thinking is on");
  }
  if (request.topK !== undefined) {
    if (!claude) refuseBedrockParam(options, "top_k", "passes top_k only to Anthropic (Claude) models");
    else if (!thinking) additional.top_k = request.topK;
    else refuseBedrockParam(options, "top_k", "does not accept top_k while extended thinking is on");
  }
  if (request.stop && request.stop.length > 0) {
    // Claude rejects stop sequences that are empty or only whitespace.
    const stops = claude ? request.stop.filter((stop) => !isBlankText(stop)) : request.stop;
    if (stops.length < request.stop.length) refuseBedrockParam(options, "stop", "rejects stop sequences that are empty or only whitespace for Claude models");
    if (stops.length > 0) inference.stopSequences = stops;
  }
  if (request.seed !== undefined) refuseBedrockParam(options, "seed", "does not support the parameter 'seed'");
  if (Object.keys(inference).length > 0) body.inferenceConfig = inference;

  const tools = planConverseTools(request, names, thinking, options);
  if (tools.toolConfig) body.toolConfig = tools.toolConfig;
  if (plan?.budget !== undefined) additional.thinking = { type: "enabled", budget_tokens: plan.budget };
  const betas = request.providerOptions?.anthropic?.beta;
  if (claude && (typeof betas === "string" || Array.isArray(betas))) {
    const list = (typeof betas === "string" ? betas.split(",") : betas).filter((beta): beta is string => typeof beta === "string").map((beta) => beta.trim()).filter((beta) => beta !== "");
    if (list.length > 0) additional.anthropic_beta = list;
  }

  const extras = toBedrockExtras(request.extra, request.providerOptions?.bedrock, options);
  const clientFields = extras.additionalModelRequestFields;
  const merged = clientFields && typeof clientFields === "object" && !Array.isArray(clientFields) ? { ...(clientFields as Record<string, unknown>), ...additional } : additional;
  if (Object.keys(merged).length > 0) body.additionalModelRequestFields = merged;
  for (const [name, value] of Object.entries(extras)) if (!(name in body) && name !== "additionalModelRequestFields") body[name] = value;

  const state: BedrockState = tools.jsonTool === undefined ? { model: target.model, reverseNames: names.reverse } : { model: target.model, reverseNames: names.reverse, jsonTool: tools.jsonTool };
  return {
    upstream: {
      url: bedrockModelUrl(target, request.stream ? "converse-stream" : "converse"),
      headers: bedrockHeaders(target, request.stream ? "application/vnd.amazon.eventstream" : "application/json"),
      body: JSON.stringify(body),
      ...(names.reverse.size > 0 ? { reverseNames: names.reverse } : {}),
    },
    state,
  };
}
