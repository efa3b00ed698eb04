/**
 * Checks of a Chat Completions request body as OpenAI (and Azure OpenAI, which runs the same
 * service) validates it, plus the contract's per-feature checks. Shared by openai.ts and azure.ts.
 * Each problem is one line; the mock answers the first with the wire's 400.
 */
import { HISTORY, JSON_SCHEMA, LENGTH_MAX_TOKENS, oddToolsProblem, PNG_BASE64, PRIOR_CALL, QUESTION, SYSTEM_PROMPT, TOOL_RESULT, TOOLS, type Feature } from "../contract.ts";

/** Top-level Chat Completions parameters OpenAI accepts (anything else: "Unrecognized request argument supplied"). */
export const OPENAI_CHAT_PARAMS: ReadonlySet<string> = new Set([
  "model", "messages", "audio", "frequency_penalty", "function_call", "functions", "logit_bias", "logprobs", "max_completion_tokens",
  "max_tokens", "metadata", "modalities", "n", "parallel_tool_calls", "prediction", "presence_penalty", "prompt_cache_key",
  "prompt_cache_retention", "reasoning_effort", "response_format", "safety_identifier", "seed", "service_tier", "stop", "store",
  "stream", "stream_options", "temperature", "tool_choice", "tools", "top_logprobs", "top_p", "user", "verbosity", "web_search_options",
]);

const ROLES = new Set(["system", "developer", "user", "assistant", "tool", "function"]);
const USER_PARTS = new Set(["text", "image_url", "input_audio", "file"]);
const NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const IMAGE_URL = /^(https?:\/\/|data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+=*$)/;
const EFFORTS = new Set(["none", "minimal", "low", "medium", "high", "xhigh"]);
/** Features that offer TOOLS. */
const TOOL_FEATURES: ReadonlySet<Feature> = new Set(["tool-call", "parallel-tools", "tool-result"]);

type Json = Record<string, any>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** A message's text: a string, or its text parts joined (undefined when it has other parts). */
export function textOf(content: unknown): string | undefined {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return undefined;
  if (!content.every((part) => isObject(part) && part.type === "text" && typeof part.text === "string")) return undefined;
  return content.map((part: Json) => part.text).join("");
}

/** Checks one message's shape as OpenAI does; `where` is its path. */
function checkMessage(message: unknown, where: string): string | undefined {
  if (!isObject(message)) return `${where}: must be an object`;
  const { role, content } = message;
  if (!ROLES.has(role)) return `${where}.role: '${role}' is not one of system, developer, user, assistant, tool`;
  if (message.name !== undefined && typeof message.name !== "string") return `${where}.name: must be a string`;
  switch (role) {
    case "system":
    case "developer":
      return textOf(content) ? undefined : `${where}.content: a ${role} message takes a non-empty string or text parts`;
    case "user": {
      if (typeof content === "string") return content === "" ? `${where}.content: must not be empty` : undefined;
      if (!Array.isArray(content) || content.length === 0) return `${where}.content: must be a string or a non-empty array of parts`;
      for (const [i, part] of content.entries()) {
        if (!isObject(part) || !USER_PARTS.has(part.type)) return `${where}.content[${i}].type: must be text, image_url, input_audio or file`;
        if (part.type === "text" && typeof part.text !== "string") return `${where}.content[${i}].text: must be a string`;
        if (part.type === "image_url" && (!isObject(part.image_url) || typeof part.image_url.url !== "string" || !IMAGE_URL.test(part.image_url.url))) {
          return `${where}.content[${i}].image_url.url: must be an http(s) URL or a base64 data:image/... URI`;
        }
      }
      return undefined;
    }
    case "assistant": {
      const calls = message.tool_calls;
      if (calls !== undefined && (!Array.isArray(calls) || calls.length === 0)) return `${where}.tool_calls: must be a non-empty array`;
      for (const [i, call] of (calls ?? []).entries()) {
        if (!isObject(call) || typeof call.id !== "string" || call.id === "") return `${where}.tool_calls[${i}].id: required`;
        if (call.type !== "function") return `${where}.tool_calls[${i}].type: must be 'function'`;
        if (!isObject(call.function) || typeof call.function.name !== "string" || !NAME.test(call.function.name)) return `${where}.tool_calls[${i}].function.name: required, ^[a-zA-Z0-9_-]{1,64}$`;
        if (typeof call.function.arguments !== "string") return `${where}.tool_calls[${i}].function.arguments: must be a JSON string`;
      }
      if ((content === null || content === undefined) && !calls) return `${where}.content: required unless tool_calls is given`;
      if (content !== null && content !== undefined && typeof content !== "string" && !Array.isArray(content)) return `${where}.content: must be a string, parts or null`;
      return undefined;
    }
    case "tool":
      if (typeof message.tool_call_id !== "string" || message.tool_call_id === "") return `${where}.tool_call_id: required`;
      return textOf(content) === undefined ? `${where}.content: a tool message takes a string or text parts` : undefined;
    default:
      return `${where}.role: 'function' messages are deprecated and not sent by this gateway`;
  }
}

