/**
 * A scripted OpenAI-wire upstream for integration tests. It answers on a real socket (Bun.serve on
 * 127.0.0.1, port 0) in OpenAI's recorded shapes, records every request it receives, and notices
 * when a caller goes away (request.signal 'abort').
 *
 * The upstream model name in the request body picks the script:
 *
 * | model               | answers |
 * | ------------------- | ------- |
 * | `ok`                | a completion (`OK_TEXT`, `OK_USAGE`); streamed as role, one delta per word, finish, usage chunk when `stream_options.include_usage`, `[DONE]` |
 * | `tool`              | one call of the first function tool offered, by the name received (`get_weather` when none is), with `TOOL_CALL`'s id and arguments; streamed as id+name, then argument fragments |
 * | `each-tool`         | one call of every function tool offered, in order, by the names received (ids `call_each_<i>`, arguments `{}`); streamed the same way |
 * | `error-429`         | 429 rate_limit_exceeded, `retry-after: 2`, `x-ratelimit-remaining-requests: 0` |
 * | `error-500`         | 500 server_error |
 * | `error-400-context` | 400 context_length_exceeded |
 * | `error-401`         | 401 invalid_api_key whose message echoes the bearer key received |
 * | `hang`              | never answers; the request stays open until the caller aborts it |
 * | `slow-first-token`  | like `ok`, but waits `slowFirstTokenMs` before the first chunk (before the body when not streaming) |
 * | `slow-after-role`   | like `ok`, but sends the role chunk at once and waits `slowFirstTokenMs` before the first content token |
 * | `stall`             | streams the role chunk and one word, then sends nothing more until the caller aborts |
 * | `die-mid-stream`    | streams two chunks, then the connection is destroyed (no `[DONE]`, no clean end) |
 * | `embed` (any model on /embeddings) | deterministic embeddings; `encoding_format` float or base64, `dimensions` |
 *
 * Every request is checked against OpenAI's request format first (function names in `tools`, a named
 * `tool_choice` and earlier `tool_calls` included: OpenAI rejects any outside `^[a-zA-Z0-9_-]{1,64}$`); an invalid one gets a 400 in
 * OpenAI's error shape and is recorded with `invalid` set, so a gateway that sends something
 * malformed makes the test fail loudly.
 */

import { recordRequest, type RecordedRequest } from "./recording.ts";

export type { RecordedRequest } from "./recording.ts";

export interface MockUpstreamOptions {
  /** Delay before the first chunk of `slow-first-token` (first content token of `slow-after-role`). Default 2500 ms. */
  slowFirstTokenMs?: number;
}

export interface MockUpstream {
  /** Base URL ending in `/v1`, ready for `api_base`. */
  url: string;
  requests: RecordedRequest[];
  /** Requests whose caller disconnected before the answer was complete, in the order noticed. */
  aborted: RecordedRequest[];
  /** The requests for one upstream model name. */
  requestsFor(model: string): RecordedRequest[];
  stop(): Promise<void>;
}

/** What `ok` answers. */
export const OK_WORDS = ["Hello", " from", " the", " mock", " upstream."] as const;
export const OK_TEXT = OK_WORDS.join("");
export const OK_USAGE = {
  prompt_tokens: 19,
  completion_tokens: 5,
  total_tokens: 24,
  prompt_tokens_details: { cached_tokens: 12, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
} as const;

/** What `tool` calls. */
export const TOOL_CALL = {
  id: "call_Ij8yZ3yHqTFqRmnXeB1vEJbe",
  name: "get_weather",
  arguments: JSON.stringify({ city: "Paris", unit: "celsius", days: 3 }),
} as const;
export const TOOL_USAGE = { prompt_tokens: 61, completion_tokens: 24, total_tokens: 85, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 } } as const;

/** The upstream key an `error-401` echoes comes from the Authorization header; this is its message prefix. */
export const INVALID_KEY_MESSAGE_PREFIX = "Incorrect API key provided: ";

const ROLES = new Set(["system", "developer", "user", "assistant", "tool", "function"]);
/** What OpenAI accepts as a function name, wherever one appears. */
const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const CREATED = 1_726_000_000;
const FINGERPRINT = "fp_a7d06e42a7";
const encoder = new TextEncoder();

function openAIError(status: number, message: string, type: string, code: string | null, param: string | null = null, headers: Record<string, string> = {}): Response {
  return Response.json({ error: { message, type, param, code } }, { status, headers });
}

