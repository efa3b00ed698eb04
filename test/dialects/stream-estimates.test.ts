import { describe, expect, test } from "bun:test";
import type { StreamOutcome } from "../../src/calls/outcome.ts";
import { translatedStage } from "../../src/calls/translated-stage.ts";
import { anthropicPassthroughStage } from "../../src/dialects/anthropic/passthrough-stage.ts";
import { anthropicStreamEncoder } from "../../src/dialects/anthropic/stream-encoder.ts";
import { openAIPassthroughStage } from "../../src/dialects/openai/stream.ts";
import { openAIStreamEncoder } from "../../src/dialects/openai/stream-encoder.ts";
import { anthropicStreamReader } from "../../src/providers/anthropic/stream.ts";
import { openAIStreamReader } from "../../src/providers/openai/translate-stream.ts";
import { anthropic } from "../../src/providers/anthropic/index.ts";
import { openai } from "../../src/providers/openai/index.ts";
import { GatewayError } from "../../src/canonical/errors.ts";
import { estimateTokens, stringFieldChars, stringFieldPattern } from "../../src/canonical/estimate.ts";
import type { EventStage } from "../../src/streams/relay.ts";
import { SseParser, type SseEvent } from "../../src/streams/sse-parser.ts";

// What UpstreamCall.explain does for a broken connection (router/execute.ts).
const explain = (error: unknown) => (error instanceof GatewayError ? error : new GatewayError("provider.unreachable", `Lost the connection to Test: ${(error as Error).message}`));

async function eventsOf(path: string): Promise<SseEvent[]> {
  const parser = new SseParser();
  const bytes = await Bun.file(new URL(`../fixtures/${path}`, import.meta.url)).bytes();
  return [...parser.push(bytes), ...parser.end()];
}

const openAITool = await eventsOf("openai/chat-stream-tool.sse");
const anthropicText = await eventsOf("anthropic/text.sse");
const anthropicTools = await eventsOf("anthropic/tools.sse");
const anthropicThinking = await eventsOf("anthropic/thinking.sse");
const anthropicError = await eventsOf("anthropic/error.sse");

/** Index just after the `n`th event (1-based) named `name`, or whose data contains `name` when unnamed. */
function after(events: SseEvent[], name: string, n = 1): number {
  let seen = 0;
  for (let i = 0; i < events.length; i++) if ((events[i]!.event ?? events[i]!.data).includes(name) && ++seen === n) return i + 1;
  throw new Error(`no ${n}th ${name}`);
}

type How = "cancel" | "fail" | "end";

/** Feeds events to a fresh stage, then ends it `how`; returns the one outcome it reported, its answer id apart (see "answer ids" below). */
function run(make: (onEnd: (o: StreamOutcome) => void) => EventStage, events: SseEvent[], how: How): StreamOutcome {
  const { responseId: _id, ...outcome } = runWhole(make, events, how);
  return outcome;
}

/** `run`, the answer id included. */
function runWhole(make: (onEnd: (o: StreamOutcome) => void) => EventStage, events: SseEvent[], how: How): StreamOutcome {
  const outcomes: StreamOutcome[] = [];
  const stage = make((o) => outcomes.push(o));
  try {
    for (const event of events) stage.event(event);
    if (how === "cancel") stage.cancel?.();
    else if (how === "fail") stage.fail(new TypeError("socket hang up"));
    else stage.end();
  } catch (error) {
    stage.fail(error); // An in-band error a reader throws (what relaySse does).
  }
  expect(outcomes).toHaveLength(1);
  return outcomes[0]!;
}

const PROMPT_CHARS = 200; // -> 50 estimated input tokens

const openAIPass = (onEnd: (o: StreamOutcome) => void) => openAIPassthroughStage({ clientWantsUsage: false, explain, streamError: openai.streamError, onEnd, promptChars: PROMPT_CHARS });
const anthropicPass = (onEnd: (o: StreamOutcome) => void) => anthropicPassthroughStage({ clientWantsUsage: true, explain, streamError: anthropic.streamError, onEnd, promptChars: PROMPT_CHARS });
const request = { model: "m", messages: [], stream: true, extra: {} };
const openAIToAnthropic = (onEnd: (o: StreamOutcome) => void) => translatedStage(openAIStreamReader("OpenAI"), anthropicStreamEncoder("claude-via-gpt"), explain, onEnd, PROMPT_CHARS);
const anthropicToOpenAI = (onEnd: (o: StreamOutcome) => void) => translatedStage(anthropicStreamReader({}), openAIStreamEncoder(request, "gpt-via-claude", 0), explain, onEnd, PROMPT_CHARS);

