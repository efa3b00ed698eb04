/**
 * Chat Completions answers for the conformance features, in OpenAI's recorded shapes (see
 * test/support/mock-upstream.ts, test/fixtures/openai/) or Azure OpenAI's (the same plus prompt
 * and completion content-filter annotations, test/fixtures/azure/). Streams are built whole, then
 * written in pieces split at random boundaries, each flushed on its own.
 */
import { ANSWER_TEXT, CACHE, JSON_ANSWER, LENGTH_TEXT, ODD_ARGUMENTS, PARALLEL_CALLS, TOOL_CALL, TOOL_RESULT_ANSWER, USAGE, type Feature } from "../contract.ts";
import { seeded, splitRandomly } from "../../support/rechunk.ts";

/** How the two hosts of the wire differ in their answers. */
export interface WireFlavour {
  /** Azure OpenAI: `prompt_filter_results`, `content_filter_results`, and an annotation-only first stream chunk. */
  azure: boolean;
  /** The model an answer names (OpenAI echoes the request's; Azure names the deployed model). */
  model(feature: Feature, requested: string): string;
}

interface Script {
  text: string | null;
  calls: readonly { name: string; arguments: unknown }[];
  finish: "stop" | "length" | "tool_calls";
}

/** What a feature answers (no reasoning text: Chat Completions keeps it hidden; it shows only in usage); `toolNames` are the functions the request declared. */
function scriptOf(feature: Feature, toolNames: readonly string[]): Script {
  switch (feature) {
    case "tool-names":
      return { text: null, calls: toolNames.map((name) => ({ name, arguments: ODD_ARGUMENTS })), finish: "tool_calls" };
    case "tool-call":
      return { text: null, calls: [TOOL_CALL], finish: "tool_calls" };
    case "parallel-tools":
      return { text: null, calls: PARALLEL_CALLS, finish: "tool_calls" };
    case "tool-result":
      return { text: TOOL_RESULT_ANSWER, calls: [], finish: "stop" };
    case "json-schema":
      return { text: JSON.stringify(JSON_ANSWER), calls: [], finish: "stop" };
    case "finish-length":
      return { text: LENGTH_TEXT, calls: [], finish: "length" };
    default:
      return { text: ANSWER_TEXT, calls: [], finish: "stop" };
  }
}

/** Of USAGE.output, what the `reasoning` feature spent reasoning (counted inside completion_tokens). */
export const REASONING_TOKENS = 6;

/** USAGE in OpenAI's terms: prompt_tokens counts the cached tokens too; OpenAI reports no cache writes. */
export function usageOf(feature: Feature): Record<string, unknown> {
  return {
    completion_tokens: USAGE.output,
    completion_tokens_details: { accepted_prediction_tokens: 0, audio_tokens: 0, reasoning_tokens: feature === "reasoning" ? REASONING_TOKENS : 0, rejected_prediction_tokens: 0 },
    prompt_tokens: USAGE.input,
    prompt_tokens_details: { audio_tokens: 0, cached_tokens: feature === "usage-cache" ? CACHE.read : 0 },
    total_tokens: USAGE.input + USAGE.output,
  };
}

const SAFE = {
  hate: { filtered: false, severity: "safe" },
  self_harm: { filtered: false, severity: "safe" },
  sexual: { filtered: false, severity: "safe" },
  violence: { filtered: false, severity: "safe" },
};
/** Azure's verdicts on the prompt (one entry per prompt). */
export const PROMPT_FILTER_RESULTS = [{ prompt_index: 0, content_filter_results: { ...SAFE, jailbreak: { filtered: false, detected: false } } }];
const COMPLETION_FILTER = { ...SAFE, protected_material_code: { filtered: false, detected: false }, protected_material_text: { filtered: false, detected: false } };

const CREATED = 1_745_000_000;
const FINGERPRINT = "fp_conf0c0nf0";
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const encoder = new TextEncoder();

/** An id like OpenAI's (`chatcmpl-…`, `call_…`) from the request's seeded random. */
const idOf = (prefix: string, length: number, random: () => number): string =>
  prefix + Array.from({ length }, () => ALNUM[Math.floor(random() * ALNUM.length)]).join("");

/** A `chat.completion` body for a feature (`toolNames`: the functions the request declared). */
export function completionBody(feature: Feature, flavour: WireFlavour, requested: string, seed: number, toolNames: readonly string[]): string {
  const random = seeded(seed);
  const script = scriptOf(feature, toolNames);
  const tool_calls = script.calls.map((call) => ({ id: idOf("call_", 24, random), type: "function", function: { name: call.name, arguments: JSON.stringify(call.arguments) } }));
  const message = { annotations: [], content: script.text, refusal: null, role: "assistant", ...(tool_calls.length > 0 ? { tool_calls } : {}) };
  const choice = { ...(flavour.azure ? { content_filter_results: script.text === null ? {} : COMPLETION_FILTER } : {}), finish_reason: script.finish, index: 0, logprobs: null, message };
  return JSON.stringify({
    choices: [choice],
    created: CREATED,
    id: idOf("chatcmpl-", 29, random),
    model: flavour.model(feature, requested),
    object: "chat.completion",
    ...(flavour.azure ? { prompt_filter_results: PROMPT_FILTER_RESULTS } : { service_tier: "default" }),
    system_fingerprint: FINGERPRINT,
    usage: usageOf(feature),
  });
}

