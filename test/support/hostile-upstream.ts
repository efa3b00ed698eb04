/**
 * An upstream whose answers each test writes by hand, for what real providers should never send:
 * redirects, malformed bodies, errors that echo the key. Each deployment is a path prefix
 * (`<url>/<name>/…`) answered by the function registered for that name; every request that reaches
 * the server is recorded, whatever it was answered (an unregistered name gets 404), so a server used
 * only as a redirect target proves it received nothing.
 */
import type { Server } from "bun";
import { completion } from "./scripted-upstream.ts";

/** One request as it arrived. */
export interface Hit {
  /** The path's first segment (the deployment name). */
  name: string;
  method: string;
  /** Path and query after the origin. */
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: string;
}

/** Answers one request of a deployment; `body` is the request body as text. */
export type Answer = (request: Request, body: string, url: URL) => Response | Promise<Response>;

export interface HostileUpstream {
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  /** `<origin>/<name>`: the base of one deployment's paths. */
  base(name: string): string;
  hits: Hit[];
  /** The requests one deployment received. */
  hitsOf(name: string): Hit[];
  /** Sets (or replaces) how deployment `name` answers. */
  on(name: string, answer: Answer): void;
  stop(): Promise<void>;
}

/** Starts the upstream on 127.0.0.1 and a free port. */
export function startHostileUpstream(): HostileUpstream {
  const answers = new Map<string, Answer>();
  const hits: Hit[] = [];
  const server: Server<unknown> = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const name = url.pathname.split("/")[1] ?? "";
      const headers: Record<string, string> = {};
      request.headers.forEach((value, key) => (headers[key] = value));
      const body = await request.text();
      hits.push({ name, method: request.method, path: url.pathname + url.search, headers, body });
      const answer = answers.get(name);
      return answer ? answer(request, body, url) : Response.json({ error: { message: `nothing is served at ${url.pathname}` } }, { status: 404 });
    },
  });
  const origin = `http://127.0.0.1:${server.port}`;
  return {
    origin,
    base: (name) => `${origin}/${name}`,
    hits,
    hitsOf: (name) => hits.filter((hit) => hit.name === name),
    on: (name, answer) => void answers.set(name, answer),
    stop: async () => {
      await server.stop(true);
    },
  };
}

const encoder = new TextEncoder();

/** An event-stream answer of the given raw SSE text pieces, each its own chunk. */
export function sseAnswer(pieces: readonly string[], contentType = "text/event-stream"): Response {
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const piece = pieces[next++];
      if (piece === undefined) controller.close();
      else controller.enqueue(encoder.encode(piece));
    },
  });
  return new Response(body, { headers: { "content-type": contentType } });
}

/** A chat completion in OpenAI's shape, saying `text`. */
export const openAICompletion = (text: string, model = "up-model"): Response => completion(model, text);

/** An OpenAI chunk's SSE frame. */
export const openAIChunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
  `data: ${JSON.stringify({ id: "chatcmpl-hostile", object: "chat.completion.chunk", created: 1, model: "up-model", choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;

/** An OpenAI stream saying `words`, finished, with usage and [DONE]. */
export function openAIStreamFrames(words: readonly string[]): string[] {
  return [
    openAIChunk({ role: "assistant", content: "" }),
    ...words.map((word) => openAIChunk({ content: word })),
    openAIChunk({}, "stop"),
    `data: ${JSON.stringify({ id: "chatcmpl-hostile", object: "chat.completion.chunk", created: 1, model: "up-model", choices: [], usage: { prompt_tokens: 5, completion_tokens: words.length, total_tokens: 5 + words.length } })}\n\n`,
    "data: [DONE]\n\n",
  ];
}

/** A Messages answer in Anthropic's shape, saying `text`. */
export function anthropicMessage(text: string, model = "claude-up"): Response {
  return Response.json({
    id: "msg_hostile",
    type: "message",
    role: "assistant",
    model,
    content: [{ type: "text", text }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { input_tokens: 5, output_tokens: 2 },
  });
}

/** An Anthropic SSE frame. */
export const anthropicEvent = (name: string, data: Record<string, unknown>): string => `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`;

/** The events before an Anthropic stream's first text delta (message_start, content_block_start). */
export function anthropicStreamHead(model = "claude-up"): string[] {
  return [
    anthropicEvent("message_start", { message: { id: "msg_hostile", type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 5, output_tokens: 1 } } }),
    anthropicEvent("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
  ];
}

/** A whole Anthropic stream saying `words`. */
export function anthropicStreamFrames(words: readonly string[], model = "claude-up"): string[] {
  return [
    ...anthropicStreamHead(model),
    ...words.map((word) => anthropicEvent("content_block_delta", { index: 0, delta: { type: "text_delta", text: word } })),
    anthropicEvent("content_block_stop", { index: 0 }),
    anthropicEvent("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: words.length } }),
    anthropicEvent("message_stop", {}),
  ];
}
