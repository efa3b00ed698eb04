/**
 * The conformance Bedrock mock's check of a Converse / ConverseStream request body against the
 * bedrock-runtime API reference (2023-09-30): the members each structure takes, unions with
 * exactly one member set, the constraints AWS documents (tool names, ids, ranges), the
 * conversation rules Converse enforces (starts with a user turn, roles alternate, toolResult
 * answers the previous turn's toolUse, toolConfig present once tool blocks are in the history)
 * and, for Claude models, Anthropic's extended-thinking rules.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const isBlank = (value: unknown): boolean => typeof value !== "string" || value.trim() === "";

const TOP_LEVEL = new Set([
  "messages", "system", "inferenceConfig", "toolConfig", "guardrailConfig", "additionalModelRequestFields",
  "additionalModelResponseFieldPaths", "promptVariables", "requestMetadata", "performanceConfig", "serviceTier", "outputConfig",
]);
const CONTENT_MEMBERS = new Set(["text", "image", "document", "video", "toolUse", "toolResult", "guardContent", "cachePoint", "reasoningContent", "citationsContent", "searchResult"]);
const USER_ONLY = new Set(["image", "document", "video", "toolResult"]);
const ASSISTANT_ONLY = new Set(["toolUse", "reasoningContent"]);
const SYSTEM_MEMBERS = new Set(["text", "guardContent", "cachePoint"]);
const TOOL_RESULT_MEMBERS = new Set(["json", "text", "image", "document", "video", "searchResult"]);
const INFERENCE = new Set(["maxTokens", "temperature", "topP", "stopSequences"]);
const IMAGE_FORMATS = new Set(["png", "jpeg", "gif", "webp"]);
const NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The one member a union holds, or a problem naming `where`. */
function unionMember(value: unknown, members: ReadonlySet<string>, where: string): { member: string } | { problem: string } {
  if (!isObject(value)) return { problem: `${where}: must be an object` };
  const keys = Object.keys(value);
  const unknown = keys.find((key) => !members.has(key));
  if (unknown) return { problem: `${where}: unknown member '${unknown}'` };
  if (keys.length !== 1) return { problem: `${where}: a union must have exactly one member set, got ${keys.length} (${keys.join(", ")})` };
  return { member: keys[0] as string };
}

function checkCachePoint(value: unknown, where: string): string | undefined {
  if (!isObject(value) || value.type !== "default") return `${where}.cachePoint: must be {"type":"default"}`;
  if (value.ttl !== undefined && value.ttl !== "5m" && value.ttl !== "1h") return `${where}.cachePoint.ttl: must be 5m or 1h`;
  return undefined;
}

function checkImage(image: unknown, where: string): string | undefined {
  if (!isObject(image)) return `${where}.image: must be an object`;
  if (typeof image.format !== "string" || !IMAGE_FORMATS.has(image.format)) return `${where}.image.format: must be one of png, jpeg, gif, webp (got ${JSON.stringify(image.format)})`;
  const source = unionMember(image.source, new Set(["bytes", "s3Location"]), `${where}.image.source`);
  if ("problem" in source) return source.problem;
  if (source.member === "s3Location") return typeof (image.source as Json).s3Location === "object" ? undefined : `${where}.image.source.s3Location: must be an object`;
  const bytes = (image.source as Json).bytes;
  if (typeof bytes !== "string" || bytes.length === 0 || !BASE64.test(bytes)) return `${where}.image.source.bytes: must be non-empty base64`;
  const decoded = Buffer.from(bytes, "base64");
  if (image.format === "png" && !PNG_MAGIC.every((byte, i) => decoded[i] === byte)) return `${where}.image: the bytes are not a PNG image though format is png`;
  return undefined;
}

