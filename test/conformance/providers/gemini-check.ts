/**
 * Checks of a generateContent / streamGenerateContent body as Google validates it (the Gemini API
 * and Vertex AI take the same GenerateContentRequest), plus the contract's per-feature checks.
 * Shared by gemini.ts and vertex-gemini.ts; each problem is one line.
 */
import { HISTORY, IMAGE_QUESTION, JSON_SCHEMA, LENGTH_MAX_TOKENS, oddToolsProblem, PNG_BASE64, PRIOR_CALL, QUESTION, SYSTEM_PROMPT, THINKING_BUDGET, TOOL_RESULT, TOOLS, type Feature } from "../contract.ts";

/** Which Google service reads the body: a few top-level and generationConfig fields differ. */
export type GeminiFlavor = "gemini" | "vertex";

type Json = Record<string, any>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

const TOP_LEVEL = new Set(["contents", "systemInstruction", "tools", "toolConfig", "generationConfig", "safetySettings", "cachedContent"]);
/** Only Vertex AI takes these (the Gemini API answers "Unknown name"). */
const VERTEX_TOP_LEVEL = new Set(["labels", "modelArmorConfig"]);
const GENERATION_CONFIG = new Set([
  "stopSequences", "responseMimeType", "responseSchema", "responseJsonSchema", "responseModalities", "candidateCount", "maxOutputTokens",
  "temperature", "topP", "topK", "seed", "presencePenalty", "frequencyPenalty", "responseLogprobs", "logprobs", "speechConfig",
  "thinkingConfig", "imageConfig", "mediaResolution",
]);
const VERTEX_GENERATION_CONFIG = new Set(["routingConfig", "audioTimestamp"]);
const THINKING_CONFIG = new Set(["includeThoughts", "thinkingBudget", "thinkingLevel"]);
/** A Part's `data` union: exactly one of these. */
const PART_DATA = ["text", "inlineData", "fileData", "functionCall", "functionResponse", "executableCode", "codeExecutionResult"] as const;
const PART_META = new Set(["thought", "thoughtSignature", "videoMetadata", "mediaResolution"]);
const FUNCTION_NAME = /^[a-zA-Z_][a-zA-Z0-9_.-]{0,63}$/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const TOOL_FEATURES: ReadonlySet<Feature> = new Set(["tool-call", "parallel-tools", "tool-result"]);

/** The text of a content's text parts, joined ("" when it has none). */
const textOf = (content: Json): string => (content.parts as Json[]).flatMap((part) => (typeof part.text === "string" && part.thought !== true ? [part.text] : [])).join("");

/** Order-insensitive deep equality of JSON values (object key order is not meaningful on the wire). */
function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => same(item, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && same(a[key], b[key]));
  }
  return a === b;
}

function checkPart(part: unknown, where: string, role: string): string | undefined {
  if (!isObject(part)) return `${where}: must be an object`;
  const data = PART_DATA.filter((field) => part[field] !== undefined);
  if (data.length !== 1) return `${where}: a Part must set exactly one data field (${PART_DATA.join(", ")}), found ${data.length === 0 ? "none" : data.join(", ")}`;
  const unknown = Object.keys(part).find((key) => !(PART_DATA as readonly string[]).includes(key) && !PART_META.has(key));
  if (unknown) return `${where}: Unknown name "${unknown}": Cannot find field.`;
  if (part.thought !== undefined && typeof part.thought !== "boolean") return `${where}.thought: must be a boolean`;
  if (part.thoughtSignature !== undefined && (typeof part.thoughtSignature !== "string" || !BASE64.test(part.thoughtSignature))) return `${where}.thoughtSignature: must be base64 bytes`;
  if (part.text !== undefined && typeof part.text !== "string") return `${where}.text: must be a string`;
  if (part.inlineData !== undefined) {
    const { mimeType, data } = part.inlineData as Json;
    if (typeof mimeType !== "string" || mimeType === "" || typeof data !== "string" || data === "" || !BASE64.test(data)) return `${where}.inlineData: needs mimeType and base64 data`;
  }
  if (part.fileData !== undefined && (!isObject(part.fileData) || typeof part.fileData.fileUri !== "string")) return `${where}.fileData.fileUri: required`;
  if (part.functionCall !== undefined) {
    if (role !== "model") return `${where}: a functionCall part belongs to a model turn`;
    const call = part.functionCall;
    if (!isObject(call) || typeof call.name !== "string" || !FUNCTION_NAME.test(call.name)) return `${where}.functionCall.name: invalid function name`;
    if (call.args !== undefined && !isObject(call.args)) return `${where}.functionCall.args: must be an object`;
  }
  if (part.functionResponse !== undefined) {
    if (role !== "user") return `${where}: a functionResponse part belongs to a user turn`;
    const response = part.functionResponse;
    if (!isObject(response) || typeof response.name !== "string" || !FUNCTION_NAME.test(response.name)) return `${where}.functionResponse.name: invalid function name`;
    if (!isObject(response.response)) return `${where}.functionResponse.response: must be an object`;
  }
  return undefined;
}

