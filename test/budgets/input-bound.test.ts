/**
 * The input-token bound of strict budgets: never below a real tokenizer's count (property tests with
 * OpenAI's o200k and cl100k encodings over random and adversarial text), and made of what becomes
 * tokens only (no JSON syntax, no base64).
 */
import { describe, expect, test } from "bun:test";
import * as cl100k from "gpt-tokenizer/encoding/cl100k_base";
import * as o200k from "gpt-tokenizer/encoding/o200k_base";
import { familyOf, InputBound, tokensOf } from "../../src/budgets/input-bound.ts";
import { OVERHEAD, scanInput, utf8Bytes } from "../../src/budgets/input-scan.ts";
import { loadTokenizer, tokenizerOf } from "../../src/budgets/tokenizer.ts";
import type { ModelPrice } from "../../src/pricing/types.ts";
import { seeded } from "../support/rechunk.ts";

const PLAIN = { disallowedSpecial: new Set<string>() };
const TOKENIZERS = { o200k: (text: string) => o200k.countTokens(text, PLAIN), cl100k: (text: string) => cl100k.countTokens(text, PLAIN) };
// gpt-4o list prices in pico-dollars per token.
const price: ModelPrice = { input: 2_500_000, output: 10_000_000, cacheRead: 1_250_000, cacheWrite: 2_500_000, contextWindow: 128_000, maxOutputTokens: 16_384, source: "test" };

/** Code point ranges that tokenize badly: ASCII, Latin-1, Cyrillic, CJK, Hangul, emoji, private use, combining marks, controls. */
const RANGES: [number, number][] = [
  [0x20, 0x7e],
  [0x00, 0x1f],
  [0xa0, 0xff],
  [0x400, 0x4ff],
  [0x300, 0x36f],
  [0x4e00, 0x9fff],
  [0xac00, 0xd7a3],
  [0x1f300, 0x1faff],
  [0xe000, 0xf8ff],
  [0x20000, 0x2a6df],
  [0x10000, 0x10ffff],
];

function randomText(next: () => number, length: number): string {
  let text = "";
  while (text.length < length) {
    const roll = next();
    if (roll < 0.05) text += "0123456789".repeat(1 + Math.floor(next() * 40)).slice(0, 1 + Math.floor(next() * 300));
    else if (roll < 0.1) text += " ".repeat(1 + Math.floor(next() * 200));
    else if (roll < 0.13) text += "\n\t \r\n".repeat(1 + Math.floor(next() * 30));
    else if (roll < 0.16) text += "👩‍👩‍👧‍👦🏳️‍🌈🇺🇳".repeat(1 + Math.floor(next() * 5));
    else if (roll < 0.18) text += "\ud800x\udfff"; // lone surrogates: JSON can carry them
    else if (roll < 0.2) text += "<|endoftext|><|im_start|>";
    else {
      const [low, high] = RANGES[Math.floor(next() * RANGES.length)] as [number, number];
      text += String.fromCodePoint(low + Math.floor(next() * (high - low + 1)));
    }
  }
  return text;
}

const ADVERSARIAL = [
  "",
  "a",
  "1".repeat(10_000),
  "1234567890".repeat(500),
  " ".repeat(10_000),
  "\n".repeat(5_000),
  "日本語のテキストです。".repeat(300),
  "𠀀𠀁𠀂".repeat(1_000),
  "🎉".repeat(2_000),
  "a\u0301".repeat(2_000),
  "zqxjkvbw".repeat(1_000),
  "\u0000\u0001\u0002".repeat(1_000),
  "<|endoftext|>".repeat(200),
  String.fromCharCode(...Array.from({ length: 2_000 }, (_, i) => 0x80 + (i % 0x780))),
];

