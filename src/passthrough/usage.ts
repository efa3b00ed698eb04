/**
 * Usage, id and finish reason from a native answer, per wire: a whole body, or a stream's events
 * read as they pass (nothing is changed). Readers never throw: an event or body they cannot read
 * adds nothing. A new wire adds its reader here (and in telemetry/openinference-native.ts).
 */
import { fromAnthropicUsage, fromOpenAIUsage, type Usage } from "../canonical/usage.ts";
import { isRecord } from "../json/is-record.ts";
import { chunkJson, INVOCATION_METRICS } from "../providers/bedrock/invoke-chunk.ts";
import { fromBedrockUsage } from "../providers/bedrock/response.ts";
import { fromGeminiUsage } from "../providers/gemini/answer.ts";
import type { GeminiUsageMetadata } from "../providers/gemini/wire.ts";
import type { SseEvent } from "../streams/sse-parser.ts";
import type { NativeWire } from "../telemetry/native-wire.ts";

/** What the ledger learns from an answer. */
export interface AnswerReading {
  usage?: Usage;
  responseId?: string;
  finishReason?: string;
  /**
   * `usage` is not the call's final count yet (Claude's message_start: the input and one output
   * token): a stream cut here is billed at least the output it relayed.
   */
  usagePartial?: boolean;
}

/**
 * Reads a stream's events one by one; `result` once it ended. `event` may return the text its
 * output is measured in when that is not the event's data (InvokeModel's base64 chunks).
 */
export interface StreamReading {
  event(event: SseEvent): string | undefined | void;
  result(): AnswerReading;
}

export interface WireReader {
  /** A whole answer, parsed (an array for Gemini's JSON-array stream). */
  answer(body: unknown): AnswerReading;
  stream(): StreamReading;
}

type Json = Record<string, unknown>;
const str = (value: unknown): string | undefined => (typeof value === "string" && value !== "" && value.length <= 256 ? value : undefined);
const count = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined);

