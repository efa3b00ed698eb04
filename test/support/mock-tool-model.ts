/**
 * A model that uses tools, on OpenAI's wire (`/v1/chat/completions`) and Anthropic's (`/v1/messages`),
 * buffered and streamed, for the MCP tool loop. It checks the conversation as each provider does (a
 * tool result answers a tool call of the turn before, by id; function tools have a valid name and a
 * schema) and follows a script in the user's last text:
 *
 *   `CALL <tool> <json args> [; CALL <tool> <json>]... [THEN CALL ...]... [SAY <text>]`
 *
 * Each THEN-separated step is one round of (parallel) calls; once every step ran it answers
 * `Done: <the tool results, joined by " | ">`. `FOREVER <tool>` calls the tool until tool_choice is
 * none, then answers "Stopped."; `ALWAYS <tool>` calls it whatever tool_choice says (as a model or
 * provider that ignores it does). A tool missing from `tools` is answered with "No tool <name>.".
 */
import { recordRequest, type RecordedRequest } from "./recording.ts";

export interface MockToolModel {
  /** OpenAI wire base (`.../v1`), for `api_base` of an `openai/` deployment. */
  openaiUrl: string;
  /** Anthropic wire base, for `api_base` of an `anthropic/` deployment. */
  anthropicUrl: string;
  requests: RecordedRequest[];
  aborted: RecordedRequest[];
  /** Milliseconds between streamed chunks (default 0). */
  chunkDelayMs: number;
  /** Milliseconds before answering a request whose conversation already holds tool calls (default 0). */
  laterRoundDelayMs: number;
  stop(): Promise<void>;
}

export const TOOL_MODEL_KEY = "sk-tool-model-upstream";
export const ROUND_USAGE = { input: 100, output: 20 } as const;

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;

interface Call {
  id: string;
  name: string;
  args: string;
}

/** What the model does next: text, or tool calls. */
type Move = { text: string } | { calls: Call[] };

/** The conversation in neutral terms, validated on the way in. */
interface Seen {
  tools: string[];
  lastUserText: string;
  /** Tool-call rounds so far (assistant turns with tool calls). */
  rounds: number;
  /** The last turn's tool results, in order. */
  lastResults: string[];
  toolChoiceNone: boolean;
}

let nextId = 0;
const callId = (prefix: string) => `${prefix}${(++nextId).toString().padStart(6, "0")}`;

function decide(seen: Seen): Move {
  const script = seen.lastUserText;
  if (seen.lastResults.length > 0 && !/FOREVER|ALWAYS/.test(script) && seen.rounds >= stepsOf(script).length) return { text: `Done: ${seen.lastResults.join(" | ")}` };
  const forever = /(FOREVER|ALWAYS) (\S+)/.exec(script);
  if (forever) {
    if (seen.toolChoiceNone && forever[1] === "FOREVER") return { text: "Stopped." };
    return callsOf([`CALL ${forever[2]} {}`], seen);
  }
  const steps = stepsOf(script);
  if (seen.rounds < steps.length) return callsOf((steps[seen.rounds] as string).split(";"), seen);
  const say = /SAY (.*)$/.exec(script);
  return { text: say ? (say[1] as string) : "Hello without tools." };
}

const stepsOf = (script: string) => (script.includes("CALL") ? script.replace(/SAY .*$/, "").split("THEN").filter((s) => s.includes("CALL")) : []);

function callsOf(lines: string[], seen: Seen): Move {
  const calls: Call[] = [];
  for (const line of lines) {
    const match = /CALL (\S+)\s*(.*)$/.exec(line.trim());
    if (!match) continue;
    const name = match[1] as string;
    if (!seen.tools.includes(name)) return { text: `No tool ${name}.` };
    calls.push({ id: callId("call_"), name, args: (match[2] as string).trim() || "{}" });
  }
  return { calls };
}

// ---- OpenAI wire ----