// text.sse's message_start: 21 input + 1860 cache read (+ 0 written); the spec's input includes the cache.
const TEXT_START = { input: 1881, cacheRead: 1860 };
// "Bonjour" + " — un café ☕" = 7 + 12 = 19 characters -> 5 tokens.
const TEXT_TWO_DELTAS = 5;
// get_weather (11) + `{"city":` (8) + `"Zürich 東京 🌧"}` (15, the emoji is two UTF-16 units) = 34 -> 9 tokens.
const OPENAI_TOOL_CHARS = 34;

describe("answer ids: the one the client saw, for the ledger (LiteLLM's request_id)", () => {
  test("same format: the upstream's own id, also when the stream is cut", () => {
    expect(runWhole(openAIPass, openAITool, "end").responseId).toBe("chatcmpl-AbC123");
    expect(runWhole(openAIPass, openAITool.slice(0, 3), "cancel").responseId).toBe("chatcmpl-AbC123");
    expect(runWhole(anthropicPass, anthropicText, "end").responseId).toBe("msg_01XFDUDYJgAACzvnptvVoYEL");
  });

  test("translated: the id the encoder sent (Anthropic's msg_ prefix added to an OpenAI id)", () => {
    expect(runWhole(openAIToAnthropic, openAITool, "end").responseId).toBe("msg_chatcmpl_AbC123");
    expect(runWhole(anthropicToOpenAI, anthropicText, "end").responseId).toBe("msg_01XFDUDYJgAACzvnptvVoYEL");
    expect(runWhole(anthropicToOpenAI, anthropicText, "fail").responseId).toBe("msg_01XFDUDYJgAACzvnptvVoYEL");
  });

  test("no frame sent, no id", () => {
    expect(runWhole(openAIToAnthropic, [], "cancel").responseId).toBeUndefined();
    expect(runWhole(anthropicToOpenAI, [], "cancel").responseId).toBeUndefined();
  });

  test("an upstream whose first chunk has an empty id (Azure's prompt filter results): the next chunk's", () => {
    const events: SseEvent[] = [
      { data: JSON.stringify({ id: "", object: "", choices: [], prompt_filter_results: [] }) },
      { data: JSON.stringify({ id: "chatcmpl-azure1", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: "hi" } }] }) },
    ];
    expect(runWhole(openAIPass, events, "end").responseId).toBe("chatcmpl-azure1");
  });
});

describe("estimateTokens", () => {
  test("ceil(chars / 4); at least 1 for anything; 0 for nothing", () => {
    expect([0, 1, 3, 4, 5, 8, 9, 401].map(estimateTokens)).toEqual([0, 1, 1, 1, 2, 2, 3, 101]);
  });

  test("string fields are counted decoded, whole keys only, string values only", () => {
    const pattern = stringFieldPattern(["content", "text"]);
    expect(stringFieldChars(String.raw`{"content":"caf\u00e9\n\"x\"\\"}`, pattern)).toBe(9);
    expect(stringFieldChars(String.raw`{"cited_text":"nope","content":null,"text":["no"],"text" : "yes"}`, pattern)).toBe(3);
    expect(stringFieldChars(String.raw`{"content":"a \"text\":\"zzzz\" b"}`, pattern)).toBe(17);
    expect(stringFieldChars(`{"content":"😀"}`, pattern)).toBe(2);
  });
});

