import type { ChatRequest, ResponseFormat, ToolChoice, ToolDefinition } from "../../canonical/chat.ts";
import { GatewayError } from "../../canonical/errors.ts";
import type { ToolNamePlan, ToolNameRule } from "../tool-names.ts";
import { JSON_TOOL_NAME } from "../anthropic/tools.ts";
import type { PassthroughOptions } from "../types.ts";
import { toCachePoint } from "./content.ts";
import { refuseBedrockParam } from "./params.ts";
import type { ConverseTool, ConverseToolChoice } from "./wire.ts";

/**
 * What Converse accepts as a tool name (ToolSpecification and SpecificToolChoice, for every model):
 * 1-64 of `[a-zA-Z0-9_-]`, so Anthropic's characters with OpenAI's length.
 */
export const CONVERSE_TOOL_NAMES: ToolNameRule = { pattern: /^[a-zA-Z0-9_-]{1,64}$/, character: /^[a-zA-Z0-9_-]$/, maxLength: 64 };

/** Converse insists on an object schema at the root; OpenAI clients often send `{}` for a tool without arguments. */
const toInputSchema = (parameters: Record<string, unknown>): Record<string, unknown> =>
  parameters.type === undefined ? { type: "object", properties: {}, ...parameters } : { ...parameters };

// `strict` is not sent: only some Bedrock models take it, and the schema alone shapes the arguments.
function toConverseTools(tool: ToolDefinition, name: string): ConverseTool[] {
  const spec: ConverseTool = { toolSpec: { name, inputSchema: { json: toInputSchema(tool.parameters) } } };
  if (tool.description) spec.toolSpec.description = tool.description;
  return tool.cacheControl ? [spec, toCachePoint(tool.cacheControl)] : [spec];
}

/** The tool whose forced call carries a structured answer: its input schema is the answer's. */
function jsonTool(format: Exclude<ResponseFormat, { type: "text" }>, name: string): ConverseTool {
  if (format.type === "json_object") {
    return { toolSpec: { name, description: "Respond with your complete answer as this tool's input, a JSON object.", inputSchema: { json: { type: "object", additionalProperties: true } } } };
  }
  if (format.schema.type !== undefined && format.schema.type !== "object") {
    throw new GatewayError("caller.invalid_request", "Bedrock can only honour a response_format json_schema whose root is an object.", { param: "response_format" });
  }
  const description = format.description ?? `Respond with your complete answer as this tool's input (${format.name}).`;
  return { toolSpec: { name, description, inputSchema: { json: toInputSchema(format.schema) } } };
}

function toChoice(choice: ToolChoice | undefined, toolName: (name: string) => string): ConverseToolChoice | "none" | undefined {
  switch (choice?.type) {
    case undefined:
      return undefined;
    case "auto":
      return { auto: {} };
    case "none":
      return "none";
    case "required":
      return { any: {} };
    case "tool":
      return { tool: { name: toolName(choice.name) } };
  }
}

const holdsToolBlocks = (request: ChatRequest): boolean => request.messages.some((message) => message.content.some((part) => part.type === "tool-call" || part.type === "tool-result"));

/** `toolConfig` for the body (undefined: none is sent), and the forced format tool's name when there is one. */
export interface ConverseToolsPlan {
  toolConfig?: { tools: ConverseTool[]; toolChoice?: ConverseToolChoice };
  jsonTool?: string;
}

/**
 * Client tools (renamed per `names`, first definition of a name wins), the forced `response_format`
 * tool, and the choice that fits them. Converse rejects a conversation holding tool calls without
 * `toolConfig`, so when the client defines no tools those the history names are declared with an
 * open schema. Converse has no `none`: it is honoured by sending no tools, which is impossible once
 * the history holds tool calls (refused, or dropped with drop_params). While thinking, a forced
 * call is refused (dropped with drop_params). Provider-hosted tools and `parallel_tool_calls: false`
 * have no Converse form (refused, or dropped).
 */
export function planConverseTools(request: ChatRequest, names: ToolNamePlan, thinking: boolean, options: PassthroughOptions): ConverseToolsPlan {
  const toolName = (name: string) => names.forward.get(name) ?? name;
  if ((request.hostedTools ?? []).length > 0) refuseBedrockParam(options, "tools", "cannot run provider-hosted tools (web search, code execution, ...)");
  const tools: ConverseTool[] = [];
  const seen = new Set<string>();
  for (const tool of request.tools ?? []) {
    if (seen.has(tool.name)) continue;
    seen.add(tool.name);
    tools.push(...toConverseTools(tool, toolName(tool.name)));
  }
  const callable = seen.size > 0;
  let choice = toChoice(request.toolChoice, toolName);
  const plan: ConverseToolsPlan = {};
  const format = request.responseFormat?.type === "text" ? undefined : request.responseFormat;
  if (format) {
    const taken = new Set(names.forward.values());
    let name = JSON_TOOL_NAME;
    for (let n = 2; taken.has(name); n++) name = `${JSON_TOOL_NAME}_${n}`;
    tools.push(jsonTool(format, name));
    plan.jsonTool = name;
    // With other tools the model may still call one of them ("any"); otherwise it must answer through the format tool.
    if (choice === undefined || choice === "none" || !("tool" in choice)) choice = callable && choice !== "none" ? { any: {} } : { tool: { name } };
  }
  if (thinking && choice !== undefined && choice !== "none" && !("auto" in choice)) {
    refuseBedrockParam(options, "tool_choice", "cannot force a tool call while extended thinking is on");
    choice = undefined;
  }
  const history = holdsToolBlocks(request);
  if (choice === "none") {
    if (!history) return plan;
    refuseBedrockParam(options, "tool_choice", "cannot forbid tool calls ('none') in a conversation that already holds tool calls, since Converse then requires the tools to be defined");
    choice = undefined;
  }
  if (tools.length === 0) {
    if (choice !== undefined && !("auto" in choice)) {
      throw new GatewayError("caller.invalid_request", "tool_choice asks for a tool call but the request defines no tools.", { param: "tool_choice" });
    }
    if (!history) return plan;
    for (const message of request.messages) for (const part of message.content) if (part.type === "tool-call") seen.add(toolName(part.name));
    for (const name of seen) tools.push({ toolSpec: { name, description: "A tool called earlier in this conversation.", inputSchema: { json: { type: "object" } } } });
    if (tools.length === 0) return plan;
  }
  if (request.parallelToolCalls === false) refuseBedrockParam(options, "parallel_tool_calls", "cannot limit a turn to one tool call");
  plan.toolConfig = choice === undefined ? { tools } : { tools, toolChoice: choice };
  return plan;
}
