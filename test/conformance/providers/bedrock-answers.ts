/**
 * What the conformance Bedrock mock answers, in Bedrock's recorded shapes (test/fixtures/bedrock/):
 * a Converse JSON body, or the ConverseStream events framed as an AWS event stream
 * (`application/vnd.amazon.eventstream`, @smithy/eventstream-codec, as make-fixtures.ts frames
 * them), each event payload carrying the random-length `p` padding Bedrock adds.
 */
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { ANSWER_TEXT, CACHE, JSON_ANSWER, LENGTH_TEXT, ODD_ARGUMENTS, PARALLEL_CALLS, REASONING_TEXT, TOOL_CALL, TOOL_RESULT_ANSWER, USAGE, type Feature } from "../contract.ts";

/** A response content block: text, a tool call, or signed reasoning. */
export type AnswerBlock =
  | { text: string }
  | { toolUse: { toolUseId: string; name: string; input: Record<string, unknown> } }
  | { reasoningContent: { reasoningText: { text: string; signature: string } } };

/** One answer: its blocks, Converse stop reason and usage. */
export interface Answer {
  blocks: AnswerBlock[];
  stopReason: "end_turn" | "tool_use" | "max_tokens";
  usage: Record<string, number>;
}

/** The reasoning signature `reasoning` answers with (Claude's are base64). */
export const REASONING_SIGNATURE = "ErUBCkYIBRgCIkB2b3RlZC1jb25mb3JtYW5jZS1zaWduYXR1cmUtZm9yLWJlZHJvY2stbW9jay0wMDAxEgx2aWEtYmVkcm9jaw==";

/**
 * Bedrock's `inputTokens` leaves out cache reads and writes (`totalTokens` counts them), so the
 * spec's USAGE.input of 30 is written as 6 + 20 read + 4 written for `usage-cache`.
 */
function usageFor(feature: Feature): Record<string, number> {
  if (feature !== "usage-cache") return { inputTokens: USAGE.input, outputTokens: USAGE.output, totalTokens: USAGE.input + USAGE.output };
  return {
    inputTokens: USAGE.input - CACHE.read - CACHE.write,
    outputTokens: USAGE.output,
    totalTokens: USAGE.input + USAGE.output,
    cacheReadInputTokens: CACHE.read,
    cacheWriteInputTokens: CACHE.write,
  };
}

/** A Bedrock-style tool-use id: `tooluse_` and 22 base64url characters. */
const toolUseId = (): string => `tooluse_${Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url")}`;

const call = (name: string, input: Record<string, unknown>): AnswerBlock => ({ toolUse: { toolUseId: toolUseId(), name, input } });

/** The answer to `feature` (`formatTool`: the forced tool's name for `json-schema`; `toolNames`: the tools the request declared). */
export function answerFor(feature: Feature, formatTool = "json_output", toolNames: readonly string[] = []): Answer {
  const usage = usageFor(feature);
  switch (feature) {
    case "tool-names":
      return { blocks: toolNames.map((name) => call(name, { ...ODD_ARGUMENTS })), stopReason: "tool_use", usage };
    case "tool-call":
      return { blocks: [call(TOOL_CALL.name, { ...TOOL_CALL.arguments })], stopReason: "tool_use", usage };
    case "parallel-tools":
      return { blocks: PARALLEL_CALLS.map((c) => call(c.name, { ...c.arguments })), stopReason: "tool_use", usage };
    case "tool-result":
      return { blocks: [{ text: TOOL_RESULT_ANSWER }], stopReason: "end_turn", usage };
    case "json-schema":
      // Bedrock has no schema mode: the forced tool's input is the answer, stopped as a tool call.
      return { blocks: [call(formatTool, { ...JSON_ANSWER })], stopReason: "tool_use", usage };
    case "reasoning":
      return { blocks: [{ reasoningContent: { reasoningText: { text: REASONING_TEXT, signature: REASONING_SIGNATURE } } }, { text: ANSWER_TEXT }], stopReason: "end_turn", usage };
    case "finish-length":
      return { blocks: [{ text: LENGTH_TEXT }], stopReason: "max_tokens", usage };
    default:
      return { blocks: [{ text: ANSWER_TEXT }], stopReason: "end_turn", usage };
  }
}