function checkBlock(block: unknown, where: string, role: string): string | undefined {
  const union = unionMember(block, CONTENT_MEMBERS, where);
  if ("problem" in union) return union.problem;
  const kind = union.member;
  const value = (block as Json)[kind];
  if (role === "assistant" && USER_ONLY.has(kind)) return `${where}: an assistant message cannot hold a ${kind} block`;
  if (role === "user" && ASSISTANT_ONLY.has(kind)) return `${where}: a user message cannot hold a ${kind} block`;
  switch (kind) {
    case "text":
      return isBlank(value) ? `${where}.text: text content blocks must be non-empty (and not only whitespace)` : undefined;
    case "image":
      return checkImage(value, where);
    case "cachePoint":
      return checkCachePoint(value, where);
    case "toolUse": {
      if (!isObject(value)) return `${where}.toolUse: must be an object`;
      if (typeof value.toolUseId !== "string" || !NAME.test(value.toolUseId)) return `${where}.toolUse.toolUseId: must match ^[a-zA-Z0-9_-]+$ (1-64 characters)`;
      if (typeof value.name !== "string" || !NAME.test(value.name)) return `${where}.toolUse.name: must match ^[a-zA-Z0-9_-]+$ (1-64 characters)`;
      return value.input === undefined ? `${where}.toolUse.input: required` : undefined;
    }
    case "toolResult": {
      if (!isObject(value)) return `${where}.toolResult: must be an object`;
      if (typeof value.toolUseId !== "string" || !NAME.test(value.toolUseId)) return `${where}.toolResult.toolUseId: must match ^[a-zA-Z0-9_-]+$ (1-64 characters)`;
      if (value.status !== undefined && value.status !== "success" && value.status !== "error") return `${where}.toolResult.status: must be success or error`;
      if (!Array.isArray(value.content)) return `${where}.toolResult.content: required list`;
      for (const [i, item] of value.content.entries()) {
        const inner = unionMember(item, TOOL_RESULT_MEMBERS, `${where}.toolResult.content.${i}`);
        if ("problem" in inner) return inner.problem;
        if (inner.member === "text" && isBlank((item as Json).text)) return `${where}.toolResult.content.${i}.text: must be non-empty`;
        if (inner.member === "image") return checkImage((item as Json).image, `${where}.toolResult.content.${i}`);
      }
      return undefined;
    }
    case "reasoningContent": {
      const inner = unionMember(value, new Set(["reasoningText", "redactedContent"]), `${where}.reasoningContent`);
      if ("problem" in inner) return inner.problem;
      const text = (value as Json).reasoningText;
      if (inner.member === "reasoningText" && (!isObject(text) || typeof text.text !== "string")) return `${where}.reasoningContent.reasoningText.text: required`;
      return undefined;
    }
    default:
      return undefined;
  }
}

/** toolUse ids of an assistant turn and toolResult ids of a user turn, for the linking rules. */
const idsOf = (content: unknown[], kind: "toolUse" | "toolResult"): string[] =>
  content.flatMap((block) => (isObject(block) && isObject(block[kind]) ? [String((block[kind] as Json).toolUseId)] : []));

function checkMessages(messages: unknown): string | undefined {
  if (!Array.isArray(messages) || messages.length === 0) return "messages: at least one message is required";
  let pendingUses: string[] = [];
  for (const [i, message] of messages.entries()) {
    const where = `messages.${i}`;
    if (!isObject(message)) return `${where}: must be an object`;
    const extra = Object.keys(message).find((key) => key !== "role" && key !== "content");
    if (extra) return `${where}: unknown member '${extra}'`;
    if (message.role !== "user" && message.role !== "assistant") return `${where}.role: must be user or assistant`;
    if (i === 0 && message.role !== "user") return "A conversation must start with a user message. Try again with a conversation that starts with a user message.";
    if (i > 0 && (messages[i - 1] as Json).role === message.role) return `A conversation must alternate between user and assistant roles (${where} repeats '${message.role}').`;
    if (!Array.isArray(message.content) || message.content.length === 0) return `${where}.content: at least one content block is required`;
    for (const [j, block] of message.content.entries()) {
      const problem = checkBlock(block, `${where}.content.${j}`, message.role);
      if (problem) return problem;
    }
    if (message.role === "user") {
      const results = idsOf(message.content, "toolResult");
      const stray = results.find((id) => !pendingUses.includes(id));
      if (stray) return `${where}: the toolResult for '${stray}' answers no toolUse of the previous assistant message`;
      const unanswered = pendingUses.find((id) => !results.includes(id));
      if (unanswered) return `${where}: Expected toolResult blocks for the following Ids: ${unanswered}`;
      pendingUses = [];
    } else pendingUses = idsOf(message.content, "toolUse");
  }
  return undefined;
}

