import { describe, expect, test } from "bun:test";
import { fromOpenAIChatCompletion } from "../../../src/providers/openai/translate-response.ts";
import { openAIStreamReader } from "../../../src/providers/openai/translate-stream.ts";
import type { StreamPart } from "../../../src/canonical/chat.ts";
import { SseParser } from "../../../src/streams/sse-parser.ts";
import { seeded, splitRandomly, splitsAtEveryByte } from "../../support/rechunk.ts";

/** Azure answers go through the OpenAI translators unchanged: its filter annotations are extra fields they skip. */
const fixture = (name: string) => Bun.file(new URL(`../../fixtures/azure/${name}`, import.meta.url));

/** Feeds byte pieces through the SSE parser and the OpenAI stream reader. */
function read(pieces: Uint8Array[]): StreamPart[] {
  const parser = new SseParser();
  const reader = openAIStreamReader("Azure OpenAI");
  const parts: StreamPart[] = [];
  for (const piece of pieces) for (const event of parser.push(piece)) parts.push(...reader.event(event));
  for (const event of parser.end()) parts.push(...reader.event(event));
  parts.push(...reader.end());
  return parts;
}

const text = (parts: StreamPart[]) => parts.map((part) => (part.type === "text-delta" ? part.text : "")).join("");

describe("Azure chat completions through the OpenAI translator", () => {
  test("a normal answer with prompt_filter_results / content_filter_results", async () => {
    const result = fromOpenAIChatCompletion("Azure OpenAI", await fixture("chat-completion.json").text());
    expect(result).toMatchObject({
      id: "chatcmpl-AzUr3qTestCompletion01",
      model: "gpt-4o-2024-11-20",
      content: [{ type: "text", text: "Bonjour ! Comment puis-je vous aider aujourd'hui ?" }],
      finishReason: "stop",
    });
    expect(result.usage?.input).toBe(19);
    expect(result.usage?.output).toBe(12);
  });

  test("a filtered completion: null content and finish_reason content_filter -> content-filter", async () => {
    const result = fromOpenAIChatCompletion("Azure OpenAI", await fixture("chat-completion-filtered.json").text());
    expect(result.finishReason).toBe("content-filter");
    expect(result.content).toEqual([]);
    expect(result.usage?.output).toBe(41);
  });
});

describe("Azure streams through the OpenAI stream reader", () => {
  test("the prompt_filter_results chunk (choices: []) yields no content; text, finish and usage come through", async () => {
    const bytes = new Uint8Array(await fixture("chat-stream.sse").arrayBuffer());
    const parts = read([bytes]);
    expect(text(parts)).toBe("Grüße aus 東京 🌸");
    expect(parts.filter((part) => part.type === "finish")).toEqual([{ type: "finish", finishReason: "stop" }]);
    const usage = parts.find((part) => part.type === "usage");
    expect(usage?.type === "usage" && usage.usage.input).toBe(14);
    // Same parts however the bytes are split.
    for (const pieces of splitsAtEveryByte(bytes)) expect(read(pieces)).toEqual(parts);
    const random = seeded(7);
    for (let i = 0; i < 50; i++) expect(read(splitRandomly(bytes, random))).toEqual(parts);
  });

  test("a completion filtered mid-stream ends with finish content-filter after the text so far", async () => {
    const parts = read([new Uint8Array(await fixture("chat-stream-filtered.sse").arrayBuffer())]);
    expect(text(parts)).toBe("The battle began");
    expect(parts.filter((part) => part.type === "finish")).toEqual([{ type: "finish", finishReason: "content-filter" }]);
  });

  test("the start part skips Azure's annotation-only prompt-filter chunk and takes the first real chunk's id and model", async () => {
    const parts = read([new Uint8Array(await fixture("chat-stream.sse").arrayBuffer())]);
    expect(parts[0]).toEqual({ type: "start", id: "chatcmpl-AzUr3qTestStream03", model: "gpt-4o-2024-11-20" });
    expect(parts.filter((part) => part.type === "start")).toHaveLength(1);
  });
});