/** One event's data as an object; undefined for `[DONE]` and anything that is not JSON. */
function parse(data: string): Json | undefined {
  if (data === "[DONE]") return undefined;
  try {
    const value: unknown = JSON.parse(data);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The model event an InvokeModel chunk event carries, as JSON text; undefined when it carries none. */
function chunkText(data: string): string | undefined {
  try {
    return chunkJson(JSON.parse(data));
  } catch {
    return undefined;
  }
}

/** A stream reader from a function that folds each parsed event into the reading. */
function folding(fold: (reading: AnswerReading, event: Json, name: string | undefined) => void): () => StreamReading {
  return () => {
    const reading: AnswerReading = {};
    return {
      event(event) {
        const data = parse(event.data);
        if (data) fold(reading, data, event.event);
      },
      result: () => reading,
    };
  };
}

const set = (reading: AnswerReading, field: keyof AnswerReading, value: unknown): void => {
  if (value !== undefined) (reading as Record<string, unknown>)[field] = value;
};

/** OpenAI's Responses API: `usage.input_tokens` includes cached ones. */
function fromResponsesUsage(raw: unknown): Usage | undefined {
  if (!isRecord(raw)) return undefined;
  const input = count(raw.input_tokens);
  const output = count(raw.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  const usage: Usage = { input: input ?? 0, output: output ?? 0 };
  const cached = isRecord(raw.input_tokens_details) ? count(raw.input_tokens_details.cached_tokens) : undefined;
  const reasoning = isRecord(raw.output_tokens_details) ? count(raw.output_tokens_details.reasoning_tokens) : undefined;
  if (cached) usage.cacheRead = cached;
  if (reasoning) usage.reasoning = reasoning;
  return usage;
}

/** Cohere's billed units (v2 `usage.billed_units`, v1 `meta.billed_units`), what its invoices count. */
function fromCohereUsage(holder: unknown): Usage | undefined {
  if (!isRecord(holder)) return undefined;
  const billed = isRecord(holder.billed_units) ? holder.billed_units : undefined;
  const tokens = isRecord(holder.tokens) ? holder.tokens : undefined;
  const input = count(billed?.input_tokens) ?? count(tokens?.input_tokens);
  const output = count(billed?.output_tokens) ?? count(tokens?.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  return { input: input ?? 0, output: output ?? 0 };
}

/** Vertex AI's `:predict` embeddings: each prediction's `embeddings.statistics.token_count`, summed. */
function readPredict(reading: AnswerReading, body: Json): void {
  if (!Array.isArray(body.predictions)) return;
  let tokens: number | undefined;
  for (const prediction of body.predictions) {
    const embeddings = isRecord(prediction) && isRecord(prediction.embeddings) ? prediction.embeddings : undefined;
    const counted = isRecord(embeddings?.statistics) ? count(embeddings.statistics.token_count) : undefined;
    if (counted !== undefined) tokens = (tokens ?? 0) + counted;
  }
  if (tokens !== undefined) reading.usage = { input: tokens, output: 0 };
}

function readAnthropic(reading: AnswerReading, body: Json): void {
  set(reading, "usage", fromAnthropicUsage(body.usage));
  set(reading, "responseId", str(body.id));
  set(reading, "finishReason", str(body.stop_reason));
}

function readOpenAI(reading: AnswerReading, body: Json): void {
  set(reading, "usage", fromOpenAIUsage(body.usage));
  set(reading, "responseId", reading.responseId ?? str(body.id));
  const choice = Array.isArray(body.choices) ? body.choices[0] : undefined;
  if (isRecord(choice)) set(reading, "finishReason", str(choice.finish_reason));
}

function readResponses(reading: AnswerReading, response: Json): void {
  set(reading, "usage", fromResponsesUsage(response.usage));
  set(reading, "responseId", str(response.id));
  set(reading, "finishReason", str(response.status));
}

function readGemini(reading: AnswerReading, body: Json): void {
  if (isRecord(body.usageMetadata)) set(reading, "usage", fromGeminiUsage(body.usageMetadata as GeminiUsageMetadata));
  set(reading, "responseId", str(body.responseId));
  const candidate = Array.isArray(body.candidates) ? body.candidates[0] : undefined;
  if (isRecord(candidate)) set(reading, "finishReason", str(candidate.finishReason));
}

function readCohere(reading: AnswerReading, body: Json): void {
  set(reading, "usage", fromCohereUsage(body.usage) ?? fromCohereUsage(body.meta));
  set(reading, "responseId", str(body.id) ?? str(body.response_id) ?? str(body.generation_id));
  set(reading, "finishReason", str(body.finish_reason));
}

/** InvokeModel's `amazon-bedrock-invocationMetrics` (and its headers' names): counts that, like Converse's, leave cache reads and writes out of the input. */
export function fromInvocationMetrics(raw: unknown): Usage | undefined {
  if (!isRecord(raw)) return undefined;
  return fromBedrockUsage({ inputTokens: count(raw.inputTokenCount), outputTokens: count(raw.outputTokenCount), cacheReadInputTokens: count(raw.cacheReadInputTokenCount), cacheWriteInputTokens: count(raw.cacheWriteInputTokenCount) });
}

/** A Converse answer (and Nova's InvokeModel answer, in the same shape): `usage`, `stopReason`. */
function readConverse(reading: AnswerReading, body: Json): void {
  if (isRecord(body.usage)) set(reading, "usage", fromBedrockUsage(body.usage));
  set(reading, "finishReason", str(body.stopReason));
}

/** An Anthropic stream event: message_start holds the input counts; message_delta's usage is cumulative output (and repeats input when the server has it). */
function foldAnthropic(reading: AnswerReading, event: Json): void {
  if (event.type === "message_start" && isRecord(event.message)) {
    readAnthropic(reading, event.message);
    if (reading.usage) reading.usagePartial = true;
  } else if (event.type === "message_delta") {
    const delta = fromAnthropicUsage(event.usage);
    const start = reading.usage;
    if (delta) {
      reading.usage = { ...start, ...delta, input: delta.input || start?.input || 0 };
      delete reading.usagePartial;
    }
    if (isRecord(event.delta)) set(reading, "finishReason", str(event.delta.stop_reason));
  }
}

/**
 * InvokeModelWithResponseStream: each chunk carries one event of the model's own stream. Claude's
 * are Anthropic stream events; Nova's wrap Converse's events (`{"metadata": {usage}}`); any model's
 * last chunk has Bedrock's invocation metrics, the counts used when the model's events gave none.
 */
function invokeStream(): StreamReading {
  const reading: AnswerReading = {};
  let metrics: Usage | undefined;
  return {
    event(event) {
      const text = chunkText(event.data);
      const inner = text === undefined ? undefined : parse(text);
      if (!inner) return text;
      if (typeof inner.type === "string") foldAnthropic(reading, inner);
      else {
        if (isRecord(inner.metadata)) readConverse(reading, inner.metadata);
        const stop = isRecord(inner.messageStop) ? inner.messageStop.stopReason : (inner.stop_reason ?? inner.completionReason);
        set(reading, "finishReason", str(stop));
      }
      metrics = fromInvocationMetrics(inner[INVOCATION_METRICS]) ?? metrics;
      return text;
    },
    // Bedrock's metrics are final; the model's own counts win only once they are too.
    result() {
      if ((reading.usage && !reading.usagePartial) || !metrics) return reading;
      const { usagePartial: _partial, ...read } = reading;
      return { ...read, usage: metrics };
    },
  };
}

const whole = (read: (reading: AnswerReading, body: Json) => void) => (body: unknown): AnswerReading => {
  const reading: AnswerReading = {};
  if (isRecord(body)) read(reading, body);
  return reading;
};

export const WIRE_READERS: Record<NativeWire, WireReader> = {
  anthropic: {
    answer: whole(readAnthropic),
    stream: folding(foldAnthropic),
  },
  openai: {
    answer: whole(readOpenAI),
    stream: folding((reading, event) => readOpenAI(reading, event)),
  },
  "openai-responses": {
    answer: whole(readResponses),
    // response.completed (or .incomplete / .failed) carries the whole response, usage included.
    stream: folding((reading, event) => {
      if (isRecord(event.response) && typeof event.type === "string" && /^response\.(completed|incomplete|failed)$/.test(event.type)) readResponses(reading, event.response);
      else if (event.type === "response.created" && isRecord(event.response)) set(reading, "responseId", str(event.response.id));
    }),
  },
  gemini: {
    // Without `alt=sse` a streamed answer is one JSON array of responses; usage is cumulative, the last one counts.
    answer: (body) => {
      const reading: AnswerReading = {};
      for (const item of Array.isArray(body) ? body : [body]) if (isRecord(item)) readGemini(reading, item);
      return reading;
    },
    stream: folding((reading, event) => readGemini(reading, event)),
  },
  "vertex-predict": {
    answer: whole(readPredict),
    // A predict call does not stream.
    stream: folding(() => {}),
  },
  cohere: {
    answer: whole(readCohere),
    // v2: message-start has the id, message-end the usage; v1: stream-end holds the whole response.
    stream: folding((reading, event) => {
      if (event.type === "message-start") set(reading, "responseId", str(event.id));
      else if (event.type === "message-end" && isRecord(event.delta)) {
        set(reading, "usage", fromCohereUsage(event.delta.usage));
        set(reading, "finishReason", str(event.delta.finish_reason));
      } else if (event.event_type === "stream-end" && isRecord(event.response)) readCohere(reading, event.response);
    }),
  },
  "bedrock-converse": {
    answer: whole(readConverse),
    // messageStop has the stop reason, metadata the usage (cache reads and writes included).
    stream: folding(readConverse),
  },
  "bedrock-invoke": {
    // Claude's answer is an Anthropic Messages answer; Nova's is Converse-shaped. Other models' counts are in the headers.
    answer: whole((reading, body) => {
      readAnthropic(reading, body);
      if (!reading.usage) readConverse(reading, body);
    }),
    stream: invokeStream,
  },
};