/** OpenAI's words for a function name outside its pattern. */
function badName(name: unknown, where: string): string | undefined {
  if (typeof name === "string" && FUNCTION_NAME.test(name)) return undefined;
  return `Invalid '${where}': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]{1,64}$'.`;
}

/** Checks a request against OpenAI's request format; returns what is wrong, or undefined. */
function validate(request: Request, path: string, headers: Record<string, string>, body: any, bodyText: string): string | undefined {
  if (request.method !== "POST") return `method must be POST, got ${request.method}`;
  const type = headers["content-type"] ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) return `content-type must be application/json, got '${type}'`;
  const auth = headers.authorization ?? "";
  if (!/^Bearer \S+$/.test(auth)) return `Authorization must be 'Bearer <key>', got '${auth}'`;
  if (body === undefined) return `body is not JSON: ${bodyText.slice(0, 80)}`;
  if (!body || typeof body !== "object" || Array.isArray(body)) return "body must be a JSON object";
  if (typeof body.model !== "string" || body.model.length === 0) return "model must be a non-empty string";
  if (path.endsWith("/chat/completions")) {
    if (!Array.isArray(body.messages) || body.messages.length === 0) return "messages must be a non-empty array";
    for (const [i, message] of body.messages.entries()) {
      if (!message || typeof message !== "object" || Array.isArray(message)) return `messages[${i}] must be an object`;
      if (!ROLES.has(message.role)) return `messages[${i}].role '${message.role}' is not a valid role`;
      for (const [j, call] of (Array.isArray(message.tool_calls) ? message.tool_calls : []).entries()) {
        const bad = badName(call?.function?.name, `messages[${i}].tool_calls[${j}].function.name`);
        if (bad) return bad;
      }
    }
    for (const [i, tool] of (Array.isArray(body.tools) ? body.tools : []).entries()) {
      const bad = tool?.type === "function" ? badName(tool.function?.name, `tools[${i}].function.name`) : undefined;
      if (bad) return bad;
    }
    if (body.tool_choice?.type === "function") {
      const bad = badName(body.tool_choice.function?.name, "tool_choice.function.name");
      if (bad) return bad;
    }
    if (body.stream !== undefined && body.stream !== null && typeof body.stream !== "boolean") return "stream must be a boolean";
    if (body.stream_options != null && (typeof body.stream_options !== "object" || body.stream !== true)) {
      return "stream_options is only allowed when stream is true";
    }
  } else if (path.endsWith("/embeddings")) {
    const input = body.input;
    const ok = typeof input === "string" || (Array.isArray(input) && input.length > 0);
    if (!ok) return "input must be a string or a non-empty array";
    if (body.encoding_format !== undefined && body.encoding_format !== "float" && body.encoding_format !== "base64") return "encoding_format must be float or base64";
  } else {
    return `unknown path ${path}`;
  }
  return undefined;
}

const chunkJson = (model: string, id: string, choices: unknown[], usage?: unknown) =>
  JSON.stringify({ id, object: "chat.completion.chunk", created: CREATED, model, service_tier: "default", system_fingerprint: FINGERPRINT, choices, ...(usage !== undefined ? { usage } : {}) });

type Script = "ok" | "tool" | "each-tool";

/** The function tools a request offers, by the names the mock received. */
const offeredNames = (body: any): string[] => (Array.isArray(body.tools) ? body.tools : []).filter((tool: any) => tool?.type === "function").map((tool: any) => String(tool.function.name));

/** The calls a tool script answers with. */
function callsOf(body: any, script: Exclude<Script, "ok">): { id: string; name: string; arguments: string }[] {
  if (script === "tool") return [{ id: TOOL_CALL.id, name: offeredNames(body)[0] ?? TOOL_CALL.name, arguments: TOOL_CALL.arguments }];
  return offeredNames(body).map((name, i) => ({ id: `call_each_${i}`, name, arguments: "{}" }));
}

