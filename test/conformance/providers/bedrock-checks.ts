/**
 * The conformance Bedrock mock's feature checks: for each feature, what the gateway must have put
 * in the (already shape-valid) Converse body, per contract.ts: the question in the right turns,
 * the system prompt in `system`, the image inline, both tools with their schemas, the prior call
 * and its result linked by toolUseId, the forced format tool, thinking, the token cap.
 */
import { HISTORY, IMAGE_QUESTION, JSON_SCHEMA, LENGTH_MAX_TOKENS, oddToolsProblem, PNG_BASE64, PRIOR_CALL, QUESTION, SYSTEM_PROMPT, THINKING_BUDGET, TOOL_RESULT, TOOLS, type Feature } from "../contract.ts";

type Json = Record<string, any>;

const same = (a: unknown, b: unknown): boolean => Bun.deepEquals(a, b, true);
const show = (value: unknown): string => JSON.stringify(value)?.slice(0, 300) ?? "undefined";

/** The body's turns with only their text blocks, e.g. [["user", "Hi"]]. */
const textTurns = (body: Json): [string, string][] =>
  (body.messages as Json[]).map((message) => [message.role, (message.content as Json[]).map((block) => block.text ?? "<non-text>").join("|")]);

function checkTurns(body: Json, expected: [string, string][]): string | undefined {
  const turns = textTurns(body);
  return same(turns, expected) ? undefined : `the messages should be ${show(expected)} (role, text), got ${show(turns)}`;
}

const toolSpecs = (body: Json): Json[] => ((body.toolConfig?.tools ?? []) as Json[]).flatMap((tool) => (tool.toolSpec ? [tool.toolSpec] : []));

function checkDeclaredTools(body: Json): string | undefined {
  const specs = toolSpecs(body);
  for (const tool of TOOLS) {
    const spec = specs.find((candidate) => candidate.name === tool.name);
    if (!spec) return `toolConfig.tools should declare '${tool.name}', got ${show(specs.map((s) => s.name))}`;
    if (spec.description !== tool.description) return `toolConfig tool '${tool.name}' should have description ${show(tool.description)}, got ${show(spec.description)}`;
    if (!same(spec.inputSchema?.json, tool.parameters)) return `toolConfig tool '${tool.name}' should have inputSchema.json ${show(tool.parameters)}, got ${show(spec.inputSchema)}`;
  }
  const choice = body.toolConfig?.toolChoice;
  if (choice !== undefined && !same(choice, { auto: {} })) return `toolConfig.toolChoice should be absent or auto (the client did not force a tool), got ${show(choice)}`;
  return undefined;
}

function checkImageTurn(body: Json): string | undefined {
  const expected = [{ role: "user", content: [{ image: { format: "png", source: { bytes: PNG_BASE64 } } }, { text: IMAGE_QUESTION }] }];
  return same(body.messages, expected) ? undefined : `the messages should be ${show(expected)}, got ${show(body.messages)}`;
}

function checkToolHistory(body: Json): string | undefined {
  const expected = [
    { role: "user", content: [{ text: QUESTION }] },
    { role: "assistant", content: [{ toolUse: { toolUseId: PRIOR_CALL.id, name: PRIOR_CALL.name, input: PRIOR_CALL.arguments } }] },
    { role: "user", content: [{ toolResult: { toolUseId: PRIOR_CALL.id, content: [{ text: TOOL_RESULT }] } }] },
  ];
  return same(body.messages, expected) ? undefined : `the history should hold the prior call and its result linked by toolUseId: ${show(expected)}, got ${show(body.messages)}`;
}

/** The forced tool carrying `json-schema`'s answer (its inputSchema is JSON_SCHEMA and toolChoice names it), or a problem. */
export function formatTool(body: Json): { name: string } | { problem: string } {
  const spec = toolSpecs(body).find((candidate) => same(candidate.inputSchema?.json, JSON_SCHEMA));
  if (!spec) return { problem: `toolConfig should hold a tool whose inputSchema.json is the response schema ${show(JSON_SCHEMA)}, got ${show(body.toolConfig)}` };
  if (!same(body.toolConfig?.toolChoice, { tool: { name: spec.name } })) return { problem: `toolConfig.toolChoice should force the format tool {"tool":{"name":"${spec.name}"}}, got ${show(body.toolConfig?.toolChoice)}` };
  return { name: spec.name as string };
}

function checkThinking(body: Json, feature: Feature): string | undefined {
  const thinking = body.additionalModelRequestFields?.thinking;
  if (feature !== "reasoning") return thinking === undefined ? undefined : `thinking is on though the client did not ask for it: ${show(thinking)}`;
  const expected = { type: "enabled", budget_tokens: THINKING_BUDGET };
  return same(thinking, expected) ? undefined : `additionalModelRequestFields.thinking should be ${show(expected)}, got ${show(thinking)}`;
}

/** What the body lacks for `feature` (contract.ts's checks in Converse's terms), or undefined. */
export function checkFeature(feature: Feature, body: Json): string | undefined {
  const ask: [string, string][] = [["user", QUESTION]];
  const thinking = checkThinking(body, feature);
  if (thinking) return thinking;
  if (feature !== "system" && body.system !== undefined) return `no system prompt was asked for, got system ${show(body.system)}`;
  switch (feature) {
    case "system":
      if (!same(body.system, [{ text: SYSTEM_PROMPT }])) return `system should be [{"text": SYSTEM_PROMPT}], got ${show(body.system)}`;
      return checkTurns(body, ask);
    case "multi-turn":
      return checkTurns(body, [["user", HISTORY[0]], ["assistant", HISTORY[1]], ["user", QUESTION]]);
    case "image":
      return checkImageTurn(body);
    case "tool-call":
    case "parallel-tools":
      return checkDeclaredTools(body) ?? checkTurns(body, ask);
    case "tool-names":
      return oddToolsProblem(toolSpecs(body).map((spec) => ({ name: spec.name, description: spec.description, schema: spec.inputSchema?.json }))) ?? checkTurns(body, ask);
    case "tool-result":
      return checkDeclaredTools(body) ?? checkToolHistory(body);
    case "json-schema": {
      const tool = formatTool(body);
      return "problem" in tool ? tool.problem : checkTurns(body, ask);
    }
    case "finish-length":
      if (body.inferenceConfig?.maxTokens !== LENGTH_MAX_TOKENS) return `inferenceConfig.maxTokens should be ${LENGTH_MAX_TOKENS}, got ${show(body.inferenceConfig?.maxTokens)}`;
      return checkTurns(body, ask);
    default:
      if (body.toolConfig !== undefined) return `no tools were offered, got toolConfig ${show(body.toolConfig)}`;
      return checkTurns(body, ask);
  }
}
