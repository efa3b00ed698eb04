/** Reading the texts a trace item travels with (request and answer), on the trace thread. */
import { depthExceededAt } from "../json/depth.ts";
import { SseParser } from "../streams/sse-parser.ts";

/** The SSE data payloads in the stream the client got. */
export function dataOf(stream: string): string[] {
  const parser = new SseParser();
  const data: string[] = [];
  for (const event of parser.push(stream)) data.push(event.data);
  for (const event of parser.end()) data.push(event.data);
  return data;
}

/** JSON text as a value (object, array, …); undefined when it is not JSON or nests too deep to serialise its parts again. */
export function parsedValue(text: string | undefined): unknown {
  if (text === undefined || depthExceededAt(text) !== -1) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A request or answer as an object. Answers are the upstream's (same-format answers are not
 * checked on the request path), and parts of them are serialised again: too deep is not read.
 */
export function parsed(text: string | undefined): Record<string, unknown> | undefined {
  const value = parsedValue(text);
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