describe("UTF-8 bytes bound real token counts", () => {
  for (const [name, count] of Object.entries(TOKENIZERS)) {
    test(`${name}: adversarial texts`, () => {
      for (const text of ADVERSARIAL) expect(utf8Bytes(text)).toBeGreaterThanOrEqual(count(text));
    });

    test(`${name}: 300 random texts of mixed scripts, emoji, digit and whitespace runs`, () => {
      for (let seed = 1; seed <= 300; seed++) {
        const text = randomText(seeded(seed), 1 + (seed % 7) * 300);
        const tokens = count(text);
        if (utf8Bytes(text) < tokens) throw new Error(`seed ${seed}: ${utf8Bytes(text)} bytes < ${tokens} tokens`);
      }
    });
  }
});

/** OpenAI's documented count of a chat request: its text, 3 per message, 1 per name, 3 to prime the reply. */
function openAICount(messages: { role: string; content: string; name?: string }[], count: (text: string) => number): number {
  let tokens = 3;
  for (const message of messages) tokens += 3 + count(message.content) + (message.name ? 1 + count(message.name) : 0);
  return tokens;
}

describe("a request's bound", () => {
  const messages = (next: () => number) =>
    Array.from({ length: 1 + Math.floor(next() * 6) }, (_, i) => ({
      role: i === 0 ? "system" : i % 2 ? "user" : "assistant",
      content: randomText(next, 1 + Math.floor(next() * 800)),
      ...(next() < 0.2 ? { name: "ada" } : {}),
    }));

  test("never below OpenAI's count of the same messages, cheap or refined, for 200 random conversations", async () => {
    await loadTokenizer("o200k_base");
    for (let seed = 1; seed <= 200; seed++) {
      const next = seeded(seed);
      const body = { model: "gpt-4o", messages: messages(next) };
      const real = openAICount(body.messages, TOKENIZERS.o200k);
      const bound = new InputBound(body, undefined);
      const cheap = bound.tokens("gpt-4o", price, false);
      const refined = bound.tokens("gpt-4o", price, true);
      if (cheap < real || refined < real || refined > cheap) throw new Error(`seed ${seed}: real ${real}, cheap ${cheap}, refined ${refined}`);
    }
  });

  test("counts the text, not the JSON around it", () => {
    const body = { model: "gpt-4o", max_tokens: 100, temperature: 0.2, messages: [{ role: "user", content: [{ type: "text", text: "Hello there" }] }] };
    const scan = scanInput(body);
    expect(scan.text).toBe(11);
    expect(scan.overhead).toBe(OVERHEAD.request + OVERHEAD.message + 2 * OVERHEAD.part + OVERHEAD.string);
    expect(JSON.stringify(body).length).toBeGreaterThan(scan.text + 50);
  });

  test("the refined bound of long prose is about its token count, a quarter of its bytes", async () => {
    await loadTokenizer("o200k_base");
    const text = "Budgets reserve what a call may cost before it goes upstream, and settle what it did cost. ".repeat(500);
    const body = { model: "gpt-4o", messages: [{ role: "user", content: text }] };
    const bound = new InputBound(body, undefined);
    const tokens = TOKENIZERS.o200k(text);
    expect(bound.tokens("gpt-4o", price, false)).toBeGreaterThan(4 * tokens);
    expect(bound.tokens("gpt-4o", price, true)).toBeLessThan(tokens + 100);
    // Families without a maintained tokenizer keep the byte bound.
    expect(bound.tokens("claude-sonnet-4", price, true)).toBeGreaterThan(4 * tokens);
  });

  test("an image costs the family's most per image, whatever its base64 length", () => {
    const image = { type: "image_url", image_url: { url: `data:image/png;base64,${"A".repeat(2_000_000)}`, detail: "high" } };
    const body = { model: "m", messages: [{ role: "user", content: [{ type: "text", text: "hi" }, image, image] }] };
    const scan = scanInput(body);
    expect(scan.images).toBe(2);
    expect(scan.text).toBe(2);
    expect(tokensOf(scan, familyOf("gpt-4o"), price)).toBe(scan.text + scan.overhead + 2 * 6_000);
    expect(tokensOf(scan, familyOf("gpt-4o-mini"), price)).toBe(scan.text + scan.overhead + 2 * 48_169);
    expect(tokensOf(scan, familyOf("claude-sonnet-4-5"), price)).toBe(scan.text + scan.overhead + 2 * 5_000);
    expect(tokensOf(scan, familyOf("gemini-2.5-pro"), price)).toBe(scan.text + scan.overhead + 2 * 8_256);
    expect(tokensOf(scan, familyOf("llama-4-maverick"), price)).toBe(scan.text + scan.overhead + 2 * 16_384);
  });

  test("Anthropic messages: system blocks, tool use and results, thinking (not its signature), images and tool schemas", () => {
    const schema = { type: "object", properties: { city: { type: "string", description: "City" }, days: { type: "integer", maximum: 14 } }, required: ["city"] };
    const body = {
      model: "claude-sonnet-4-5",
      max_tokens: 1024,
      system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
      tools: [{ name: "get_weather", description: "Weather for a city", input_schema: schema }],
      messages: [
        { role: "user", content: "Weather in Paris?" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "Call the tool.", signature: "S".repeat(5_000) },
            { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris", days: 3 } },
          ],
        },
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: "toolu_1", content: [{ type: "text", text: "Sunny" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "B".repeat(100_000) } }] }],
        },
      ],
    };
    const scan = scanInput(body);
    expect(scan.images).toBe(1);
    expect(scan.tools).toBe(1);
    expect(scan.unbounded).toBe(0);
    // Every text and every key of the schema and the tool input, nothing of the signature or the base64 image.
    const texts = ["Be brief.", "Weather in Paris?", "Call the tool.", "toolu_1", "get_weather", "Paris", "toolu_1", "Sunny"];
    const schemaText = ["name", "get_weather", "description", "Weather for a city", "input_schema", "type", "object", "properties", "city", "type", "string", "description", "City", "days", "type", "integer", "maximum", "required", "city"];
    const keys = ["city", "days"];
    const bytes = [...texts, ...schemaText, ...keys].reduce((sum, text) => sum + text.length, 0);
    expect(scan.text).toBe(bytes);
    expect(scan.text).toBeLessThan(300);
  });

  test("documents, server-side fetching tools and files are bounded by the context window", () => {
    const pdf = { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBERi0".padEnd(50_000, "A") } };
    const scanned = scanInput({ model: "m", messages: [{ role: "user", content: [pdf, { type: "text", text: "Summarise" }] }] });
    expect(scanned.unbounded).toBe(1);
    expect(tokensOf(scanned, familyOf("claude-opus-4-1"), { ...price, contextWindow: 200_000 })).toBe(200_000);
    // A plain-text document is text.
    const textDocument = scanInput({ model: "m", messages: [{ role: "user", content: [{ type: "document", source: { type: "text", media_type: "text/plain", data: "Plain words" } }] }] });
    expect(textDocument.unbounded).toBe(0);
    expect(textDocument.text).toBe("Plain words".length);
    const search = scanInput({ model: "m", tools: [{ type: "web_search_20250305", name: "web_search", max_uses: 3 }], messages: [{ role: "user", content: "news" }] });
    expect(search.unbounded).toBe(1);
    expect(search.overhead).toBeGreaterThanOrEqual(OVERHEAD.serverTool);
    const file = scanInput({ model: "m", messages: [{ role: "user", content: [{ type: "file", file: { file_id: "file-abc" } }] }] });
    expect(file.unbounded).toBe(1);
  });

  test("native bodies' stored context, files by URI and fetching tools are bounded by the context window; a completion's prompt is text", () => {
    const unbounded = (body: Record<string, unknown>) => scanInput({ model: "m", ...body }).unbounded;
    expect(unbounded({ input: "Go on.", previous_response_id: "resp_1" })).toBe(1);
    expect(unbounded({ input: "Go on.", conversation: { id: "conv_1" } })).toBe(1);
    expect(unbounded({ prompt: { id: "pmpt_1", version: "2" } })).toBe(1);
    expect(unbounded({ input: "q", tools: [{ type: "file_search", vector_store_ids: ["vs_1"] }, { type: "code_interpreter", container: { type: "auto" } }] })).toBe(2);
    expect(unbounded({ contents: [{ role: "user", parts: [{ text: "hi" }] }], cachedContent: "cachedContents/c1" })).toBe(1);
    expect(unbounded({ contents: [{ role: "user", parts: [{ fileData: { mimeType: "video/mp4", fileUri: "https://x/files/f1" } }] }] })).toBe(1);
    expect(unbounded({ contents: [], tools: [{ googleSearch: {} }, { url_context: {} }, { functionDeclarations: [{ name: "f" }] }] })).toBe(2);
    const completion = scanInput({ model: "m", prompt: ["Once upon", "a time"] });
    expect(completion.unbounded).toBe(0);
    expect(completion.text).toBe("Once upon".length + "a time".length);
  });

  test("nesting deeper than the walk goes is bounded by the context window, without deep recursion", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const scan = scanInput({ model: "m", messages: [{ role: "user", content: deep }], tools: [{ type: "function", function: { name: "f", parameters: deep } }] });
    expect(scan.unbounded).toBe(2);
    expect(tokensOf(scan, familyOf("gpt-4o"), price)).toBe(128_000);
  });

  test("audio is bounded from its encoded size; embeddings count token ids one each", () => {
    const audio = scanInput({ model: "m", messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "U".repeat(8_000), format: "mp3" } }] }] });
    expect(audio.audioTokens).toBe(1_000 + OVERHEAD.part);
    expect(audio.text).toBe(0);
    const ids = scanInput({ model: "text-embedding-3-small", input: [[1, 2, 3], [4, 5]] });
    expect(ids.text).toBe(5);
    const strings = scanInput({ model: "text-embedding-3-small", input: ["héllo", "wörld"] });
    expect(strings.text).toBe(12);
  });

  test("model families and their tokenizers", () => {
    expect(familyOf("gpt-4o-2024-08-06").encoding).toBe("o200k_base");
    expect(familyOf("ft:gpt-4.1-mini:acme::abc").encoding).toBe("o200k_base");
    expect(familyOf("o3-mini").encoding).toBe("o200k_base");
    expect(familyOf("gpt-5").encoding).toBe("o200k_base");
    expect(familyOf("gpt-4-turbo").encoding).toBe("cl100k_base");
    expect(familyOf("gpt-3.5-turbo").encoding).toBe("cl100k_base");
    expect(familyOf("text-embedding-3-large").encoding).toBe("cl100k_base");
    // Google's text-embedding-004, Claude everywhere, and unknown names: no tokenizer, the byte bound stands.
    expect(familyOf("text-embedding-004").encoding).toBeUndefined();
    expect(familyOf("anthropic.claude-3-5-sonnet-20241022-v2:0").encoding).toBeUndefined();
    expect(familyOf("openrouter-model-o1x").encoding).toBeUndefined();
    expect(familyOf("my-azure-deployment").encoding).toBeUndefined();
  });

  test("a tokenizer is loaded only when asked for: building the app loads none", async () => {
    const root = new URL("../..", import.meta.url).pathname;
    const probe = Bun.spawn(
      [process.execPath, "-e", `await import("./src/app.ts"); const t = await import("./src/budgets/tokenizer.ts"); console.log(String(t.tokenizerOf("o200k_base")), String(t.tokenizerOf("cl100k_base")));`],
      { cwd: root, stdout: "pipe", stderr: "pipe" },
    );
    expect((await new Response(probe.stdout).text()).trim()).toBe("undefined undefined");
    expect(await probe.exited).toBe(0);
    const measure = await loadTokenizer("cl100k_base");
    expect(tokenizerOf("cl100k_base")).toBe(measure);
    expect(measure("<|endoftext|>")).toBeGreaterThan(1);
  });
});
