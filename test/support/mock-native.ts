/**
 * A scripted upstream speaking several providers' native APIs, for the pass-through tests: it
 * answers on a real socket (Bun.serve on 127.0.0.1, port 0), records every request as it arrived
 * (query included), and notices callers that go away. Which answer a request gets is decided by its
 * path (the wire shapes are the providers' documented ones):
 *
 * | path                                             | answers |
 * | ------------------------------------------------ | ------- |
 * | `…/models/{m}:generateContent`                   | a Gemini answer (`GEMINI_TEXT`, a functionCall, `GEMINI_USAGE`) |
 * | `…/models/{m}:streamGenerateContent`             | SSE with `alt=sse`, else one JSON array sent in pieces; the same text and usage |
 * | `…/models/{m}:countTokens` / `:embedContent`     | `{totalTokens}` / `{embedding: {values}}` |
 * | `/v2/chat`                                       | a Cohere v2 chat answer (`COHERE_TEXT`, `COHERE_USAGE`), SSE events when `stream` |
 * | `/v2/rerank`                                     | a rerank answer |
 * | `…/chat/completions` (Azure deployments, Mistral) | an OpenAI chat completion (`CHAT_TEXT`, `CHAT_USAGE`), SSE with usage when `stream`; HTML for model `garbled` |
 * | `/v1/responses`                                  | a Responses API answer (`RESPONSES_TEXT`, `RESPONSES_USAGE`), SSE events when `stream` |
 * | `GET /v1/files`, `GET /v1/models`, `POST /v1/files` | lists (ETag `FILES_ETAG` on the files list: 304 to `If-None-Match` naming it), a file object |
 * | `…/redirect`                                     | 302 to `redirectTo` (set by the test) |
 * | `…/moved-nowhere`                                | 302 with no Location (nothing to follow) and a text body |
 * | `…/error-echo`                                   | 401 whose message echoes the credential headers it received |
 * | `…/stall`                                        | SSE: one event, then nothing until the caller goes away |
 * | anything else                                    | 200 `{path, method}` |
 */
import { recordRequest, type RecordedRequest } from "./recording.ts";

export interface NativeRequest extends RecordedRequest {
  /** The query string, `?` included ("" when none). */
  search: string;
}

export interface MockNative {
  /** `http://127.0.0.1:PORT` (no path). */
  url: string;
  requests: NativeRequest[];
  aborted: RecordedRequest[];
  /** Where `…/redirect` points. */
  redirectTo: string;
  stop(): Promise<void>;
}

export const FILES_ETAG = '"files-v1"';
export const GEMINI_TEXT = "Hello from the mock Gemini.";
export const GEMINI_USAGE = { promptTokenCount: 31, candidatesTokenCount: 9, cachedContentTokenCount: 16, thoughtsTokenCount: 4, totalTokenCount: 44 };
export const GEMINI_CALL = { name: "get_weather", args: { city: "Paris" } };
export const COHERE_TEXT = "Hello from the mock Cohere.";
export const COHERE_USAGE = { billed_units: { input_tokens: 14, output_tokens: 7 }, tokens: { input_tokens: 80, output_tokens: 7 } };
export const CHAT_TEXT = "Hello from the mock chat.";
export const CHAT_USAGE = { prompt_tokens: 23, completion_tokens: 6, total_tokens: 29, prompt_tokens_details: { cached_tokens: 10 } };
export const RESPONSES_TEXT = "Hello from the mock Responses API.";
export const RESPONSES_USAGE = { input_tokens: 40, input_tokens_details: { cached_tokens: 32 }, output_tokens: 11, output_tokens_details: { reasoning_tokens: 3 }, total_tokens: 51 };

const SSE = { "content-type": "text/event-stream" };
const encoder = new TextEncoder();