function checkSystem(system: unknown): string | undefined {
  if (system === undefined) return undefined;
  if (!Array.isArray(system)) return "system: must be a list of SystemContentBlock";
  for (const [i, block] of system.entries()) {
    const union = unionMember(block, SYSTEM_MEMBERS, `system.${i}`);
    if ("problem" in union) return union.problem;
    if (union.member === "text" && isBlank((block as Json).text)) return `system.${i}.text: must be non-empty`;
    if (union.member === "cachePoint") {
      const problem = checkCachePoint((block as Json).cachePoint, `system.${i}`);
      if (problem) return problem;
    }
  }
  return undefined;
}

function checkInference(config: unknown): string | undefined {
  if (config === undefined) return undefined;
  if (!isObject(config)) return "inferenceConfig: must be an object";
  const extra = Object.keys(config).find((key) => !INFERENCE.has(key));
  if (extra) return `inferenceConfig: unknown member '${extra}' (model-specific parameters go in additionalModelRequestFields)`;
  if (config.maxTokens !== undefined && (!Number.isInteger(config.maxTokens) || (config.maxTokens as number) < 1)) return "inferenceConfig.maxTokens: must be an integer >= 1";
  for (const name of ["temperature", "topP"]) {
    const value = config[name];
    if (value !== undefined && (typeof value !== "number" || value < 0 || value > 1)) return `inferenceConfig.${name}: must be a number between 0 and 1`;
  }
  const stops = config.stopSequences;
  if (stops !== undefined && (!Array.isArray(stops) || stops.some((stop) => typeof stop !== "string" || stop === ""))) return "inferenceConfig.stopSequences: must be a list of non-empty strings";
  return undefined;
}

/** The toolSpecs' names, or a problem. */
function checkTools(config: unknown): { names: string[] } | { problem: string } {
  if (config === undefined) return { names: [] };
  if (!isObject(config)) return { problem: "toolConfig: must be an object" };
  const extra = Object.keys(config).find((key) => key !== "tools" && key !== "toolChoice");
  if (extra) return { problem: `toolConfig: unknown member '${extra}'` };
  if (!Array.isArray(config.tools) || config.tools.length === 0) return { problem: "toolConfig.tools: at least one tool is required" };
  const names: string[] = [];
  for (const [i, tool] of config.tools.entries()) {
    const union = unionMember(tool, new Set(["toolSpec", "systemTool", "cachePoint"]), `toolConfig.tools.${i}`);
    if ("problem" in union) return union;
    if (union.member !== "toolSpec") continue;
    const spec = (tool as Json).toolSpec;
    if (!isObject(spec)) return { problem: `toolConfig.tools.${i}.toolSpec: must be an object` };
    const unknown = Object.keys(spec).find((key) => !["name", "description", "inputSchema"].includes(key));
    if (unknown) return { problem: `toolConfig.tools.${i}.toolSpec: unknown member '${unknown}'` };
    if (typeof spec.name !== "string" || !NAME.test(spec.name)) return { problem: `toolConfig.tools.${i}.toolSpec.name: must match ^[a-zA-Z0-9_-]+$ (1-64 characters)` };
    if (names.includes(spec.name)) return { problem: `toolConfig.tools: the tool name '${spec.name}' is declared twice` };
    if (spec.description !== undefined && (typeof spec.description !== "string" || spec.description === "")) return { problem: `toolConfig.tools.${i}.toolSpec.description: must be non-empty` };
    const schema = unionMember(spec.inputSchema, new Set(["json"]), `toolConfig.tools.${i}.toolSpec.inputSchema`);
    if ("problem" in schema) return schema;
    const json = (spec.inputSchema as Json).json;
    if (!isObject(json) || json.type !== "object") return { problem: `toolConfig.tools.${i}.toolSpec.inputSchema.json: the top level schema type must be object` };
    names.push(spec.name);
  }
  if (config.toolChoice !== undefined) {
    const choice = unionMember(config.toolChoice, new Set(["auto", "any", "tool"]), "toolConfig.toolChoice");
    if ("problem" in choice) return choice;
    const value = (config.toolChoice as Json)[choice.member];
    if (!isObject(value)) return { problem: `toolConfig.toolChoice.${choice.member}: must be an object` };
    if (choice.member === "tool" && !names.includes(String(value.name))) return { problem: `toolConfig.toolChoice.tool.name: '${String(value.name)}' is not a declared tool` };
  }
  return { names };
}