/** Google's turn rules: function responses answer the model turn right before, one per call, matched by name. */
function checkTurns(contents: Json[]): string | undefined {
  for (const [i, content] of contents.entries()) {
    const responses = (content.parts as Json[]).filter((part) => part.functionResponse !== undefined).map((part) => part.functionResponse.name as string);
    const previous = contents[i - 1];
    const calls = previous?.role === "model" ? (previous.parts as Json[]).filter((part) => part.functionCall !== undefined).map((part) => part.functionCall.name as string) : [];
    if (responses.length === 0) {
      if (calls.length > 0) return `contents[${i}]: the model turn contents[${i - 1}] made function calls; this turn must answer them with functionResponse parts`;
      continue;
    }
    if (responses.length !== calls.length) {
      return `contents[${i}]: Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.`;
    }
    if ([...responses].sort().join() !== [...calls].sort().join()) return `contents[${i}]: function responses (${responses.join(", ")}) do not name the calls (${calls.join(", ")})`;
  }
  return undefined;
}

function checkTools(body: Json): string | undefined {
  if (body.tools === undefined) return body.toolConfig === undefined ? undefined : "toolConfig: given without tools";
  if (!Array.isArray(body.tools) || body.tools.length === 0) return "tools: must be a non-empty array";
  const names = new Set<string>();
  for (const [i, tool] of body.tools.entries()) {
    if (!isObject(tool) || Object.keys(tool).length !== 1) return `tools[${i}]: a Tool sets exactly one kind (functionDeclarations, googleSearch, codeExecution...)`;
    if (tool.functionDeclarations === undefined) continue;
    if (!Array.isArray(tool.functionDeclarations) || tool.functionDeclarations.length === 0) return `tools[${i}].functionDeclarations: must be a non-empty array`;
    for (const [j, declaration] of tool.functionDeclarations.entries()) {
      const where = `tools[${i}].functionDeclarations[${j}]`;
      if (!isObject(declaration) || typeof declaration.name !== "string" || !FUNCTION_NAME.test(declaration.name)) return `${where}.name: invalid function name`;
      if (names.has(declaration.name)) return `${where}.name: duplicate function name ${declaration.name}`;
      names.add(declaration.name);
      const unknown = Object.keys(declaration).find((key) => !["name", "description", "parameters", "parametersJsonSchema", "response", "responseJsonSchema", "behavior"].includes(key));
      if (unknown) return `${where}: Unknown name "${unknown}": Cannot find field.`;
      if (declaration.parameters !== undefined && declaration.parametersJsonSchema !== undefined) return `${where}: parameters and parametersJsonSchema are mutually exclusive`;
      if (declaration.parametersJsonSchema !== undefined && (!isObject(declaration.parametersJsonSchema) || "$schema" in declaration.parametersJsonSchema)) return `${where}.parametersJsonSchema: must be a JSON Schema object without $schema`;
    }
  }
  const config = body.toolConfig?.functionCallingConfig;
  if (body.toolConfig !== undefined) {
    if (!isObject(config) || !["AUTO", "ANY", "NONE", "VALIDATED"].includes(config.mode)) return "toolConfig.functionCallingConfig.mode: must be AUTO, ANY, NONE or VALIDATED";
    if (config.allowedFunctionNames !== undefined && config.mode !== "ANY" && config.mode !== "VALIDATED") return "toolConfig.functionCallingConfig.allowedFunctionNames: only with mode ANY";
  }
  return undefined;
}

