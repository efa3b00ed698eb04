/**
 * What the Anthropic-wire mocks answer for each feature, in Anthropic's recorded Messages shapes
 * (test/fixtures/anthropic/*.sse): a message body, or the same message as SSE events written at
 * random boundaries, each piece flushed on its own. Shared by the Anthropic API and Claude on
 * Vertex AI mocks; `WireStyle` holds where the two differ (ids, usage details).
 */
import { seeded, splitRandomly } from "../../support/rechunk.ts";
import {
  ANSWER_TEXT,
  CACHE,
  JSON_ANSWER,
  LENGTH_TEXT,
  ODD_ARGUMENTS,
  PARALLEL_CALLS,
  REASONING_TEXT,
  TOOL_CALL,
  TOOL_RESULT_ANSWER,
  USAGE,
  type Feature,
} from "../contract.ts";
import { jsonSchemaForm } from "./anthropic-checks.ts";

type Json = Record<string, any>;

/** Where the two Anthropic-wire upstreams differ in what they answer. */
export interface WireStyle {
  /** Message ids start `msg_01` on Anthropic, `msg_vrtx_01` on Vertex AI (tool ids likewise). */
  idPrefix: string;
  /** Anthropic's usage adds `service_tier` and the `cache_creation` breakdown; Vertex AI's has the four counts. */
  detailedUsage: boolean;
  /** The newer API restates every usage count in message_delta; otherwise it carries output_tokens only. */
  fullDeltaUsage: boolean;
}

/** One content block of an answer, with the pieces a stream delivers it in. */
type Block = { type: "text"; text: string } | { type: "thinking"; thinking: string; signature: string } | { type: "tool_use"; id: string; name: string; input: Json };

interface Answer {
  blocks: Block[];
  stopReason: "end_turn" | "tool_use" | "max_tokens";
}

/** The signature a thinking block comes with (opaque to the gateway; Anthropic checks it when it comes back). */
export const THINKING_SIGNATURE = "EqQBCgIYAhIMconformanceSigAAAAGgxBdjrkzLoky3dl1pkiMOYds8Ad3hfd0ZmGdwQoqQ==";

const encoder = new TextEncoder();
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** What each (non-error) feature answers. */
function answerOf(feature: Feature, body: Json, style: WireStyle): Answer {
  const toolId = (n: number) => `toolu_${style.idPrefix}01Conf${feature.replace(/-/g, "")}${n}`;
  switch (feature) {
    case "tool-call":
      return { blocks: [{ type: "tool_use", id: toolId(1), name: TOOL_CALL.name, input: { ...TOOL_CALL.arguments } }], stopReason: "tool_use" };
    case "parallel-tools":
      return { blocks: PARALLEL_CALLS.map((call, i) => ({ type: "tool_use", id: toolId(i + 1), name: call.name, input: { ...call.arguments } })), stopReason: "tool_use" };
    case "tool-names": {
      const names: string[] = (Array.isArray(body.tools) ? body.tools : []).map((tool: Json) => tool.name as string);
      return { blocks: names.map((name, i) => ({ type: "tool_use", id: toolId(i + 1), name, input: { ...ODD_ARGUMENTS } })), stopReason: "tool_use" };
    }
    case "tool-result":
      return { blocks: [{ type: "text", text: TOOL_RESULT_ANSWER }], stopReason: "end_turn" };
    case "json-schema": {
      const form = jsonSchemaForm(body);
      // Structured outputs answer in text; the forced-tool form answers with the tool's input.
      if (form?.kind === "tool") return { blocks: [{ type: "tool_use", id: toolId(1), name: form.name, input: { ...JSON_ANSWER } }], stopReason: "tool_use" };
      return { blocks: [{ type: "text", text: JSON.stringify(JSON_ANSWER) }], stopReason: "end_turn" };
    }
    case "reasoning":
      return { blocks: [{ type: "thinking", thinking: REASONING_TEXT, signature: THINKING_SIGNATURE }, { type: "text", text: ANSWER_TEXT }], stopReason: "end_turn" };
    case "finish-length":
      return { blocks: [{ type: "text", text: LENGTH_TEXT }], stopReason: "max_tokens" };
    default:
      return { blocks: [{ type: "text", text: ANSWER_TEXT }], stopReason: "end_turn" };
  }
}

/** USAGE (and CACHE for usage-cache) in Anthropic's terms: `input_tokens` counts neither cache reads nor writes. */
function usageOf(feature: Feature, style: WireStyle): Json {
  const read = feature === "usage-cache" ? CACHE.read : 0;
  const write = feature === "usage-cache" ? CACHE.write : 0;
  const usage: Json = { input_tokens: USAGE.input - read - write, cache_creation_input_tokens: write, cache_read_input_tokens: read };
  if (style.detailedUsage) usage.cache_creation = { ephemeral_5m_input_tokens: write, ephemeral_1h_input_tokens: 0 };
  usage.output_tokens = USAGE.output;
  if (style.detailedUsage) usage.service_tier = "standard";
  return usage;
}

const messageOf = (id: string, model: string, content: unknown[], stopReason: string | null, usage: Json) => ({
  id,
  type: "message",
  role: "assistant",
  model,
  content,
  stop_reason: stopReason,
  stop_sequence: null,
  usage,
});