describe("OpenAI passthrough stage: usage when the usage chunk never came", () => {
  const cut = after(openAITool, "Zürich");

  test("client cancels mid-stream: output from the streamed tool name and arguments, input from the request length", () => {
    expect(run(openAIPass, openAITool.slice(0, cut), "cancel")).toEqual({
      cancelled: true,
      usage: { input: 50, output: estimateTokens(OPENAI_TOOL_CHARS) },
      usageEstimated: true,
    });
    expect(estimateTokens(OPENAI_TOOL_CHARS)).toBe(9);
  });

  test("upstream cuts: the same estimate, with the error", () => {
    const outcome = run(openAIPass, openAITool.slice(0, cut), "fail");
    expect(outcome).toMatchObject({ cancelled: false, usage: { input: 50, output: 9 }, usageEstimated: true });
    expect(outcome.error?.code).toBe("provider.unreachable");
  });

  test("a normal end with the usage chunk: the provider's usage exactly, no estimate flag", () => {
    expect(run(openAIPass, openAITool, "end")).toEqual({ cancelled: false, usage: { input: 82, output: 17, cacheRead: 64 }, finishReason: "tool_calls" });
  });

  test("cancelled after the usage chunk (before [DONE]): still the provider's usage", () => {
    expect(run(openAIPass, openAITool.slice(0, after(openAITool, "prompt_tokens")), "cancel")).toEqual({
      cancelled: true,
      usage: { input: 82, output: 17, cacheRead: 64 },
      finishReason: "tool_calls",
    });
  });

  test("an upstream that ignores include_usage ends normally without usage: estimated", () => {
    const withoutUsage = openAITool.filter((e) => !e.data.includes("prompt_tokens"));
    expect(run(openAIPass, withoutUsage, "end")).toEqual({ cancelled: false, usage: { input: 50, output: 9 }, finishReason: "tool_calls", usageEstimated: true });
  });

  test("content, reasoning and refusal deltas count, escapes decoded; role, ids and nulls do not", () => {
    const chunks = [
      String.raw`{"id":"chatcmpl-1","model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"finish_reason":null}],"usage":null}`,
      String.raw`{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"reasoning_content":"Think\n"}}]}`,
      String.raw`{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"Caf\u00e9 \"ok\""}}]}`,
      String.raw`{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"refusal":"No."}}]}`,
    ].map((data) => ({ data }));
    // 6 + 10 + 3 = 19 characters -> 5 tokens; without promptChars there is no input estimate.
    const outcome = run((onEnd) => openAIPassthroughStage({ clientWantsUsage: true, explain, streamError: openai.streamError, onEnd }), chunks, "cancel");
    expect(outcome).toEqual({ cancelled: true, usage: { input: 0, output: 5 }, usageEstimated: true });
  });

  test("nothing streamed and no request length: no usage to bill from", () => {
    expect(run((onEnd) => openAIPassthroughStage({ clientWantsUsage: true, explain, streamError: openai.streamError, onEnd }), [], "cancel")).toEqual({ cancelled: true });
  });
});

describe("Anthropic passthrough stage: usage when message_delta never came", () => {
  test("client cancels mid-text: input and cache counts from message_start, output from the streamed text", () => {
    expect(run(anthropicPass, anthropicText.slice(0, after(anthropicText, "content_block_delta", 2)), "cancel")).toEqual({
      cancelled: true,
      usage: { ...TEXT_START, output: TEXT_TWO_DELTAS },
      usageEstimated: true,
    });
  });

  test("upstream cuts mid-text: the same, with the error", () => {
    const outcome = run(anthropicPass, anthropicText.slice(0, after(anthropicText, "content_block_delta", 2)), "fail");
    expect(outcome).toMatchObject({ cancelled: false, usage: { ...TEXT_START, output: TEXT_TWO_DELTAS }, usageEstimated: true });
    expect(outcome.error?.code).toBe("provider.unreachable");
  });

  test("an in-band error event ends the stream: billed for message_start's input and the partial text", () => {
    const outcome = run(anthropicPass, anthropicError, "end");
    // "Partial" is 7 characters -> 2 tokens (message_start's running count says 1).
    expect(outcome).toMatchObject({ cancelled: false, usage: { input: 9, output: 2 }, usageEstimated: true });
    expect(outcome.error?.code).toBe("provider.overloaded");
  });

  test("cache writes are kept, thinking text counts, signatures do not", () => {
    const cut = after(anthropicThinking, "content_block_stop");
    // "I need to find 27 * 453.\n" (25) + "27 * 453 = 12231." (17) = 42 -> 11 tokens.
    expect(run(anthropicPass, anthropicThinking.slice(0, cut), "cancel")).toEqual({
      cancelled: true,
      usage: { input: 48 + 1912, cacheWrite: 1912, output: 11 },
      usageEstimated: true,
    });
  });

  test("tool names and argument fragments count", () => {
    const cut = after(anthropicTools, "content_block_stop", 2);
    // 41 (text) + 11 (get_weather) + 12 (`{"city": "Pa`) + 23 (`ris", "unit": "celsius"}`) = 87 -> 22 tokens.
    expect(run(anthropicPass, anthropicTools.slice(0, cut), "cancel")).toEqual({ cancelled: true, usage: { input: 412, output: 22 }, usageEstimated: true });
  });

  test("cancelled right after message_start: message_start's own output count, not zero", () => {
    expect(run(anthropicPass, anthropicText.slice(0, 1), "cancel")).toEqual({ cancelled: true, usage: { ...TEXT_START, output: 1 }, usageEstimated: true });
  });

  test("a normal end: the provider's usage exactly, no estimate flag", () => {
    expect(run(anthropicPass, anthropicText, "end")).toEqual({ cancelled: false, usage: { ...TEXT_START, output: 17 }, finishReason: "end_turn" });
  });

  test("cancelled after message_delta (before message_stop): the provider's usage", () => {
    expect(run(anthropicPass, anthropicText.slice(0, after(anthropicText, "message_delta")), "cancel")).toEqual({
      cancelled: true,
      usage: { ...TEXT_START, output: 17 },
      finishReason: "end_turn",
    });
  });

  test("nothing before the cut: input estimated from the request length", () => {
    expect(run(anthropicPass, [], "fail")).toMatchObject({ usage: { input: 50, output: 0 }, usageEstimated: true });
  });
});

