/**
 * What makes an upstream's 200 an answer: a stream whose first event is a JSON object, or a buffered
 * body that is one. Anything else (a JSON body to a stream request, an empty or HTML body, garbage
 * SSE) is the upstream's failure (502 `provider.bad_response`), found before the router commits, so
 * it is retried or falls back like a 5xx and booked as a failure, never relayed as a 200.
 */
import { GatewayError } from "../canonical/errors.ts";
import { isRecord } from "../json/is-record.ts";
import type { Provider } from "../providers/types.ts";
import type { UpstreamCall } from "../router/execute.ts";
import type { SseEvent } from "../streams/sse-parser.ts";

const JSON_TYPE = /^\s*application\/(?:[\w.+-]+\+)?json\b/i;

/** What an operator can check when an upstream's answers cannot be read. */
const fix = (provider: Provider) => `check that the deployment's api_base serves the ${provider.label} API`;

/** Whether a response's content type is JSON (not an event stream). */
export const isJsonAnswer = (response: Response): boolean => JSON_TYPE.test(response.headers.get("content-type") ?? "");

/** The parsed text when it is a JSON object; undefined otherwise. */
function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** A JSON object with an `error` member: the upstream's error in a 200, as its provider reads an error event. */
function inBandError(provider: Provider, text: string, answer: Record<string, unknown>): GatewayError | undefined {
  if (answer.error === undefined || answer.error === null) return undefined;
  return provider.streamError({ event: "error", data: text });
}

/**
 * Checks a stream's first event: it must be a JSON object (every provider's events are). The peek
 * calls this once per stream, after the provider's own error check.
 */
export function unreadableFirstEvent(event: SseEvent, provider: Provider): GatewayError | undefined {
  if (jsonObject(event.data)) return undefined;
  const name = event.event ? ` (event '${event.event.slice(0, 40)}')` : "";
  return new GatewayError("provider.bad_response", `${provider.label} answered the stream request with an event that is not JSON${name}; the answer cannot be read (${fix(provider)}).`, { provider: provider.id });
}

/** The error for a stream request answered with a JSON body: the upstream's own error if it sent one, else a bad response. */
export function jsonInsteadOfStream(provider: Provider, text: string): GatewayError {
  const answer = jsonObject(text);
  const error = answer && inBandError(provider, text, answer);
  if (error) return error;
  return new GatewayError("provider.bad_response", `${provider.label} answered the stream request with a JSON body instead of an event stream; the answer cannot be relayed (${fix(provider)}).`, { provider: provider.id });
}

/**
 * A buffered answer, parsed: a JSON object that is not an error. Parsed once here; the caller reads
 * usage from the result instead of scanning the text again.
 */
export function parseBufferedAnswer(provider: Provider, text: string): Record<string, unknown> {
  const answer = jsonObject(text);
  if (!answer) throw unreadableBody(provider, text);
  const error = inBandError(provider, text, answer);
  if (error) throw error;
  return answer;
}

function unreadableBody(provider: Provider, text: string): GatewayError {
  const what = text.trim() === "" ? "an empty body" : "a body that is not a JSON object";
  return new GatewayError("provider.bad_response", `${provider.label} answered with ${what}; the answer cannot be read (${fix(provider)}).`, { provider: provider.id });
}

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

/**
 * A cheap check for bodies relayed as received without parsing (embeddings are mostly vectors):
 * the text is framed as a JSON object, so an empty or HTML body, and most cut-off ones, are refused.
 * Not a full parse.
 */
export function checkObjectFraming(provider: Provider, text: string): void {
  let start = 0;
  let end = text.length - 1;
  while (start <= end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end))) end--;
  if (text.charCodeAt(start) !== 123 /* { */ || text.charCodeAt(end) !== 125 /* } */) throw unreadableBody(provider, text);
}

/** Runs a check of an attempt's answer inside the attempt: its failure is the attempt's (retried, redacted like every upstream error). */
export function readAnswer<T>(call: UpstreamCall, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw call.explain(error);
  }
}
