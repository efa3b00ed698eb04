/**
 * An OpenAI-wire upstream whose answers are scripted per deployment, for router tests. Each
 * deployment is a path prefix (`<url>/<name>/v1`); every call takes the next step of that
 * deployment's script (the last step repeats) and is logged, so tests assert the exact attempt
 * sequence. It checks what it receives: a POST to /chat/completions with a JSON body naming a model
 * and carrying messages, and the bearer key.
 */
import type { Server } from "bun";
import { afterAll, beforeAll, beforeEach } from "bun:test";
import OpenAI from "openai";
import type { ModelEntry } from "../../src/config/schema.ts";

export type Step =
  | { kind: "ok"; text?: string }
  | { kind: "status"; status: number; body?: unknown; headers?: Record<string, string> }
  /** 200 with SSE headers, then the connection breaks before any event (nothing reached the client yet). */
  | { kind: "reset-before-first-byte" }
  /** Streams `chunks` content deltas, then the connection breaks. */
  | { kind: "die-after"; chunks: number }
  /**
   * Waits `ms` before answering ok (before the first chunk when streaming). With `comment`, a stream
   * first sends an SSE comment, so its headers leave at once and only the first event is slow.
   */
  | { kind: "slow"; ms: number; comment?: boolean }
  /** Streams `chunks` content deltas, then sends nothing until the caller goes away. */
  | { kind: "stall-after"; chunks: number }
  /** 200 with SSE headers whose first event is `{"error": ...}` (an OpenAI-compatible server overloaded after answering). */
  | { kind: "error-event"; error: Record<string, unknown> };

export interface Hit {
  deployment: string;
  stream: boolean;
  model: string;
  /** The output cap asked for, if any (health checks ask for one token). */
  maxTokens?: number;
}

export interface ScriptedUpstream {
  url: string;
  hits: Hit[];
  script(deployment: string, steps: Step[]): void;
  stop(): Promise<void>;
}

export const UPSTREAM_KEY = "sk-scripted-upstream";

const enc = new TextEncoder();
const chunk = (delta: Record<string, unknown>, finish: string | null, model: string) =>
  enc.encode(`data: ${JSON.stringify({ id: "chatcmpl-s", object: "chat.completion.chunk", created: 1, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`);

/** A chat completion in OpenAI's shape saying `text`, with usage. */
export function completion(model: string, text: string): Response {
  return Response.json({
    id: "chatcmpl-s",
    object: "chat.completion",
    created: 1,
    model,
    choices: [{ index: 0, message: { role: "assistant", content: text, refusal: null }, logprobs: null, finish_reason: "stop" }],
    usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
  });
}

function stream(model: string, words: string[], opts: { delayMs?: number; comment?: boolean; dieAfter?: number; stallAfter?: number; signal?: AbortSignal }): Response {
  let sent = 0;
  let commented = !opts.comment;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!commented) {
        commented = true;
        controller.enqueue(enc.encode(": connected\n\n"));
        return;
      }
      if (sent === 0 && opts.delayMs) await Bun.sleep(opts.delayMs);
      if (opts.stallAfter !== undefined && sent === opts.stallAfter) {
        const signal = opts.signal as AbortSignal;
        await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
        controller.close();
        return;
      }
      if (opts.dieAfter !== undefined && sent === opts.dieAfter) {
        // After a pause (so what was sent is flushed), erroring the body makes Bun reset the
        // connection; an `undefined` reason keeps Bun from logging it as unhandled.
        await Bun.sleep(10);
        controller.error(undefined);
        return;
      }
      if (sent === 0) controller.enqueue(chunk({ role: "assistant", content: "" }, null, model));
      if (sent < words.length) controller.enqueue(chunk({ content: words[sent] }, null, model));
      else {
        controller.enqueue(chunk({}, "stop", model));
        controller.enqueue(enc.encode("data: [DONE]\n\n"));
        controller.close();
      }
      sent++;
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