function checkGenerationConfig(config: unknown, flavor: GeminiFlavor): string | undefined {
  if (config === undefined) return undefined;
  if (!isObject(config)) return "generationConfig: must be an object";
  const unknown = Object.keys(config).find((key) => !GENERATION_CONFIG.has(key) && !(flavor === "vertex" && VERTEX_GENERATION_CONFIG.has(key)));
  if (unknown) return `Invalid JSON payload received. Unknown name "${unknown}" at 'generation_config': Cannot find field.`;
  if (config.maxOutputTokens !== undefined && (!Number.isInteger(config.maxOutputTokens) || config.maxOutputTokens < 1)) return "generationConfig.maxOutputTokens: must be a positive integer";
  if (config.temperature !== undefined && (typeof config.temperature !== "number" || config.temperature < 0 || config.temperature > 2)) return "generationConfig.temperature: must be in [0, 2]";
  if (config.topP !== undefined && (typeof config.topP !== "number" || config.topP < 0 || config.topP > 1)) return "generationConfig.topP: must be in [0, 1]";
  if (Array.isArray(config.stopSequences) && config.stopSequences.length > 5) return "generationConfig.stopSequences: at most 5";
  if (config.responseSchema !== undefined && config.responseJsonSchema !== undefined) return "generationConfig: responseSchema and responseJsonSchema are mutually exclusive";
  if ((config.responseSchema !== undefined || config.responseJsonSchema !== undefined) && config.responseMimeType !== "application/json") {
    return "generationConfig.responseMimeType: must be application/json when a response schema is set";
  }
  const thinking = config.thinkingConfig;
  if (thinking !== undefined) {
    if (!isObject(thinking)) return "generationConfig.thinkingConfig: must be an object";
    const extra = Object.keys(thinking).find((key) => !THINKING_CONFIG.has(key));
    if (extra) return `Invalid JSON payload received. Unknown name "${extra}" at 'generation_config.thinking_config': Cannot find field.`;
    if (thinking.thinkingBudget !== undefined && thinking.thinkingLevel !== undefined) return "generationConfig.thinkingConfig: thinking_budget and thinking_level are not supported together";
    if (thinking.thinkingBudget !== undefined && (!Number.isInteger(thinking.thinkingBudget) || thinking.thinkingBudget < -1)) return "generationConfig.thinkingConfig.thinkingBudget: must be an integer >= -1";
  }
  return undefined;
}

/** The body's problems as Google reports them (first one found), or undefined. */
function checkShape(body: unknown, flavor: GeminiFlavor): string | undefined {
  if (!isObject(body)) return "Invalid JSON payload received: the body must be a JSON object";
  const unknown = Object.keys(body).find((key) => !TOP_LEVEL.has(key) && !(flavor === "vertex" && VERTEX_TOP_LEVEL.has(key)));
  if (unknown) return `Invalid JSON payload received. Unknown name "${unknown}": Cannot find field.`;
  if (!Array.isArray(body.contents) || body.contents.length === 0) return "contents: must not be empty";
  for (const [i, content] of body.contents.entries()) {
    if (!isObject(content)) return `contents[${i}]: must be an object`;
    const extra = Object.keys(content).find((key) => key !== "role" && key !== "parts");
    if (extra) return `contents[${i}]: Unknown name "${extra}": Cannot find field.`;
    // The Gemini API defaults a missing role to user; Vertex AI requires it in multi-turn requests.
    if (content.role !== "user" && content.role !== "model") return `contents[${i}].role: must be 'user' or 'model', got ${JSON.stringify(content.role)}`;
    if (!Array.isArray(content.parts) || content.parts.length === 0) return `contents[${i}].parts: contents.parts must not be empty.`;
    for (const [j, part] of content.parts.entries()) {
      const problem = checkPart(part, `contents[${i}].parts[${j}]`, content.role);
      if (problem) return problem;
    }
  }
  const turns = checkTurns(body.contents);
  if (turns) return turns;
  const system = body.systemInstruction;
  if (system !== undefined) {
    if (!isObject(system) || !Array.isArray(system.parts) || system.parts.length === 0) return "systemInstruction.parts: must not be empty";
    if (!system.parts.every((part: unknown) => isObject(part) && typeof part.text === "string" && Object.keys(part).length === 1)) return "systemInstruction.parts: only text parts";
  }
  return checkTools(body) ?? checkGenerationConfig(body.generationConfig, flavor);
}