describe("translated stage: usage when the provider's never came", () => {
  test("OpenAI upstream -> Anthropic client, cancelled: output from the parts, input from the request length", () => {
    expect(run(openAIToAnthropic, openAITool.slice(0, after(openAITool, "Zürich")), "cancel")).toEqual({
      cancelled: true,
      usage: { input: 50, output: estimateTokens(OPENAI_TOOL_CHARS) },
      usageEstimated: true,
    });
  });

  test("OpenAI upstream -> Anthropic client, upstream cut: estimated, with the error", () => {
    const outcome = run(openAIToAnthropic, openAITool.slice(0, after(openAITool, "Zürich")), "fail");
    expect(outcome).toMatchObject({ cancelled: false, usage: { input: 50, output: 9 }, usageEstimated: true });
    expect(outcome.error?.code).toBe("provider.unreachable");
  });

  test("OpenAI upstream -> Anthropic client, normal end: exact usage, no flag", () => {
    expect(run(openAIToAnthropic, openAITool, "end")).toEqual({ cancelled: false, usage: { input: 82, output: 17, cacheRead: 64 }, finishReason: "tool-calls" });
  });

  test("Anthropic upstream -> OpenAI client, cancelled: input and cache from message_start, output from the text", () => {
    expect(run(anthropicToOpenAI, anthropicText.slice(0, after(anthropicText, "content_block_delta", 2)), "cancel")).toEqual({
      cancelled: true,
      usage: { ...TEXT_START, output: TEXT_TWO_DELTAS },
      usageEstimated: true,
    });
  });

  test("Anthropic upstream -> OpenAI client, in-band error: billed for what came before it", () => {
    const outcome = run(anthropicToOpenAI, anthropicError, "end");
    expect(outcome).toMatchObject({ cancelled: false, usage: { input: 9, output: 2 }, usageEstimated: true });
    expect(outcome.error?.code).toBe("provider.overloaded");
  });

  test("Anthropic upstream -> OpenAI client, tool calls: names and argument fragments count", () => {
    const cut = after(anthropicTools, "content_block_stop", 2);
    expect(run(anthropicToOpenAI, anthropicTools.slice(0, cut), "cancel")).toEqual({ cancelled: true, usage: { input: 412, output: 22 }, usageEstimated: true });
  });

  test("Anthropic upstream -> OpenAI client, normal end: exact usage, no flag", () => {
    expect(run(anthropicToOpenAI, anthropicText, "end")).toEqual({ cancelled: false, usage: { ...TEXT_START, output: 17 }, finishReason: "stop" });
  });

  test("passthrough and translated stages estimate the same output from the same events", () => {
    for (let cut = 1; cut <= after(anthropicTools, "content_block_stop", 3); cut++) {
      const events = anthropicTools.slice(0, cut);
      expect(run(anthropicPass, events, "cancel").usage).toEqual(run(anthropicToOpenAI, events, "cancel").usage!);
    }
    for (let cut = 0; cut < openAITool.length - 2; cut++) {
      const events = openAITool.slice(0, cut);
      expect(run(openAIPass, events, "cancel").usage).toEqual(run(openAIToAnthropic, events, "cancel").usage!);
    }
  });
});