/** The SSE frames OpenAI sends for a completion, in order. */
function streamFrames(body: any, script: Script): string[] {
  const id = script === "ok" ? "chatcmpl-AqK8mock0k0000000000000001" : "chatcmpl-AqK8mock0t0000000000000002";
  const model: string = body.model;
  const withUsage = body.stream_options?.include_usage === true;
  // With include_usage OpenAI puts `"usage": null` on every chunk and the counts on a last, choice-less one.
  const usageField = withUsage ? null : undefined;
  const choice = (delta: unknown, finish: string | null) => ({ index: 0, delta, logprobs: null, finish_reason: finish });
  const frames: unknown[][] = [];
  if (script === "ok") {
    frames.push([choice({ role: "assistant", content: "", refusal: null }, null)]);
    for (const word of OK_WORDS) frames.push([choice({ content: word }, null)]);
    frames.push([choice({}, "stop")]);
  } else {
    callsOf(body, script).forEach((call, index) => {
      const role = index === 0 ? { role: "assistant", content: null, refusal: null } : {};
      frames.push([choice({ ...role, tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] }, null)]);
      for (const piece of call.arguments.match(/.{1,7}/gs) ?? []) frames.push([choice({ tool_calls: [{ index, function: { arguments: piece } }] }, null)]);
    });
    frames.push([choice({}, "tool_calls")]);
  }
  const out = frames.map((choices) => `data: ${chunkJson(model, id, choices, usageField)}\n\n`);
  if (withUsage) out.push(`data: ${chunkJson(model, id, [], script === "ok" ? OK_USAGE : TOOL_USAGE)}\n\n`);
  out.push("data: [DONE]\n\n");
  return out;
}

function completionJson(body: any, script: Script): string {
  const message =
    script === "ok"
      ? { role: "assistant", content: OK_TEXT, refusal: null, annotations: [] }
      : { role: "assistant", content: null, tool_calls: callsOf(body, script).map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } })), refusal: null, annotations: [] };
  return JSON.stringify({
    id: script === "ok" ? "chatcmpl-AqK8mock0k0000000000000001" : "chatcmpl-AqK8mock0t0000000000000002",
    object: "chat.completion",
    created: CREATED,
    model: body.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: script === "ok" ? "stop" : "tool_calls" }],
    usage: script === "ok" ? OK_USAGE : TOOL_USAGE,
    service_tier: "default",
    system_fingerprint: FINGERPRINT,
  });
}

/** Rate-limit headers OpenAI sends on every answer; the gateway should pass them on. */
const RATE_LIMIT_HEADERS = {
  "x-ratelimit-limit-requests": "10000",
  "x-ratelimit-remaining-requests": "9999",
  "x-ratelimit-reset-requests": "6ms",
  "x-request-id": "req_mockupstream0001",
};

/** A deterministic vector for a text: same text and size, same numbers. */
export function mockVector(text: string, dimensions: number): Float32Array {
  const vector = new Float32Array(dimensions);
  for (let i = 0; i < dimensions; i++) vector[i] = Number(Bun.hash.wyhash(`${i}:${text}`) & 0xffffn) / 0x8000 - 1;
  return vector;
}

function embeddings(body: any): Response {
  const texts: string[] = typeof body.input === "string" ? [body.input] : body.input.map((item: unknown) => (typeof item === "string" ? item : JSON.stringify(item)));
  const dimensions = typeof body.dimensions === "number" ? body.dimensions : 8;
  const data = texts.map((text, index) => {
    const vector = mockVector(text, dimensions);
    const embedding = body.encoding_format === "base64" ? Buffer.from(vector.buffer).toString("base64") : Array.from(vector);
    return { object: "embedding", index, embedding };
  });
  const tokens = texts.reduce((sum, text) => sum + (text.match(/\S+/g)?.length ?? 0), 0);
  return Response.json({ object: "list", data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } }, { headers: RATE_LIMIT_HEADERS });
}

/** A stream from frames, sent one per pull; `pauseMs` holds back frame number `pauseBefore`. */
function frameStream(frames: string[], signal: AbortSignal, opts: { pauseBefore?: number; pauseMs?: number; stallAfter?: number; dieAfter?: number } = {}): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent === opts.pauseBefore && opts.pauseMs) await Bun.sleep(opts.pauseMs);
      if (opts.dieAfter !== undefined && sent === opts.dieAfter) {
        // Erroring the body after headers makes Bun reset the connection: the caller sees the stream break.
        // (An `undefined` reason keeps Bun from logging it as an unhandled error.)
        await Bun.sleep(10);
        controller.error(undefined);
        return;
      }
      if (opts.stallAfter !== undefined && sent === opts.stallAfter) {
        await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
        controller.close();
        return;
      }
      const frame = frames[sent++];
      if (frame === undefined) controller.close();
      else controller.enqueue(encoder.encode(frame));
    },
  });
}

const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", ...RATE_LIMIT_HEADERS };

