import { isRecord } from "../../json/is-record.ts";
import { GATEWAY_ONLY_FIELDS } from "../../providers/openai/request.ts";
import type { ChatRequest, Reasoning, ResponseFormat, ToolChoice, ToolDefinition } from "../../canonical/chat.ts";
import { GatewayError } from "../../canonical/errors.ts";
import { fromWireCacheControl } from "../cache-control.ts";
import { fromOpenAIMessages } from "./decode-messages.ts";

/** Body fields with a canonical home (or none anywhere); every other field goes to `extra` by its wire name. */
const KNOWN_FIELDS: ReadonlySet<string> = new Set([
  "model",
  "messages",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "top_k",
  "stop",
  "seed",
  "user",
  "response_format",
  "reasoning_effort",
  "thinking",
  "stream",
  "stream_options",
  "n",
  ...GATEWAY_ONLY_FIELDS,
]);

const EFFORTS: ReadonlySet<string> = new Set(["minimal", "low", "medium", "high"]);

function invalid(message: string, param: string): GatewayError {
  return new GatewayError("caller.invalid_request", message, { param });
}

/** A numeric field, undefined when absent or null. */
function numberField(body: Record<string, unknown>, key: string): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw invalid(`${key} must be a number.`, key);
  return value;
}

/** Function tools become canonical tools; any other tool type is provider-hosted and passes through as given. */
function fromOpenAITools(tools: unknown[], request: ChatRequest): void {
  const defined: ToolDefinition[] = [];
  const hosted: Record<string, unknown>[] = [];
  tools.forEach((tool, i) => {
    if (!isRecord(tool)) throw invalid("A tool must be an object.", `tools[${i}]`);
    if (tool.type !== "function") {
      hosted.push(tool);
      return;
    }
    const fn = tool.function;
    if (!isRecord(fn) || typeof fn.name !== "string") throw invalid("A function tool needs function.name.", `tools[${i}].function.name`);
    const out: ToolDefinition = { name: fn.name, parameters: isRecord(fn.parameters) ? fn.parameters : { type: "object", properties: {} } };
    if (typeof fn.description === "string") out.description = fn.description;
    if (typeof fn.strict === "boolean") out.strict = fn.strict;
    const cacheControl = fromWireCacheControl(tool.cache_control, `tools[${i}]`);
    if (cacheControl) out.cacheControl = cacheControl;
    defined.push(out);
  });
  if (defined.length > 0) request.tools = defined;
  if (hosted.length > 0) request.hostedTools = hosted;
}

function fromOpenAIToolChoice(choice: unknown): ToolChoice {
  if (choice === "auto" || choice === "none" || choice === "required") return { type: choice };
  if (isRecord(choice) && choice.type === "function" && isRecord(choice.function) && typeof choice.function.name === "string") {
    return { type: "tool", name: choice.function.name };
  }
  throw invalid("tool_choice must be 'auto', 'none', 'required' or {type: 'function', function: {name}}.", "tool_choice");
}

function fromOpenAIResponseFormat(format: unknown): ResponseFormat {
  if (isRecord(format) && (format.type === "text" || format.type === "json_object")) return { type: format.type };
  if (isRecord(format) && format.type === "json_schema" && isRecord(format.json_schema) && typeof format.json_schema.name === "string") {
    const { name, schema, strict, description } = format.json_schema;
    const out: ResponseFormat = { type: "json_schema", name, schema: isRecord(schema) ? schema : {} };
    if (typeof strict === "boolean") out.strict = strict;
    if (typeof description === "string") out.description = description;
    return out;
  }
  throw invalid("response_format must be {type: 'text'}, {type: 'json_object'} or {type: 'json_schema', json_schema: {name, schema}}.", "response_format");
}

function fromOpenAIReasoningEffort(effort: unknown): Reasoning {
  if (effort === "none") return { enabled: false };
  if (typeof effort === "string" && EFFORTS.has(effort)) return { effort: effort as NonNullable<Reasoning["effort"]> };
  throw invalid("reasoning_effort must be one of none, minimal, low, medium, high.", "reasoning_effort");
}

/** Anthropic-style `thinking` sent in an OpenAI-format body (as LiteLLM accepts it): an explicit budget. */
function fromThinking(thinking: unknown): Reasoning {
  if (isRecord(thinking) && thinking.type === "disabled") return { enabled: false };
  if (isRecord(thinking) && thinking.type === "enabled" && typeof thinking.budget_tokens === "number" && Number.isInteger(thinking.budget_tokens) && thinking.budget_tokens > 0) {
    return { enabled: true, budgetTokens: thinking.budget_tokens };
  }
  throw invalid("thinking must be {type: 'enabled', budget_tokens: <positive integer>} or {type: 'disabled'}.", "thinking");
}

function fromOpenAIStop(stop: unknown): string[] {
  if (typeof stop === "string") return [stop];
  if (Array.isArray(stop) && stop.every((s) => typeof s === "string")) return stop;
  throw invalid("stop must be a string or an array of strings.", "stop");
}

/**
 * A validated OpenAI chat completions body -> canonical request. Null means "not set". Fields without a
 * canonical home go to `extra` under their wire name; what the canonical model cannot hold (n > 1, file ids, audio
 * input) is refused with a 400 naming the field.
 */
export function fromOpenAIChatRequest(body: Record<string, unknown>): ChatRequest {
  const stream = body.stream === true;
  const request: ChatRequest = { model: String(body.model), messages: fromOpenAIMessages(body.messages), stream, extra: {} };
  const given = (key: string) => body[key] !== undefined && body[key] !== null;
  if (given("n") && body.n !== 1) throw invalid("This model's provider returns one choice per request; n must be 1.", "n");
  if (Array.isArray(body.tools)) fromOpenAITools(body.tools, request);
  if (given("tool_choice")) request.toolChoice = fromOpenAIToolChoice(body.tool_choice);
  if (typeof body.parallel_tool_calls === "boolean") request.parallelToolCalls = body.parallel_tool_calls;
  const maxTokens = numberField(body, "max_completion_tokens") ?? numberField(body, "max_tokens");
  if (maxTokens !== undefined) request.maxTokens = maxTokens;
  const temperature = numberField(body, "temperature");
  if (temperature !== undefined) request.temperature = temperature;
  const topP = numberField(body, "top_p");
  if (topP !== undefined) request.topP = topP;
  const topK = numberField(body, "top_k");
  if (topK !== undefined) request.topK = topK;
  const seed = numberField(body, "seed");
  if (seed !== undefined) request.seed = seed;
  if (given("stop")) request.stop = fromOpenAIStop(body.stop);
  if (typeof body.user === "string") request.user = body.user;
  if (given("response_format")) request.responseFormat = fromOpenAIResponseFormat(body.response_format);
  if (given("reasoning_effort")) request.reasoning = fromOpenAIReasoningEffort(body.reasoning_effort);
  // An explicit budget wins over an effort level.
  if (given("thinking")) request.reasoning = { ...request.reasoning, ...fromThinking(body.thinking) };
  if (stream && isRecord(body.stream_options) && body.stream_options.include_usage === true) request.streamUsage = true;
  for (const [key, value] of Object.entries(body)) {
    if (!KNOWN_FIELDS.has(key) && value !== undefined && value !== null) request.extra[key] = value;
  }
  return request;
}