/** The Converse response body of an answer. */
export function converseBody(answer: Answer, latencyMs: number): Record<string, unknown> {
  return { output: { message: { role: "assistant", content: answer.blocks } }, stopReason: answer.stopReason, usage: answer.usage, metrics: { latencyMs } };
}

/** One ConverseStream event: its `:event-type` and payload (without the padding). */
export interface StreamEvent {
  name: string;
  payload: Record<string, unknown>;
}

/** Text split after each space: "Paris is the" -> ["Paris ", "is ", "the"]. */
const words = (text: string): string[] => text.match(/\S+\s*/g) ?? [text];

/** JSON text in two or more fragments, split inside values (as Claude streams tool input). */
function fragments(json: string): string[] {
  const cuts = [Math.floor(json.length / 3), Math.floor((2 * json.length) / 3)];
  return [json.slice(0, cuts[0]), json.slice(cuts[0], cuts[1]), json.slice(cuts[1])].filter((piece) => piece !== "");
}

/** One block's events: its start (tool calls only), deltas and stop. */
function blockEvents(block: AnswerBlock, index: number): StreamEvent[] {
  const delta = (value: Record<string, unknown>): StreamEvent => ({ name: "contentBlockDelta", payload: { contentBlockIndex: index, delta: value } });
  const events: StreamEvent[] = [];
  if ("text" in block) events.push(...words(block.text).map((text) => delta({ text })));
  else if ("toolUse" in block) {
    const { toolUseId: id, name, input } = block.toolUse;
    events.push({ name: "contentBlockStart", payload: { contentBlockIndex: index, start: { toolUse: { toolUseId: id, name } } } });
    events.push(...fragments(JSON.stringify(input)).map((piece) => delta({ toolUse: { input: piece } })));
  } else {
    const { text, signature } = block.reasoningContent.reasoningText;
    events.push(...words(text).map((piece) => delta({ reasoningContent: { text: piece } })));
    events.push(delta({ reasoningContent: { signature } }));
  }
  events.push({ name: "contentBlockStop", payload: { contentBlockIndex: index } });
  return events;
}

/** The whole ConverseStream event sequence of an answer. */
export function streamEvents(answer: Answer, latencyMs: number): StreamEvent[] {
  return [
    { name: "messageStart", payload: { role: "assistant" } },
    ...answer.blocks.flatMap((block, index) => blockEvents(block, index)),
    { name: "messageStop", payload: { stopReason: answer.stopReason } },
    { name: "metadata", payload: { usage: answer.usage, metrics: { latencyMs } } },
  ];
}

/** `abort`'s events: the stream's start and its first text, after which the mock waits for the caller to leave. */
export const ABORT_EVENTS: StreamEvent[] = [
  { name: "messageStart", payload: { role: "assistant" } },
  { name: "contentBlockDelta", payload: { contentBlockIndex: 0, delta: { text: words(ANSWER_TEXT)[0] as string } } },
];

const codec = new EventStreamCodec((bytes) => new TextDecoder().decode(bytes), (text) => new TextEncoder().encode(text));
const string = (value: string) => ({ type: "string" as const, value });
const PADDING = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** Frames events as AWS event-stream messages (Bedrock's headers; a `p` padding field of `random` length in each payload). */
export function encodeEvents(events: readonly StreamEvent[], random: () => number): Uint8Array {
  const frames = events.map((event) =>
    codec.encode({
      headers: { ":event-type": string(event.name), ":content-type": string("application/json"), ":message-type": string("event") },
      body: new TextEncoder().encode(JSON.stringify({ ...event.payload, p: PADDING.slice(0, 1 + Math.floor(random() * PADDING.length)) })),
    }),
  );
  const out = new Uint8Array(frames.reduce((sum, frame) => sum + frame.length, 0));
  let offset = 0;
  for (const frame of frames) {
    out.set(frame, offset);
    offset += frame.length;
  }
  return out;
}