/** A body sent in pieces, one per item, the way a stream arrives (after the last, held open until `stallUntil` aborts). */
export function pieces(items: readonly string[], stallUntil?: AbortSignal): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    async pull(controller) {
      if (i < items.length) {
        controller.enqueue(encoder.encode(items[i++] as string));
        await Bun.sleep(1);
        return;
      }
      if (stallUntil) await new Promise((resolve) => stallUntil.addEventListener("abort", resolve, { once: true }));
      controller.close();
    },
  });
}

/** `events` as SSE frames, each named by `name` when given. */
export const sse = (events: readonly unknown[], name?: (event: any) => string) => events.map((event) => `${name ? `event: ${name(event)}\n` : ""}data: ${JSON.stringify(event)}\n\n`);

/** Gemini's answer to a model method (mock-vertex.ts answers Vertex AI's Gemini calls with it too). */
export function geminiAnswer(action: string, query: URLSearchParams): Response {
  const chunks = [
    { candidates: [{ content: { role: "model", parts: [{ text: "Hello from " }] }, index: 0 }], responseId: "gem-1" },
    { candidates: [{ content: { role: "model", parts: [{ text: "the mock Gemini." }, { functionCall: GEMINI_CALL }] }, finishReason: "STOP", index: 0 }], usageMetadata: GEMINI_USAGE, responseId: "gem-1" },
  ];
  if (action === "generateContent") {
    return Response.json({ candidates: [{ content: { role: "model", parts: [{ text: GEMINI_TEXT }, { functionCall: GEMINI_CALL }] }, finishReason: "STOP", index: 0 }], usageMetadata: GEMINI_USAGE, responseId: "gem-1" });
  }
  if (action === "streamGenerateContent") {
    if (query.get("alt") === "sse") return new Response(pieces(sse(chunks)), { headers: SSE });
    const text = JSON.stringify(chunks, null, 2);
    // Google's JSON-array stream: the array arrives a piece at a time.
    return new Response(pieces([text.slice(0, 40), text.slice(40, 200), text.slice(200)]), { headers: { "content-type": "application/json; charset=UTF-8" } });
  }
  if (action === "countTokens") return Response.json({ totalTokens: 31 });
  if (action === "embedContent") return Response.json({ embedding: { values: [0.1, 0.2, 0.3] } });
  return Response.json({ error: { code: 404, message: `no such method ${action}`, status: "NOT_FOUND" } }, { status: 404 });
}

function cohere(body: any): Response {
  if (body?.stream === true) {
    const events = [
      { type: "message-start", id: "co-1", delta: { message: { role: "assistant" } } },
      { type: "content-delta", index: 0, delta: { message: { content: { text: "Hello from " } } } },
      { type: "content-delta", index: 0, delta: { message: { content: { text: "the mock Cohere." } } } },
      { type: "message-end", delta: { finish_reason: "COMPLETE", usage: COHERE_USAGE } },
    ];
    return new Response(pieces(sse(events, (event) => event.type)), { headers: SSE });
  }
  return Response.json({ id: "co-1", finish_reason: "COMPLETE", message: { role: "assistant", content: [{ type: "text", text: COHERE_TEXT }] }, usage: COHERE_USAGE });
}

function chat(body: any): Response {
  const id = "chatcmpl-native-1";
  if (body?.model === "garbled") return new Response("<html>not an answer</html>", { headers: { "content-type": "text/html" } });
  if (body?.stream === true) {
    const chunks = [
      { id, object: "chat.completion.chunk", choices: [{ index: 0, delta: { role: "assistant", content: "Hello from " }, finish_reason: null }] },
      { id, object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: "the mock chat." }, finish_reason: "stop" }] },
      ...(body.stream_options?.include_usage ? [{ id, object: "chat.completion.chunk", choices: [], usage: CHAT_USAGE }] : []),
    ];
    return new Response(pieces([...sse(chunks), "data: [DONE]\n\n"]), { headers: SSE });
  }
  return Response.json({ id, object: "chat.completion", model: body?.model, choices: [{ index: 0, message: { role: "assistant", content: CHAT_TEXT }, finish_reason: "stop" }], usage: CHAT_USAGE });
}

