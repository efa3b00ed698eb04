/**
 * Micro-benchmark of the strict-budget input bound (src/budgets/input-bound.ts), the per-request
 * work admission adds for a key with a budget: `bun test/bench/input-bound.ts`. Measures, for a
 * 2 KB and a 200 KB chat body, the cheap bound (one pass over the parsed body), the refined bound
 * (gpt-tokenizer, only when the cheap one does not fit a budget), and what loading a tokenizer
 * costs once. Prints microseconds per call; CPU-bound, so run it on a quiet machine.
 */
import { InputBound } from "../../src/budgets/input-bound.ts";
import { loadTokenizer } from "../../src/budgets/tokenizer.ts";
import type { ModelPrice } from "../../src/pricing/types.ts";

// gpt-4o list prices in pico-dollars per token.
const price: ModelPrice = { input: 2_500_000, output: 10_000_000, cacheRead: 1_250_000, cacheWrite: 2_500_000, contextWindow: 128_000, maxOutputTokens: 16_384, source: "test" };
const MODEL = "gpt-4o-2024-08-06";

/** A chat body of about `bytes` bytes: a system prompt, a tool, and a conversation of `turns` turns. */
function chatBody(bytes: number, turns = 8): { body: Record<string, unknown>; text: string } {
  const sentence = "The gateway reserves what a call may cost before it goes upstream, and settles what it cost. ";
  const turn = (n: number) => sentence.repeat(Math.max(1, Math.round(n / sentence.length)));
  const share = Math.max(1, Math.floor((bytes - 600) / (turns + 1)));
  const body = {
    model: "gpt-4o",
    max_tokens: 256,
    temperature: 0.2,
    tools: [
      {
        type: "function",
        function: { name: "lookup_order", description: "Finds an order.", parameters: { type: "object", properties: { order_id: { type: "string" } }, required: ["order_id"] } },
      },
    ],
    messages: [{ role: "system", content: turn(share) }, ...Array.from({ length: turns }, (_, i) => ({ role: i % 2 ? "assistant" : "user", content: turn(share) }))],
  };
  const text = JSON.stringify(body);
  return { body: JSON.parse(text) as Record<string, unknown>, text };
}

function perCall(label: string, iterations: number, run: () => number): void {
  let sink = 0;
  for (let i = 0; i < Math.min(iterations, 200); i++) sink += run(); // warm-up
  const start = performance.now();
  for (let i = 0; i < iterations; i++) sink += run();
  const micros = ((performance.now() - start) * 1000) / iterations;
  console.log(`${label.padEnd(56)} ${micros.toFixed(2).padStart(9)} µs/call   (sink ${sink % 7})`);
}

const CASES = [
  { size: 2_000, turns: 8 },
  { size: 200_000, turns: 8 },
  { size: 200_000, turns: 2_000 },
];
const rssBefore = process.memoryUsage().rss;
for (const { size, turns } of CASES) {
  const { body, text } = chatBody(size, turns);
  const kb = `${Math.round(text.length / 1000)} KB, ${turns} turns`;
  const iterations = size < 10_000 ? 200_000 : 2_000;
  perCall(`${kb}: before (raw body length)`, iterations, () => text.length);
  perCall(`${kb}: cheap bound (scan + family + price)`, iterations, () => new InputBound(body, 256).tokens(MODEL, price, false));
}

const loadStart = performance.now();
await loadTokenizer("o200k_base");
const loadMs = performance.now() - loadStart;
const rssAfter = process.memoryUsage().rss;
console.log(`o200k tokenizer: first load ${loadMs.toFixed(0)} ms, RSS +${((rssAfter - rssBefore) / 1e6).toFixed(0)} MB (once per process, only when a bound is refined)`);

for (const { size, turns } of CASES) {
  const { body, text } = chatBody(size, turns);
  const kb = `${Math.round(text.length / 1000)} KB, ${turns} turns`;
  perCall(`${kb}: refined bound (o200k count)`, size < 10_000 ? 5_000 : 50, () => new InputBound(body, 256).tokens(MODEL, price, true));
}