function readOpenAI(body: any): Seen | string {
  if (!Array.isArray(body.messages)) return "messages must be an array";
  const tools: string[] = [];
  for (const tool of body.tools ?? []) {
    if (tool.type !== "function" || typeof tool.function?.name !== "string" || !NAME.test(tool.function.name)) return `invalid tool ${JSON.stringify(tool)}`;
    if (typeof tool.function.parameters !== "object") return `tool ${tool.function.name} has no parameters schema`;
    tools.push(tool.function.name);
  }
  let pending = new Set<string>();
  let rounds = 0;
  let lastResults: string[] = [];
  let lastUserText = "";
  for (const message of body.messages) {
    if (message.role === "tool") {
      if (!pending.has(message.tool_call_id)) return `tool message for unknown call ${message.tool_call_id}`;
      pending.delete(message.tool_call_id);
      if (typeof message.content !== "string") return "tool message content must be a string";
      lastResults.push(message.content);
      continue;
    }
    if (pending.size > 0) return `tool calls ${[...pending].join(",")} were not answered`;
    if (message.role === "assistant" && Array.isArray(message.tool_calls)) {
      rounds++;
      lastResults = [];
      for (const call of message.tool_calls) {
        if (call.type !== "function" || typeof call.function?.arguments !== "string") return "assistant tool_calls malformed";
        pending.add(call.id);
      }
    } else if (message.role === "user") {
      lastResults = [];
      lastUserText = typeof message.content === "string" ? message.content : message.content.map((p: any) => p.text ?? "").join("");
    }
  }
  if (pending.size > 0) return `tool calls ${[...pending].join(",")} were not answered`;
  return { tools, lastUserText, rounds, lastResults, toolChoiceNone: body.tool_choice === "none" };
}

const usageOpenAI = (seen: Seen) => ({ prompt_tokens: ROUND_USAGE.input + seen.rounds, completion_tokens: ROUND_USAGE.output, total_tokens: ROUND_USAGE.input + seen.rounds + ROUND_USAGE.output });