function chat(body: any, signal: AbortSignal, options: Required<MockUpstreamOptions>, bearer: string): Response | Promise<Response> {
  const model: string = body.model;
  const stream = body.stream === true;
  switch (model) {
    case "error-429":
      return openAIError(
        429,
        "Rate limit reached for gpt-4o in organization org-mock on requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in 2s.",
        "requests",
        "rate_limit_exceeded",
        null,
        { "retry-after": "2", "x-ratelimit-limit-requests": "500", "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "2s" },
      );
    case "error-500":
      return openAIError(500, "The server had an error while processing your request. Sorry about that!", "server_error", null);
    case "error-400-context":
      return openAIError(
        400,
        "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens. Please reduce the length of the messages.",
        "invalid_request_error",
        "context_length_exceeded",
        "messages",
      );
    case "error-401":
      return openAIError(
        401,
        `${INVALID_KEY_MESSAGE_PREFIX}${bearer}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        "invalid_request_error",
        "invalid_api_key",
      );
    case "hang":
      return new Promise<Response>((resolve) => {
        // Never answers; resolving after the abort lets Bun clean the request up.
        signal.addEventListener("abort", () => resolve(new Response(null, { status: 499 })), { once: true });
      });
    case "ok":
    // A real, priced model id (dated snapshot) answering like `ok`, for cost tests.
    case "gpt-4o-2024-08-06":
    case "tool":
    case "each-tool":
    case "slow-first-token":
    case "slow-after-role":
    case "stall":
    case "die-mid-stream": {
      const script: Script = model === "tool" || model === "each-tool" ? model : "ok";
      const pauseMs = model.startsWith("slow-") ? options.slowFirstTokenMs : 0;
      if (!stream) {
        const answer = () => new Response(completionJson(body, script), { headers: { "content-type": "application/json", ...RATE_LIMIT_HEADERS } });
        return pauseMs ? Bun.sleep(pauseMs).then(answer) : answer();
      }
      const frames = streamFrames(body, script);
      const shape =
        model === "stall" ? { stallAfter: 2 }
        : model === "die-mid-stream" ? { dieAfter: 2 }
        : model === "slow-first-token" ? { pauseBefore: 0, pauseMs }
        : model === "slow-after-role" ? { pauseBefore: 1, pauseMs }
        : {};
      return new Response(frameStream(frames, signal, shape), { headers: SSE_HEADERS });
    }
    default:
      return openAIError(404, `The model \`${model}\` does not exist or you do not have access to it.`, "invalid_request_error", "model_not_found");
  }
}

/** Starts the scripted upstream on 127.0.0.1 and a free port. */
export async function startMockUpstream(opts: MockUpstreamOptions = {}): Promise<MockUpstream> {
  const options: Required<MockUpstreamOptions> = { slowFirstTokenMs: opts.slowFirstTokenMs ?? 2500 };
  const requests: RecordedRequest[] = [];
  const aborted: RecordedRequest[] = [];

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    // `hang` and `stall` must stay open until the caller goes away, not until an idle timer fires.
    idleTimeout: 0,
    async fetch(request) {
      const { url, recorded, markAnswered, track } = await recordRequest(request, requests, aborted);
      const invalid = validate(request, url.pathname, recorded.headers, recorded.body, recorded.bodyText);
      if (invalid) {
        recorded.invalid = invalid;
        markAnswered();
        return openAIError(400, `mock upstream rejected a malformed request: ${invalid}`, "invalid_request_error", "invalid_request");
      }
      if (url.pathname.endsWith("/embeddings")) {
        markAnswered();
        return embeddings(recorded.body);
      }
      const bearer = recorded.headers.authorization!.slice("Bearer ".length);
      // A stream is answered when its last byte has been read; an abort before that counts.
      return track(await chat(recorded.body, request.signal, options, bearer));
    },
  });

  return {
    url: `http://127.0.0.1:${server.port}/v1`,
    requests,
    aborted,
    requestsFor: (model) => requests.filter((r) => r.body?.model === model),
    stop: async () => {
      await server.stop(true);
    },
  };
}

/** Polls `predicate` every 10 ms until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (predicate()) return true;
    if (performance.now() >= deadline) return predicate();
    await Bun.sleep(10);
  }
}

/** A base URL on 127.0.0.1 where nothing listens (a server was started there and stopped). */
export async function closedPortUrl(): Promise<string> {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  const port = server.port;
  await server.stop(true);
  return `http://127.0.0.1:${port}/v1`;
}