/** Splits text the way a model streams it: a word with its leading space per delta. */
const wordsOf = (text: string): string[] => text.match(/\s*\S+/g) ?? [text];

/** Splits tool-call arguments into at least two fragments. */
function fragmentsOf(args: string): string[] {
  const third = Math.max(1, Math.ceil(args.length / 3));
  return args.match(new RegExp(`[\\s\\S]{1,${third}}`, "g")) ?? [args];
}

/** The stream options that shape a streamed answer. */
export interface StreamShape {
  /** `stream_options.include_usage`: a usage chunk at the end and `"usage": null` on the others. */
  includeUsage: boolean;
  /** `abort`: stop after the first text delta (the caller is expected to go away). */
  holdAfterFirstText: boolean;
}

/** The SSE frames of a streamed answer, `[DONE]` included (cut after the first text delta for `abort`). */
export function streamFrames(feature: Feature, flavour: WireFlavour, requested: string, seed: number, shape: StreamShape, toolNames: readonly string[]): string[] {
  const random = seeded(seed);
  const script = scriptOf(feature, toolNames);
  const id = idOf("chatcmpl-", 29, random);
  const model = flavour.model(feature, requested);
  const usageField = shape.includeUsage ? { usage: null } : {};
  const chunk = (choices: unknown[], extra: Record<string, unknown> = usageField) => {
    const body: Record<string, unknown> = { choices, created: CREATED, id, model, object: "chat.completion.chunk" };
    if (!flavour.azure) body.service_tier = "default";
    Object.assign(body, { system_fingerprint: FINGERPRINT }, extra);
    // OpenAI pads stream chunks with a random `obfuscation` string (stream_options.include_obfuscation, on by default).
    if (!flavour.azure) body.obfuscation = idOf("", 1 + Math.floor(random() * 12), random);
    return `data: ${JSON.stringify(body)}\n\n`;
  };
  const choice = (delta: unknown, finish: string | null, filtered: boolean) => ({
    ...(flavour.azure ? { content_filter_results: filtered ? SAFE : {} } : {}),
    delta,
    finish_reason: finish,
    index: 0,
    logprobs: null,
  });
  const frames: string[] = [];
  if (flavour.azure) {
    // The prompt's filter verdicts come first, alone: no id, no model, no choices.
    frames.push(`data: ${JSON.stringify({ choices: [], created: 0, id: "", model: "", object: "", prompt_filter_results: PROMPT_FILTER_RESULTS })}\n\n`);
  }
  if (script.text !== null) {
    frames.push(chunk([choice({ content: "", refusal: null, role: "assistant" }, null, false)]));
    for (const word of wordsOf(script.text)) {
      frames.push(chunk([choice({ content: word }, null, true)]));
      if (shape.holdAfterFirstText) return frames;
    }
  }
  script.calls.forEach((call, index) => {
    const head = { index, id: idOf("call_", 24, random), type: "function", function: { name: call.name, arguments: "" } };
    const opening = index === 0 && script.text === null ? { content: null, refusal: null, role: "assistant", tool_calls: [head] } : { tool_calls: [head] };
    frames.push(chunk([choice(opening, null, false)]));
    for (const fragment of fragmentsOf(JSON.stringify(call.arguments))) frames.push(chunk([choice({ tool_calls: [{ index, function: { arguments: fragment } }] }, null, false)]));
  });
  frames.push(chunk([choice({}, script.finish, false)]));
  if (shape.includeUsage) frames.push(chunk([], { usage: usageOf(feature) }));
  frames.push("data: [DONE]\n\n");
  return frames;
}

/**
 * An event-stream answer: the frames' bytes split at random boundaries (seeded), one piece per
 * write with a pause between. With `hold`, the stream then stays open until `signal` aborts.
 */
export function sseResponse(frames: string[], seed: number, signal: AbortSignal, hold: boolean, headers: Record<string, string>): Response {
  const pieces = splitRandomly(encoder.encode(frames.join("")), seeded(seed ^ 0x5eed));
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const piece = pieces[next++];
      if (piece !== undefined) {
        controller.enqueue(piece);
        // Its own turn of the event loop, so the piece leaves as its own write.
        await Bun.sleep(0);
        return;
      }
      if (hold) await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
      try {
        controller.close();
      } catch {
        // Already cancelled by the caller going away.
      }
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", ...headers } });
}