function answerOpenAI(body: any, seen: Seen, move: Move, delay: number, signal: AbortSignal): Response {
  const id = callId("chatcmpl-");
  const model = body.model;
  if (!body.stream) {
    const message = "text" in move ? { role: "assistant", content: move.text, refusal: null } : { role: "assistant", content: null, tool_calls: move.calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.args } })) };
    return Response.json({
      id,
      object: "chat.completion",
      created: 1,
      model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: "text" in move ? "stop" : "tool_calls" }],
      usage: usageOpenAI(seen),
    });
  }
  const chunk = (delta: object, finish: string | null) => ({ id, object: "chat.completion.chunk", created: 1, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  const events: object[] = [chunk({ role: "assistant", content: "" }, null)];
  if ("text" in move) for (const word of move.text.match(/\S+\s*/g) ?? [""]) events.push(chunk({ content: word }, null));
  else
    move.calls.forEach((c, index) => {
      const half = Math.floor(c.args.length / 2);
      events.push(chunk({ tool_calls: [{ index, id: c.id, type: "function", function: { name: c.name, arguments: c.args.slice(0, half) } }] }, null));
      events.push(chunk({ tool_calls: [{ index, function: { arguments: c.args.slice(half) } }] }, null));
    });
  events.push(chunk({}, "text" in move ? "stop" : "tool_calls"));
  if (body.stream_options?.include_usage) events.push({ id, object: "chat.completion.chunk", created: 1, model, choices: [], usage: usageOpenAI(seen) });
  return sse(events.map((e) => `data: ${JSON.stringify(e)}\n\n`).concat("data: [DONE]\n\n"), delay, signal);
}

// ---- Anthropic wire ----

function readAnthropic(body: any): Seen | string {
  if (typeof body.max_tokens !== "number") return "max_tokens is required";
  const tools: string[] = [];
  for (const tool of body.tools ?? []) {
    if (typeof tool.name !== "string" || !NAME.test(tool.name) || typeof tool.input_schema !== "object") return `invalid tool ${JSON.stringify(tool)}`;
    tools.push(tool.name);
  }
  let pending = new Set<string>();
  let rounds = 0;
  let lastResults: string[] = [];
  let lastUserText = "";
  let role = "";
  for (const message of body.messages) {
    if (message.role === role) return "roles must alternate";
    role = message.role;
    const blocks = typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
    if (message.role === "user") {
      const results = blocks.filter((b: any) => b.type === "tool_result");
      for (const result of results) {
        if (!pending.has(result.tool_use_id)) return `tool_result for unknown tool_use ${result.tool_use_id}`;
        pending.delete(result.tool_use_id);
      }
      if (pending.size > 0) return `tool_use ${[...pending].join(",")} not answered in the next user turn`;
      if (results.length > 0) lastResults = results.map((r: any) => (typeof r.content === "string" ? r.content : r.content.map((b: any) => b.text ?? "").join("")));
      const text = blocks.filter((b: any) => b.type === "text").map((b: any) => b.text).join("");
      if (results.length === 0) {
        lastResults = [];
        lastUserText = text;
      }
    } else {
      const uses = blocks.filter((b: any) => b.type === "tool_use");
      if (uses.length > 0) rounds++;
      for (const use of uses) {
        if (typeof use.input !== "object") return "tool_use input must be an object";
        pending.add(use.id);
      }
    }
  }
  return { tools, lastUserText, rounds, lastResults, toolChoiceNone: body.tool_choice?.type === "none" };
}

function answerAnthropic(body: any, seen: Seen, move: Move, delay: number, signal: AbortSignal): Response {
  const id = callId("msg_");
  const usage = { input_tokens: ROUND_USAGE.input + seen.rounds, output_tokens: ROUND_USAGE.output, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
  const content = "text" in move ? [{ type: "text", text: move.text }] : move.calls.map((c) => ({ type: "tool_use", id: c.id.replace("call_", "toolu_"), name: c.name, input: JSON.parse(c.args) }));
  const stop = "text" in move ? "end_turn" : "tool_use";
  if (!body.stream) return Response.json({ id, type: "message", role: "assistant", model: body.model, content, stop_reason: stop, stop_sequence: null, usage });
  const frames: string[] = [];
  const event = (name: string, data: object) => frames.push(`event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`);
  event("message_start", { message: { id, type: "message", role: "assistant", model: body.model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } });
  content.forEach((block: any, index) => {
    if (block.type === "text") {
      event("content_block_start", { index, content_block: { type: "text", text: "" } });
      for (const word of block.text.match(/\S+\s*/g) ?? [""]) event("content_block_delta", { index, delta: { type: "text_delta", text: word } });
    } else {
      event("content_block_start", { index, content_block: { type: "tool_use", id: block.id, name: block.name, input: {} } });
      const json = JSON.stringify(block.input);
      const half = Math.floor(json.length / 2);
      event("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: json.slice(0, half) } });
      event("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: json.slice(half) } });
    }
    event("content_block_stop", { index });
  });
  event("message_delta", { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
  event("message_stop", {});
  return sse(frames, delay, signal);
}

function sse(frames: string[], delay: number, signal: AbortSignal): Response {
  const enc = new TextEncoder();
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (signal.aborted) return controller.error(new Error("aborted"));
      if (delay > 0 && i > 0) await Bun.sleep(delay);
      if (i >= frames.length) return controller.close();
      controller.enqueue(enc.encode(frames[i++] as string));
    },
  });
  return new Response(stream, { headers: { "content-type": "text/event-stream" } });
}

const error = (status: number, message: string, anthropic: boolean) =>
  Response.json(anthropic ? { type: "error", error: { type: "invalid_request_error", message } } : { error: { message, type: "invalid_request_error", param: null, code: null } }, { status });

export async function startMockToolModel(): Promise<MockToolModel> {
  const requests: RecordedRequest[] = [];
  const aborted: RecordedRequest[] = [];
  const model: MockToolModel = {
    openaiUrl: "",
    anthropicUrl: "",
    requests,
    aborted,
    chunkDelayMs: 0,
    laterRoundDelayMs: 0,
    stop: async () => undefined,
  };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(request) {
      const { url, recorded, track, markAnswered } = await recordRequest(request, requests, aborted);
      const anthropic = url.pathname === "/anthropic/v1/messages";
      const key = anthropic ? recorded.headers["x-api-key"] : recorded.headers.authorization?.replace(/^Bearer /, "");
      const reject = (why: string) => {
        recorded.invalid = why;
        markAnswered();
        return error(400, `mock tool model rejected the request: ${why}`, anthropic);
      };
      if (key !== TOOL_MODEL_KEY) return reject("wrong upstream key");
      if (!anthropic && url.pathname !== "/openai/v1/chat/completions") return reject(`unknown path ${url.pathname}`);
      const seen = anthropic ? readAnthropic(recorded.body) : readOpenAI(recorded.body);
      if (typeof seen === "string") return reject(seen);
      if (seen.rounds > 0 && model.laterRoundDelayMs > 0) await Bun.sleep(model.laterRoundDelayMs);
      const move = decide(seen);
      const answer = anthropic ? answerAnthropic(recorded.body, seen, move, model.chunkDelayMs, request.signal) : answerOpenAI(recorded.body, seen, move, model.chunkDelayMs, request.signal);
      return track(answer);
    },
  });
  model.openaiUrl = `http://127.0.0.1:${server.port}/openai/v1`;
  model.anthropicUrl = `http://127.0.0.1:${server.port}/anthropic/v1`;
  model.stop = async () => {
    await server.stop(true);
  };
  return model;
}