/** The contract's checks of what the feature must find in the body (after the shape is valid). */
function checkFeature(body: Json, feature: Feature): string | undefined {
  const contents = body.contents as Json[];
  const config: Json = body.generationConfig ?? {};
  const systemText = ((body.systemInstruction?.parts ?? []) as Json[]).map((part) => part.text).join("");
  if (feature === "system") {
    if (systemText !== SYSTEM_PROMPT) return `systemInstruction must hold the system prompt, got ${JSON.stringify(systemText)}`;
    if (contents.some((content) => textOf(content).includes(SYSTEM_PROMPT))) return "the system prompt was sent as a turn instead of only in systemInstruction";
  }
  if (feature === "multi-turn") {
    const turns = contents.map((content) => [content.role, textOf(content)]);
    const expected = [["user", HISTORY[0]], ["model", HISTORY[1]], ["user", QUESTION]];
    if (!same(turns, expected)) return `contents must be ${JSON.stringify(expected)}, got ${JSON.stringify(turns)}`;
  }
  if (feature === "image") {
    const user = contents.at(-1) as Json;
    const image = (user.parts as Json[]).find((part) => part.inlineData !== undefined);
    if (user.role !== "user" || !image || image.inlineData.mimeType !== "image/png" || image.inlineData.data !== PNG_BASE64) return "the last user turn must carry the PNG as inlineData with mimeType image/png";
    if (textOf(user) !== IMAGE_QUESTION) return `the image's question is missing, got ${JSON.stringify(textOf(user))}`;
  }
  if (TOOL_FEATURES.has(feature)) {
    const declared = ((body.tools ?? []) as Json[]).flatMap((tool) => (tool.functionDeclarations ?? []) as Json[]);
    for (const tool of TOOLS) {
      const found = declared.find((declaration) => declaration.name === tool.name);
      if (!found) return `functionDeclarations must declare ${tool.name}`;
      if (found.description !== tool.description) return `${tool.name}: description ${JSON.stringify(found.description)} is not the client's`;
      if (!same(found.parametersJsonSchema ?? found.parameters, tool.parameters)) return `${tool.name}: parameters ${JSON.stringify(found.parametersJsonSchema ?? found.parameters)} are not the client's schema`;
    }
  }
  if (feature === "tool-names") {
    const declared = ((body.tools ?? []) as Json[]).flatMap((tool) => (tool.functionDeclarations ?? []) as Json[]);
    const problem = oddToolsProblem(declared.map((found) => ({ name: found.name, description: found.description, schema: found.parametersJsonSchema ?? found.parameters })));
    if (problem) return problem;
  }
  if (feature === "tool-result") {
    const turns = contents.map((content) => content.role).join(",");
    const [ask, call, result] = contents.slice(-3) as Json[];
    const calls = ((call?.parts ?? []) as Json[]).filter((part) => part.functionCall);
    const results = ((result?.parts ?? []) as Json[]).filter((part) => part.functionResponse);
    if (turns !== "user,model,user" || textOf(ask as Json) !== QUESTION) return `contents must be the question, the model's call and the result, got roles ${turns}`;
    if (calls.length !== 1 || calls[0]?.functionCall.name !== PRIOR_CALL.name || !same(calls[0]?.functionCall.args ?? {}, PRIOR_CALL.arguments)) return `the model turn must hold the call ${JSON.stringify(PRIOR_CALL)}`;
    if (results.length !== 1 || results[0]?.functionResponse.name !== PRIOR_CALL.name || !JSON.stringify(results[0]?.functionResponse.response).includes(TOOL_RESULT)) {
      return `the last user turn must answer ${PRIOR_CALL.name} with a functionResponse holding the result, got ${JSON.stringify(result?.parts)}`;
    }
  }
  if (feature === "json-schema") {
    if (config.responseMimeType !== "application/json") return `generationConfig.responseMimeType must be application/json, got ${JSON.stringify(config.responseMimeType)}`;
    if (!same(config.responseJsonSchema, JSON_SCHEMA)) return `generationConfig.responseJsonSchema must be the client's schema, got ${JSON.stringify(config.responseJsonSchema ?? config.responseSchema)}`;
  }
  if (feature === "reasoning") {
    const thinking = config.thinkingConfig;
    if (thinking?.includeThoughts !== true) return "generationConfig.thinkingConfig.includeThoughts must be true (thoughts asked for)";
    if (thinking.thinkingBudget !== THINKING_BUDGET && thinking.thinkingLevel !== "low") return `thinking must be budget ${THINKING_BUDGET} (or level low), got ${JSON.stringify(thinking)}`;
  }
  if (feature === "finish-length" && config.maxOutputTokens !== LENGTH_MAX_TOKENS) return `generationConfig.maxOutputTokens must be ${LENGTH_MAX_TOKENS}, got ${JSON.stringify(config.maxOutputTokens)}`;
  return undefined;
}

/** What is wrong with a request body for this feature, or undefined when Google would take it and it holds what the client asked for. */
export function checkGeminiBody(body: unknown, feature: Feature, flavor: GeminiFlavor): string | undefined {
  return checkShape(body, flavor) ?? checkFeature(body as Json, feature);
}