/** Splits text into pieces of at most `size` characters. */
const pieces = (text: string, size: number): string[] => text.match(new RegExp(`[\\s\\S]{1,${size}}`, "g")) ?? [];
/** Anthropic's keep-alive, as recorded (with the space). */
const PING = `event: ping\ndata: {"type": "ping"}\n\n`;
const frame = (data: Json): string => `event: ${data.type as string}\ndata: ${JSON.stringify(data)}\n\n`;

/** The SSE events of an answer: message_start, each block's start/deltas/stop (a ping after the first start), message_delta, message_stop. */
function streamFrames(id: string, model: string, answer: Answer, usage: Json, style: WireStyle): string[] {
  const { output_tokens, service_tier: _tier, ...startUsage } = usage;
  const out = [frame({ type: "message_start", message: messageOf(id, model, [], null, { ...startUsage, output_tokens: 1, ...(style.detailedUsage ? { service_tier: "standard" } : {}) }) })];
  answer.blocks.forEach((block, index) => {
    if (block.type === "text") {
      out.push(frame({ type: "content_block_start", index, content_block: { type: "text", text: "" } }));
      if (index === 0) out.push(PING);
      for (const text of pieces(block.text, 8)) out.push(frame({ type: "content_block_delta", index, delta: { type: "text_delta", text } }));
    } else if (block.type === "thinking") {
      out.push(frame({ type: "content_block_start", index, content_block: { type: "thinking", thinking: "", signature: "" } }));
      if (index === 0) out.push(PING);
      for (const thinking of pieces(block.thinking, 16)) out.push(frame({ type: "content_block_delta", index, delta: { type: "thinking_delta", thinking } }));
      out.push(frame({ type: "content_block_delta", index, delta: { type: "signature_delta", signature: block.signature } }));
    } else {
      out.push(frame({ type: "content_block_start", index, content_block: { type: "tool_use", id: block.id, name: block.name, input: {} } }));
      if (index === 0) out.push(PING);
      out.push(frame({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: "" } }));
      for (const partial_json of pieces(JSON.stringify(block.input), 7)) out.push(frame({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json } }));
    }
    out.push(frame({ type: "content_block_stop", index }));
  });
  const deltaUsage = style.fullDeltaUsage ? { ...startUsage, output_tokens } : { output_tokens };
  out.push(frame({ type: "message_delta", delta: { stop_reason: answer.stopReason, stop_sequence: null }, usage: deltaUsage }));
  out.push(frame({ type: "message_stop" }));
  return out;
}

/** How a request is being answered: its stream's random split, and the abort bookkeeping. */
export interface AnswerContext {
  feature: Feature;
  body: Json;
  /** The model the answer names (the one the request asked for). */
  model: string;
  stream: boolean;
  style: WireStyle;
  /** Seeds this answer's random split (replayable). */
  seed: number;
  signal: AbortSignal;
  /** Called once when the caller went away before the stream's end. */
  onAborted(): void;
  /** Extra response headers (request ids). */
  headers: Record<string, string>;
}

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Resolves when `signal` aborts (at once if it has). */
const untilAborted = (signal: AbortSignal) => new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));

/**
 * An SSE response of `frames` cut at random boundaries, each piece written and flushed on its own.
 * With `hold` it then sends nothing more until the caller goes away (the abort feature).
 */
function sseResponse(frames: string[], context: AnswerContext, hold: boolean): Response {
  const parts = splitRandomly(encoder.encode(frames.join("")), seeded(context.seed));
  const { signal } = context;
  const body = new ReadableStream({
    type: "direct",
    async pull(controller) {
      let sent = 0;
      try {
        for (const part of parts) {
          if (signal.aborted) break;
          if ((await controller.write(part)) === 0 && part.length > 0) break;
          await controller.flush();
          sent++;
          // A turn of the event loop, so the piece leaves on its own instead of joining the next in one read.
          await nextTask();
        }
      } catch {
        // The caller went away mid-write.
      }
      if (hold) await untilAborted(signal);
      if (hold || sent < parts.length) context.onAborted();
      controller.close();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", ...context.headers } });
}

/** Answers a valid request for a non-error feature: buffered JSON, or the stream (abort: one text delta, then held open). */
export function answerMessages(context: AnswerContext): Response | Promise<Response> {
  const { feature, body, model, style } = context;
  const id = `msg_${style.idPrefix}01Conf${String(context.seed).padStart(8, "0")}`;
  const usage = usageOf(feature, style);
  if (feature === "abort") {
    const answer: Answer = { blocks: [{ type: "text", text: ANSWER_TEXT }], stopReason: "end_turn" };
    // message_start, the text block's start, a ping and the first text delta.
    const frames = streamFrames(id, model, answer, usage, style).slice(0, 4);
    if (context.stream) return sseResponse(frames, context, true);
    return untilAborted(context.signal).then(() => new Response(null, { status: 499 }));
  }
  const answer = answerOf(feature, body, style);
  if (context.stream) return sseResponse(streamFrames(id, model, answer, usage, style), context, false);
  const content = answer.blocks.map((block) => ({ ...block }));
  return Response.json(messageOf(id, model, content, answer.stopReason, usage), { headers: context.headers });
}

/** Anthropic's error body: `{"type":"error","error":{"type","message"},"request_id"}`. */
export function anthropicError(status: number, type: string, message: string, headers: Record<string, string> = {}): Response {
  const requestId = headers["request-id"] ?? "req_011CConformance0000000001";
  return Response.json({ type: "error", error: { type, message }, request_id: requestId }, { status, headers });
}

/** Whether a parsed body is a JSON object. */
export const isJsonObject = isObject;
