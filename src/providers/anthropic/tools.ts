import type { ChatRequest, ResponseFormat, ToolDefinition } from "../../canonical/chat.ts";
import { GatewayError } from "../../canonical/errors.ts";
import type { PassthroughOptions } from "../types.ts";
import { toAnthropicCacheControl } from "./messages.ts";
import { refuseParam } from "./params.ts";
import type { ToolNamePlan } from "../tool-names.ts";
import type { AnthropicTool, AnthropicToolChoice } from "./wire.ts";

/** The forced tool that carries a `response_format` answer (a free name is picked if a client tool has it). */
export const JSON_TOOL_NAME = "json_output";

/** Anthropic insists on `input_schema.type: "object"`; OpenAI clients often send `{}` for a tool without arguments. */
function toInputSchema(parameters: Record<string, unknown>): Record<string, unknown> {
  return parameters.type === undefined ? { type: "object", properties: {}, ...parameters } : { ...parameters };
}

// `strict` is not sent: Anthropic's strict tool use is a separate, model-dependent feature, and the
// schema alone already shapes the arguments.
function toAnthropicTool(tool: ToolDefinition, name: string): AnthropicTool {
  const out: AnthropicTool = { name, input_schema: toInputSchema(tool.parameters) };
  if (tool.description !== undefined) out.description = tool.description;
  if (tool.cacheControl) out.cache_control = toAnthropicCacheControl(tool.cacheControl);
  return out;
}

/** The tool whose forced call carries a structured answer: its input schema is the answer's. */
function jsonTool(format: Exclude<ResponseFormat, { type: "text" }>, name: string): AnthropicTool {
  if (format.type === "json_object") {
    return { name, description: "Respond with your complete answer as this tool's input, a JSON object.", input_schema: { type: "object", additionalProperties: true } };
  }
  const schema = format.schema;
  if (schema.type !== undefined && schema.type !== "object") {
    throw new GatewayError("caller.invalid_request", "Anthropic can only honour a response_format json_schema whose root is an object.", { param: "response_format" });
  }
  const description = format.description ?? `Respond with your complete answer as this tool's input (${format.name}).`;
  return { name, description, input_schema: toInputSchema(schema) };
}

function toAnthropicToolChoice(choice: ChatRequest["toolChoice"], toolName: (name: string) => string): AnthropicToolChoice | undefined {
  switch (choice?.type) {
    case undefined:
      return undefined;
    case "auto":
      return { type: "auto" };
    case "none":
      return { type: "none" };
    case "required":
      return { type: "any" };
    case "tool":
      return { type: "tool", name: toolName(choice.name) };
  }
}

/** `tools` and `tool_choice` for the body, and the forced format tool's name when there is one. */
export interface ToolsPlan {
  tools: (AnthropicTool | Record<string, unknown>)[];
  choice?: AnthropicToolChoice;
  jsonTool?: string;
}

/**
 * Client tools (renamed per `names`, first definition of a name wins), hosted tools untouched, the
 * forced `response_format` tool, and the tool_choice that fits them. While thinking, a forced call
 * is refused (dropped with drop_params); `parallel_tool_calls: false` becomes
 * `disable_parallel_tool_use` (which `none` does not take).
 */
export function planTools(request: ChatRequest, names: ToolNamePlan, thinking: boolean, options: PassthroughOptions): ToolsPlan {
  const toolName = (name: string) => names.forward.get(name) ?? name;
  const hosted = request.hostedTools ?? [];
  const tools: ToolsPlan["tools"] = [];
  const seen = new Set<string>();
  for (const tool of request.tools ?? []) {
    // A tool defined twice would reach Anthropic as a duplicate name, which it rejects.
    if (seen.has(tool.name)) continue;
    seen.add(tool.name);
    tools.push(toAnthropicTool(tool, toolName(tool.name)));
  }
  const callable = tools.length + hosted.length > 0;
  tools.push(...hosted);
  const plan: ToolsPlan = { tools };
  let choice = toAnthropicToolChoice(request.toolChoice, toolName);
  const format = request.responseFormat?.type === "text" ? undefined : request.responseFormat;
  if (format) {
    const taken = new Set([...names.forward.values(), ...hosted.map((tool) => tool.name)]);
    let name = JSON_TOOL_NAME;
    for (let n = 2; taken.has(name); n++) name = `${JSON_TOOL_NAME}_${n}`;
    tools.push(jsonTool(format, name));
    plan.jsonTool = name;
    // With other tools the model may still call one of them ("any"); otherwise it must answer through the format tool.
    if (choice?.type !== "tool") choice = callable && choice?.type !== "none" ? { type: "any" } : { type: "tool", name };
  }
  if (thinking && (choice?.type === "any" || choice?.type === "tool")) {
    refuseParam(options, "tool_choice", "cannot force a tool call while extended thinking is on");
    choice = undefined;
  }
  if (tools.length === 0 && choice !== undefined) {
    if (choice.type === "any" || choice.type === "tool") {
      throw new GatewayError("caller.invalid_request", "tool_choice asks for a tool call but the request defines no tools.", { param: "tool_choice" });
    }
    choice = undefined;
  }
  if (request.parallelToolCalls === false && tools.length > 0 && choice?.type !== "none") choice = { ...(choice ?? { type: "auto" }), disable_parallel_tool_use: true };
  if (choice) plan.choice = choice;
  return plan;
}