/** Anthropic's rules for Claude's extra fields (thinking, top_k) on Bedrock. */
function checkClaudeFields(body: Json): string | undefined {
  const fields = body.additionalModelRequestFields;
  if (fields === undefined) return undefined;
  if (!isObject(fields)) return "additionalModelRequestFields: must be a JSON object";
  if (fields.top_k !== undefined && (!Number.isInteger(fields.top_k) || (fields.top_k as number) < 0)) return "additionalModelRequestFields.top_k: must be a non-negative integer";
  const thinking = fields.thinking;
  if (thinking === undefined) return undefined;
  if (!isObject(thinking)) return "additionalModelRequestFields.thinking: must be an object";
  if (thinking.type === "disabled") return undefined;
  if (thinking.type !== "enabled") return "additionalModelRequestFields.thinking.type: must be enabled or disabled";
  const budget = thinking.budget_tokens;
  if (!Number.isInteger(budget) || (budget as number) < 1024) return "additionalModelRequestFields.thinking.budget_tokens: must be an integer >= 1024";
  const inference = isObject(body.inferenceConfig) ? body.inferenceConfig : {};
  if (typeof inference.maxTokens === "number" && inference.maxTokens <= (budget as number)) return "`max_tokens` must be greater than `thinking.budget_tokens`";
  if (inference.temperature !== undefined && inference.temperature !== 1) return "`temperature` may only be set to 1 when thinking is enabled";
  if (typeof inference.topP === "number" && inference.topP < 0.95) return "`top_p` must be at least 0.95 when thinking is enabled";
  if (fields.top_k !== undefined) return "`top_k` cannot be set when thinking is enabled";
  const choice = isObject(body.toolConfig) ? body.toolConfig.toolChoice : undefined;
  if (isObject(choice) && !("auto" in choice)) return "Thinking may not be enabled when tool_choice forces tool use.";
  return undefined;
}

const holdsToolBlocks = (messages: unknown[]): boolean =>
  messages.some((message) => isObject(message) && Array.isArray(message.content) && message.content.some((block) => isObject(block) && ("toolUse" in block || "toolResult" in block)));

/** What Bedrock's validation would reject in a Converse body (`claude`: the model is an Anthropic one), or undefined. */
export function checkConverseBody(body: unknown, claude: boolean): string | undefined {
  if (!isObject(body)) return "the request body must be a JSON object";
  const extra = Object.keys(body).find((key) => !TOP_LEVEL.has(key));
  if (extra) return `unknown top-level member '${extra}' (the model id belongs in the URL)`;
  const tools = checkTools(body.toolConfig);
  if ("problem" in tools) return tools.problem;
  const problem = checkMessages(body.messages) ?? checkSystem(body.system) ?? checkInference(body.inferenceConfig) ?? (claude ? checkClaudeFields(body) : undefined);
  if (problem) return problem;
  if (body.toolConfig === undefined && holdsToolBlocks(body.messages as unknown[])) return "The toolConfig field must be defined when using toolUse and toolResult content blocks.";
  return undefined;
}