function responses(body: any): Response {
  const response = {
    id: "resp_native_1",
    object: "response",
    status: "completed",
    model: body?.model,
    output: [
      { type: "message", role: "assistant", content: [{ type: "output_text", text: RESPONSES_TEXT }] },
      { type: "function_call", call_id: "call_r1", name: "get_weather", arguments: '{"city":"Oslo"}' },
    ],
    usage: RESPONSES_USAGE,
  };
  if (body?.stream === true) {
    const events = [
      { type: "response.created", response: { ...response, status: "in_progress", output: [], usage: null } },
      { type: "response.output_text.delta", delta: "Hello from " },
      { type: "response.output_text.delta", delta: "the mock Responses API." },
      { type: "response.completed", response },
    ];
    return new Response(pieces(sse(events, (event) => event.type)), { headers: SSE });
  }
  return Response.json(response);
}

/** Starts the mock on 127.0.0.1 and a free port. */
export async function startMockNative(): Promise<MockNative> {
  const requests: NativeRequest[] = [];
  const aborted: RecordedRequest[] = [];
  const mock: MockNative = {
    url: "",
    requests,
    aborted,
    redirectTo: "http://127.0.0.1:9/",
    stop: async () => {
      await server.stop(true);
    },
  };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(request) {
      const { url, recorded, track } = await recordRequest(request, [], aborted);
      requests.push({ ...recorded, search: url.search });
      // The record above is a copy: an abort noticed later is read from `aborted`.
      const path = url.pathname;
      const body = recorded.body;
      const model = /\/models\/([^/:]+):(\w+)$/.exec(path);
      if (model) return track(geminiAnswer(model[2] as string, url.searchParams));
      if (path.endsWith("/redirect")) return track(new Response(null, { status: 302, headers: { location: mock.redirectTo } }));
      if (path.endsWith("/moved-nowhere")) return track(new Response("moved, but nowhere", { status: 302 }));
      if (path.endsWith("/error-echo")) {
        const echoed = ["authorization", "x-api-key", "api-key", "x-goog-api-key"].map((name) => `${name}=${recorded.headers[name] ?? ""}`).join(" ");
        return track(Response.json({ error: { message: `Invalid credentials: ${echoed}`, type: "authentication_error" } }, { status: 401, headers: { "x-upstream-error": "yes" } }));
      }
      if (path.endsWith("/stall")) return track(new Response(pieces(sse([{ type: "ping" }]), request.signal), { headers: SSE }));
      if (path === "/v2/chat" || path === "/v1/chat") return track(cohere(body));
      if (path.endsWith("/rerank")) return track(Response.json({ id: "rr-1", results: [{ index: 0, relevance_score: 0.9 }], meta: { billed_units: { search_units: 1 } } }));
      if (path.endsWith("/chat/completions")) return track(chat(body));
      if (path.endsWith("/responses")) return track(responses(body));
      if (request.method === "GET" && path.endsWith("/files")) {
        if (recorded.headers["if-none-match"] === FILES_ETAG) return track(new Response(null, { status: 304, headers: { etag: FILES_ETAG } }));
        return track(Response.json({ object: "list", data: [{ id: "file-1", object: "file" }] }, { headers: { etag: FILES_ETAG } }));
      }
      if (request.method === "POST" && path.endsWith("/files")) return track(Response.json({ id: "file-new", object: "file", bytes: recorded.bodyText.length }));
      if (request.method === "GET" && path.endsWith("/models")) return track(Response.json({ data: [{ id: "model-1", type: "model" }], has_more: false }, { headers: { "set-cookie": "upstream=1", "x-request-id": "req-native-1" } }));
      return track(Response.json({ path, method: request.method }));
    },
  });
  mock.url = `http://127.0.0.1:${server.port}`;
  return mock;
}