/** OpenAI's ordering rule: an assistant's tool_calls are answered by the tool messages right after it, and a tool message answers one. */
function checkToolSequence(messages: Json[]): string | undefined {
  for (const [i, message] of messages.entries()) {
    if (message.role === "tool") {
      let j = i - 1;
      while (j >= 0 && messages[j]?.role === "tool") j--;
      const ids = ((messages[j]?.tool_calls ?? []) as Json[]).map((call) => call.id);
      if (!ids.includes(message.tool_call_id)) return `messages[${i}]: messages with role 'tool' must be a response to a preceding message with 'tool_calls'`;
    }
    if (message.role === "assistant" && Array.isArray(message.tool_calls)) {
      const answered = new Set<string>();
      for (let j = i + 1; messages[j]?.role === "tool"; j++) answered.add(messages[j]?.tool_call_id);
      const missing = (message.tool_calls as Json[]).map((call) => call.id).filter((id) => !answered.has(id));
      if (missing.length > 0) return `messages[${i}]: an assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id' (missing ${missing.join(", ")})`;
    }
  }
  return undefined;
}

/** Checks `tools`, `tool_choice` and `parallel_tool_calls`. */
function checkTools(body: Json): string | undefined {
  const tools = body.tools;
  if (tools === undefined) {
    if (body.tool_choice !== undefined) return "tool_choice: only allowed when tools are specified";
    if (body.parallel_tool_calls !== undefined) return "parallel_tool_calls: only allowed when tools are specified";
    return undefined;
  }
  if (!Array.isArray(tools) || tools.length === 0) return "tools: must be a non-empty array";
  for (const [i, tool] of tools.entries()) {
    if (!isObject(tool) || tool.type !== "function" || !isObject(tool.function)) return `tools[${i}]: must be {type: 'function', function: {...}}`;
    if (typeof tool.function.name !== "string" || !NAME.test(tool.function.name)) return `tools[${i}].function.name: must match ^[a-zA-Z0-9_-]{1,64}$`;
    if (tool.function.parameters !== undefined && !isObject(tool.function.parameters)) return `tools[${i}].function.parameters: must be a JSON Schema object`;
  }
  const choice = body.tool_choice;
  if (choice !== undefined && !["none", "auto", "required"].includes(choice)) {
    const names = tools.map((tool: Json) => tool.function.name);
    if (!isObject(choice) || choice.type !== "function" || !names.includes(choice.function?.name)) return "tool_choice: must be none, auto, required or a declared function";
  }
  if (body.parallel_tool_calls !== undefined && typeof body.parallel_tool_calls !== "boolean") return "parallel_tool_calls: must be a boolean";
  return undefined;
}

/** Checks the generation settings' types and ranges. */
function checkSettings(body: Json, feature: Feature | undefined): string | undefined {
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== "boolean") return "stream: must be a boolean";
  if (body.stream_options !== undefined && body.stream_options !== null) {
    if (body.stream !== true) return "stream_options: only allowed when stream is true";
    if (!isObject(body.stream_options)) return "stream_options: must be an object";
  }
  for (const cap of ["max_tokens", "max_completion_tokens"]) {
    if (body[cap] !== undefined && body[cap] !== null && (!Number.isInteger(body[cap]) || body[cap] < 1)) return `${cap}: must be a positive integer`;
  }
  if (body.max_tokens != null && body.max_completion_tokens != null) return "max_tokens and max_completion_tokens cannot both be set";
  if (body.temperature != null && (typeof body.temperature !== "number" || body.temperature < 0 || body.temperature > 2)) return "temperature: must be a number from 0 to 2";
  if (body.top_p != null && (typeof body.top_p !== "number" || body.top_p < 0 || body.top_p > 1)) return "top_p: must be a number from 0 to 1";
  if (body.reasoning_effort != null && !EFFORTS.has(body.reasoning_effort)) return `reasoning_effort: '${body.reasoning_effort}' is not a supported value`;
  if (body.stop != null && typeof body.stop !== "string" && !(Array.isArray(body.stop) && body.stop.length <= 4)) return "stop: must be a string or up to 4 strings";
  const format = body.response_format;
  if (format != null) {
    if (!isObject(format) || !["text", "json_object", "json_schema"].includes(format.type)) return "response_format.type: must be text, json_object or json_schema";
    if (format.type === "json_schema") {
      const schema = format.json_schema;
      if (!isObject(schema) || typeof schema.name !== "string" || !NAME.test(schema.name)) return "response_format.json_schema.name: required, ^[a-zA-Z0-9_-]{1,64}$";
      if (schema.schema !== undefined && !isObject(schema.schema)) return "response_format.json_schema.schema: must be an object";
      if (schema.strict !== undefined && schema.strict !== null && typeof schema.strict !== "boolean") return "response_format.json_schema.strict: must be a boolean";
      if (schema.strict === true && isObject(schema.schema) && schema.schema.additionalProperties !== false) {
        return "response_format.json_schema.schema: strict mode requires 'additionalProperties': false";
      }
    }
  }
  // The reasoning feature's model stands for an o-series / gpt-5 model, which refuses the older cap.
  if (feature === "reasoning" && body.max_tokens != null) return "max_tokens: not supported with this model; use max_completion_tokens instead";
  return undefined;
}

