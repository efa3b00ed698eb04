/**
 * Bench mock upstream: the fastest OpenAI-wire server we can write, run in its own process by
 * test/bench/run.ts. `POST …/chat/completions` answers a fixed, pre-serialised chat.completion
 * with usage; with `"stream":true` in the body it streams 10 chunks (role, 8 deltas, finish), a
 * usage chunk when `include_usage` is asked for, then `[DONE]`, each chunk written and flushed
 * separately. Anything else is 404.
 *
 * Listens on 127.0.0.1 (port from argv[2], default 0 = free port) and prints `listening <port>`
 * on stdout. Exits when its stdin closes, so it cannot outlive the bench runner.
 */

export {};

const port = Number(process.argv[2] ?? "0");
const created = Math.floor(Date.now() / 1000);
const id = "chatcmpl-bench0000000000000000000000";
const model = "bench-upstream-model";

const COMPLETION = JSON.stringify({
  id,
  object: "chat.completion",
  created,
  model,
  system_fingerprint: "fp_bench",
  choices: [
    {
      index: 0,
      message: { role: "assistant", content: "Packets flow like streams / one door, many quiet rooms / the balancer hums.", refusal: null },
      logprobs: null,
      finish_reason: "stop",
    },
  ],
  usage: { prompt_tokens: 27, completion_tokens: 19, total_tokens: 46 },
});

const chunk = (delta: Record<string, unknown>, finish: string | null) =>
  `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, system_fingerprint: "fp_bench", choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
const WORDS = ["Packets", " flow", " like", " streams", ",", " one", " door", "."];
const STREAM_FRAMES = [chunk({ role: "assistant", content: "" }, null), ...WORDS.map((w) => chunk({ content: w }, null)), chunk({}, "stop")];
const USAGE_FRAME = `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [], usage: { prompt_tokens: 27, completion_tokens: 8, total_tokens: 35 } })}\n\n`;
const DONE_FRAME = "data: [DONE]\n\n";

const JSON_HEADERS = { "content-type": "application/json" };
const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache" };

function streamResponse(withUsage: boolean): Response {
  const frames = withUsage ? [...STREAM_FRAMES, USAGE_FRAME, DONE_FRAME] : [...STREAM_FRAMES, DONE_FRAME];
  const body = new ReadableStream({
    type: "direct",
    async pull(controller: { write(chunk: string): void; flush(): unknown; close(): void }) {
      for (const frame of frames) {
        controller.write(frame);
        await controller.flush();
      }
      controller.close();
    },
  } as never);
  return new Response(body as never, { headers: SSE_HEADERS });
}

const server = Bun.serve({
  hostname: "127.0.0.1",
  port,
  idleTimeout: 60,
  async fetch(request) {
    const path = new URL(request.url).pathname;
    if (request.method !== "POST" || !path.endsWith("/chat/completions")) return new Response("not found", { status: 404 });
    const text = await request.text();
    if (text.includes('"stream":true')) return streamResponse(text.includes('"include_usage":true'));
    return new Response(COMPLETION, { headers: JSON_HEADERS });
  },
});

console.log(`listening ${server.port}`);

// Die with the parent: the runner holds our stdin open.
(async () => {
  for await (const _ of Bun.stdin.stream()) {
    // ignore input
  }
  server.stop(true);
  process.exit(0);
})();