/** Starts the upstream on 127.0.0.1 and a free port. */
export function startScriptedUpstream(): ScriptedUpstream {
  const scripts = new Map<string, { steps: Step[]; next: number }>();
  const hits: Hit[] = [];
  const server: Server<unknown> = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(request) {
      const match = /^\/([^/]+)\/v1\/(chat\/completions|embeddings)$/.exec(new URL(request.url).pathname);
      if (request.method !== "POST" || !match) return Response.json({ error: { message: "not found" } }, { status: 404 });
      if (request.headers.get("authorization") !== `Bearer ${UPSTREAM_KEY}`) return Response.json({ error: { message: "bad key" } }, { status: 401 });
      const body = (await request.json()) as { model?: unknown; messages?: unknown; stream?: unknown; max_tokens?: unknown; max_completion_tokens?: unknown };
      if (match[2] === "embeddings") return Response.json({ error: { message: "embeddings are not scripted" } }, { status: 404 });
      if (typeof body.model !== "string" || !Array.isArray(body.messages)) return Response.json({ error: { message: "model and messages are required" } }, { status: 400 });
      const deployment = match[1] as string;
      const isStream = body.stream === true;
      const cap = body.max_completion_tokens ?? body.max_tokens;
      hits.push({ deployment, stream: isStream, model: body.model, ...(typeof cap === "number" ? { maxTokens: cap } : {}) });
      const script = scripts.get(deployment) ?? { steps: [{ kind: "ok" }], next: 0 };
      const step = script.steps[Math.min(script.next, script.steps.length - 1)] as Step;
      script.next++;
      const words = ["Hello", " from", ` ${deployment}`];
      switch (step.kind) {
        case "ok":
          return isStream ? stream(body.model, words, {}) : completion(body.model, step.text ?? words.join(""));
        case "slow":
          if (isStream) return stream(body.model, words, { delayMs: step.ms, ...(step.comment ? { comment: true } : {}) });
          await Bun.sleep(step.ms);
          return completion(body.model, words.join(""));
        case "status":
          return Response.json(step.body ?? { error: { message: `scripted ${step.status}`, type: "server_error", param: null, code: null } }, { status: step.status, headers: step.headers ?? {} });
        case "reset-before-first-byte":
          return new Response(new ReadableStream({ pull: (controller) => controller.error(undefined) }), { headers: { "content-type": "text/event-stream" } });
        case "die-after":
          return stream(body.model, words, { dieAfter: step.chunks });
        case "error-event":
          return new Response(`data: ${JSON.stringify({ error: step.error })}\n\ndata: [DONE]\n\n`, { headers: { "content-type": "text/event-stream" } });
        case "stall-after":
          return stream(body.model, words, { stallAfter: step.chunks, signal: request.signal });
      }
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    hits,
    script: (deployment, steps) => scripts.set(deployment, { steps, next: 0 }),
    stop: async () => {
      await server.stop(true);
    },
  };
}

/** A scripted upstream for one test file: started before all tests, hits cleared before each, stopped (with `track`ed gateways) after all. */
export function useScriptedUpstream(): {
  readonly upstream: ScriptedUpstream;
  /** A deployment of `modelName` at the upstream path `name` (its id is `name` too). */
  deployment(modelName: string, name: string, extra?: Partial<ModelEntry>): ModelEntry;
  /** Deployments called so far in this test, in order. */
  order(): string[];
  /** Stops `gateway` after all tests. */
  track<T extends { stop(): Promise<void> }>(gateway: T): T;
} {
  let upstream: ScriptedUpstream | undefined;
  const running: { stop(): Promise<void> }[] = [];
  beforeAll(() => {
    upstream = startScriptedUpstream();
  });
  afterAll(async () => {
    await Promise.all(running.map((g) => g.stop()));
    await upstream?.stop();
  });
  beforeEach(() => {
    if (upstream) upstream.hits.length = 0;
  });
  const started = () => {
    if (!upstream) throw new Error("the scripted upstream starts in beforeAll");
    return upstream;
  };
  return {
    get upstream() {
      return started();
    },
    deployment: (modelName, name, extra = {}) => ({ model_name: modelName, model: `openai/${name}-model`, id: name, api_base: `${started().url}/${name}/v1`, api_key: UPSTREAM_KEY, ...extra }),
    order: () => started().hits.map((h) => h.deployment),
    track: (gateway) => {
      running.push(gateway);
      return gateway;
    },
  };
}

/** The OpenAI SDK error a call failed with (fails the test if it succeeded or threw something else). */
export async function apiFailure(run: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await run;
  } catch (error) {
    if (error instanceof OpenAI.APIError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}
