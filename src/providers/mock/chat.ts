import { MOCK_MAX_OUTPUT_TOKENS, SLOW_CHUNK_MS } from "./catalogue.ts";
import { chunkWords, contentText, countTokens, promptTokens } from "./text.ts";

interface ChatBody {
  model: string;
  messages?: { role?: string; content?: unknown }[];
  tools?: { type?: string; function?: { name?: string; parameters?: JsonSchema } }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
}

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  items?: JsonSchema;
}

interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** What the mock will answer, computed once for streaming and non-streaming alike. */
interface Plan {
  text?: string;
  toolCall?: ToolCall;
  chunks: string[];
  finish: "stop" | "tool_calls" | "length";
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

/** How many tokens the answer may have: the request's cap when it is lower than the mock's own. */
function outputCap(body: ChatBody): number {
  const asked = body.max_completion_tokens ?? body.max_tokens;
  return typeof asked === "number" && Number.isInteger(asked) && asked > 0 ? Math.min(asked, MOCK_MAX_OUTPUT_TOKENS) : MOCK_MAX_OUTPUT_TOKENS;
}

function lastUserText(body: ChatBody): string {
  const messages = body.messages ?? [];
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]?.role === "user") return contentText(messages[i]?.content);
  return "";
}

/** Builds a value that satisfies a (simple) JSON schema, so mock tool calls parse on the client. */
function sampleFor(schema: JsonSchema | undefined, hint: string): unknown {
  if (!schema) return hint;
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "number":
    case "integer":
      return 1;
    case "boolean":
      return true;
    case "array":
      return [sampleFor(schema.items, hint)];
    case "object": {
      const out: Record<string, unknown> = {};
      const required = schema.required ?? Object.keys(schema.properties ?? {});
      for (const key of required) out[key] = sampleFor(schema.properties?.[key], hint);
      return out;
    }
    case "null":
      return null;
    default:
      return hint;
  }
}

/** Deterministic id derived from the conversation, so replays are stable. */
function stableId(prefix: string, seed: string): string {
  return `${prefix}${Bun.hash(seed).toString(36).padStart(12, "0").slice(0, 12)}`;
}

function plan(body: ChatBody): Plan {
  const prompt = promptTokens(body);
  const user = lastUserText(body);
  const cap = outputCap(body);
  const usage = (completion: number) => ({ prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion });
  const tool = body.model === "mock/tool-call" ? body.tools?.find((t) => t.function?.name) : undefined;
  if (tool?.function?.name) {
    const args = JSON.stringify(sampleFor(tool.function.parameters ?? { type: "object" }, user || "mock"));
    const all = args.match(/.{1,8}/gs) ?? [args];
    // Past the cap the arguments are cut, as a real model's are when it runs out of tokens.
    const chunks = all.slice(0, cap);
    return {
      toolCall: { id: stableId("call_", `${user}|${tool.function.name}`), name: tool.function.name, arguments: chunks.join("") },
      chunks,
      finish: chunks.length < all.length ? "length" : "tool_calls",
      usage: usage(chunks.length),
    };
  }
  const full =
    body.model === "mock/tool-call"
      ? "mock/tool-call needs at least one tool in `tools` to call."
      : `Echo: ${user.trim() || "(no user message)"}`;
  const all = chunkWords(full);
  const chunks = all.slice(0, cap);
  const text = chunks.length < all.length ? chunks.join("") : full;
  return { text, chunks, finish: chunks.length < all.length ? "length" : "stop", usage: usage(countTokens(text)) };
}

const CREATED = 1_700_000_000;

function completionJson(body: ChatBody, p: Plan): string {
  const id = stableId("chatcmpl-mock-", JSON.stringify(body.messages ?? []));
  const message = p.toolCall
    ? { role: "assistant", content: null, tool_calls: [{ id: p.toolCall.id, type: "function", function: { name: p.toolCall.name, arguments: p.toolCall.arguments } }] }
    : { role: "assistant", content: p.text, refusal: null };
  return JSON.stringify({
    id,
    object: "chat.completion",
    created: CREATED,
    model: body.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: p.finish }],
    usage: p.usage,
    system_fingerprint: "fp_mock",
  });
}

/** The chunk sequence OpenAI streams: role, content (or tool call) deltas, finish, optional usage, [DONE]. */
function streamFrames(body: ChatBody, p: Plan): string[] {
  const id = stableId("chatcmpl-mock-", JSON.stringify(body.messages ?? []));
  const withUsage = body.stream_options?.include_usage === true;
  const chunk = (delta: unknown, finish: string | null) =>
    `data: ${JSON.stringify({
      id,
      object: "chat.completion.chunk",
      created: CREATED,
      model: body.model,
      system_fingerprint: "fp_mock",
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(withUsage ? { usage: null } : {}),
    })}\n\n`;
  const frames = [chunk({ role: "assistant", content: p.toolCall ? null : "", refusal: null }, null)];
  if (p.toolCall) {
    const call = p.toolCall;
    frames.push(chunk({ tool_calls: [{ index: 0, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] }, null));
    for (const piece of p.chunks) frames.push(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }, null));
  } else {
    for (const piece of p.chunks) frames.push(chunk({ content: piece }, null));
  }
  frames.push(chunk({}, p.finish));
  if (withUsage) {
    frames.push(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: CREATED, model: body.model, system_fingerprint: "fp_mock", choices: [], usage: p.usage })}\n\n`);
  }
  frames.push("data: [DONE]\n\n");
  return frames;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

/** Answers one chat request the way OpenAI would, in process. */
export async function mockChat(body: ChatBody, signal: AbortSignal): Promise<Response> {
  const p = plan(body);
  const slow = body.model === "mock/slow";
  const breaks = body.model === "mock/fail-mid-stream";
  if (!body.stream) {
    if (slow) await sleep(SLOW_CHUNK_MS * p.chunks.length, signal);
    if (breaks) throw new TypeError("mock upstream: connection reset");
    return new Response(completionJson(body, p), { headers: { "content-type": "application/json" } });
  }
  const frames = streamFrames(body, p);
  const encoder = new TextEncoder();
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (breaks && sent === 3) {
        controller.error(new TypeError("mock upstream: connection reset"));
        return;
      }
      if (slow) await sleep(SLOW_CHUNK_MS, signal).catch(() => {});
      if (signal.aborted) return;
      const frame = frames[sent++];
      if (frame === undefined) controller.close();
      else controller.enqueue(encoder.encode(frame));
    },
  });
  return new Response(stream, { headers: { "content-type": "text/event-stream" } });
}
