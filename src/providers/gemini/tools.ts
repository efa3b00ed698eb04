import type { ChatRequest, ToolDefinition } from "../../canonical/chat.ts";
import { GatewayError } from "../../canonical/errors.ts";
import type { PassthroughOptions } from "../types.ts";
import { refuseGeminiParam } from "./params.ts";
import { isEmptyObjectSchema, toGeminiJsonSchema } from "./schema.ts";
import type { ToolNamePlan } from "../tool-names.ts";
import type { GeminiFunctionCallingConfig, GeminiFunctionDeclaration } from "./wire.ts";

// `strict` is not sent: Gemini's schema-enforcing mode (VALIDATED) is newer than some of the models
// this serves, and the schema alone already shapes the arguments.
function toDeclaration(tool: ToolDefinition, name: string): GeminiFunctionDeclaration {
  const out: GeminiFunctionDeclaration = { name };
  if (tool.description !== undefined) out.description = tool.description;
  // A function without parameters takes no schema at all.
  if (!isEmptyObjectSchema(tool.parameters)) out.parametersJsonSchema = toGeminiJsonSchema(tool.parameters);
  return out;
}

/** `tools` and `toolConfig` for the body. */
export interface GeminiToolsPlan {
  tools?: Record<string, unknown>[];
  toolConfig?: { functionCallingConfig: GeminiFunctionCallingConfig };
}

/**
 * Client tools as one `functionDeclarations` entry (first definition of a name wins), hosted tools
 * that are Gemini's own tool objects (`{googleSearch: {}}`, `{codeExecution: {}}`, `{urlContext: {}}`,
 * as LiteLLM takes them) passed through, and `tool_choice` as `functionCallingConfig`: auto -> AUTO,
 * none -> NONE, required -> ANY, a named tool -> ANY limited to that name. Another gateway's hosted
 * tools (they have a `type`) and `parallel_tool_calls: false` have no Gemini form: refused, or
 * dropped with drop_params.
 */
export function planGeminiTools(request: ChatRequest, names: ToolNamePlan, options: PassthroughOptions): GeminiToolsPlan {
  const functionName = (name: string) => names.forward.get(name) ?? name;
  const declarations: GeminiFunctionDeclaration[] = [];
  const seen = new Set<string>();
  for (const tool of request.tools ?? []) {
    if (seen.has(tool.name)) continue;
    seen.add(tool.name);
    declarations.push(toDeclaration(tool, functionName(tool.name)));
  }
  const tools: Record<string, unknown>[] = [];
  for (const tool of request.hostedTools ?? []) {
    if (typeof tool.type === "string") refuseGeminiParam(options, "tools", `cannot run the hosted tool '${tool.type}'; it takes its own tool objects such as {"googleSearch": {}}`);
    else tools.push(tool);
  }
  if (declarations.length > 0) tools.push({ functionDeclarations: declarations });
  const plan: GeminiToolsPlan = tools.length > 0 ? { tools } : {};
  const choice = request.toolChoice;
  if (choice && (choice.type === "required" || choice.type === "tool") && declarations.length === 0) {
    throw new GatewayError("caller.invalid_request", "tool_choice asks for a tool call but the request defines no tools.", { param: "tool_choice" });
  }
  if (declarations.length > 0 && choice) {
    if (choice.type === "auto") plan.toolConfig = { functionCallingConfig: { mode: "AUTO" } };
    else if (choice.type === "none") plan.toolConfig = { functionCallingConfig: { mode: "NONE" } };
    else if (choice.type === "required") plan.toolConfig = { functionCallingConfig: { mode: "ANY" } };
    else plan.toolConfig = { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [functionName(choice.name)] } };
  }
  if (request.parallelToolCalls === false && declarations.length > 0 && choice?.type !== "none") {
    refuseGeminiParam(options, "parallel_tool_calls", "cannot turn off parallel function calls");
  }
  return plan;
}