/** Whether `tools` declares every contract tool with its schema (and description when sent). */
function declaresTools(tools: unknown): boolean {
  if (!Array.isArray(tools)) return false;
  return TOOLS.every((want) => {
    const got = tools.find((tool: Json) => tool?.function?.name === want.name)?.function;
    return isObject(got) && Bun.deepEquals(got.parameters, want.parameters) && (got.description === undefined || got.description === want.description);
  });
}

/** The contract's "Checks of the request" for one feature, on the Chat Completions wire. */
function checkFeature(feature: Feature, body: Json): string | undefined {
  const messages = body.messages as Json[];
  const turns = messages.filter((message) => message.role !== "system" && message.role !== "developer");
  if (TOOL_FEATURES.has(feature) && !declaresTools(body.tools)) return "tools must declare get_weather and get_time with their JSON Schemas";
  switch (feature) {
    case "tool-names":
      return oddToolsProblem(((body.tools ?? []) as Json[]).map((tool) => ({ name: tool.function?.name, description: tool.function?.description, schema: tool.function?.parameters })));
    case "system": {
      const first = messages[0];
      return first && (first.role === "system" || first.role === "developer") && textOf(first.content) === SYSTEM_PROMPT ? undefined : "the system prompt is not the first (system) message";
    }
    case "multi-turn": {
      const seen = turns.map((message) => `${message.role}:${textOf(message.content)}`);
      const want = [`user:${HISTORY[0]}`, `assistant:${HISTORY[1]}`, `user:${QUESTION}`];
      return Bun.deepEquals(seen, want) ? undefined : `the turns are ${JSON.stringify(seen)}, expected ${JSON.stringify(want)}`;
    }
    case "image": {
      const url = `data:image/png;base64,${PNG_BASE64}`;
      const found = turns.some((message) => message.role === "user" && Array.isArray(message.content) && message.content.some((part: Json) => part?.image_url?.url === url));
      return found ? undefined : "no user image_url part holds the PNG as data:image/png;base64";
    }
    case "tool-result": {
      const at = messages.findIndex((message) => message.role === "assistant" && (message.tool_calls ?? []).some((call: Json) => call.id === PRIOR_CALL.id));
      const call = (messages[at]?.tool_calls as Json[] | undefined)?.find((c) => c.id === PRIOR_CALL.id);
      let args: unknown;
      try {
        args = JSON.parse(call?.function?.arguments ?? "");
      } catch {
        args = undefined;
      }
      if (!call || call.function.name !== PRIOR_CALL.name || !Bun.deepEquals(args, PRIOR_CALL.arguments)) return "the history lacks the assistant's get_weather call call_conf_1 with {city: Paris}";
      const result = messages.slice(at + 1).find((message) => message.role === "tool" && message.tool_call_id === PRIOR_CALL.id);
      return result && textOf(result.content) === TOOL_RESULT ? undefined : "the history lacks the tool message answering call_conf_1 with the result";
    }
    case "json-schema": {
      const format = body.response_format;
      if (format?.type !== "json_schema") return `response_format is ${JSON.stringify(format)}, expected a json_schema`;
      return Bun.deepEquals(format.json_schema?.schema, JSON_SCHEMA) ? undefined : "response_format.json_schema.schema is not the schema asked for";
    }
    case "reasoning":
      return body.reasoning_effort != null && body.reasoning_effort !== "none" ? undefined : `reasoning is not enabled (reasoning_effort is ${JSON.stringify(body.reasoning_effort)})`;
    case "finish-length": {
      const cap = body.max_completion_tokens ?? body.max_tokens;
      return cap === LENGTH_MAX_TOKENS ? undefined : `the output cap is ${JSON.stringify(cap)}, expected ${LENGTH_MAX_TOKENS}`;
    }
    default:
      return undefined;
  }
}

/**
 * Everything wrong with a Chat Completions body for a feature: the wire's own validation first
 * (`params` is the accepted top-level set), then the contract's checks. Empty when it is fine.
 */
export function checkChatBody(feature: Feature, body: unknown, params: ReadonlySet<string>): string[] {
  if (!isObject(body)) return ["the body is not a JSON object"];
  const problems: string[] = [];
  for (const key of Object.keys(body)) if (!params.has(key)) problems.push(`Unrecognized request argument supplied: ${key}`);
  if (!Array.isArray(body.messages) || body.messages.length === 0) return [...problems, "messages: must be a non-empty array"];
  body.messages.forEach((message: unknown, i: number) => {
    const problem = checkMessage(message, `messages[${i}]`);
    if (problem) problems.push(problem);
  });
  if (problems.length > 0) return problems;
  for (const problem of [checkToolSequence(body.messages), checkTools(body), checkSettings(body, feature), checkFeature(feature, body)]) {
    if (problem) problems.push(problem);
  }
  return problems;
}
