/**
 * An MCP HTTP+SSE session driven by hand (fetch, no SDK), for what the SDK client hides: the raw
 * endpoint event, each POST's own headers and status, keep-alive comments, and a disconnect.
 */
import { expect } from "bun:test";

export interface RawSseSession {
  /** The GET's response (its status and headers; its body is read here). */
  response: Response;
  /** The endpoint event's data: where messages are POSTed. */
  endpoint: string;
  /** Every line of the stream read so far, comments included. */
  lines: string[];
  /** POSTs one message (or anything else) to the session's endpoint with these headers. */
  post(body: unknown, headers: Record<string, string>): Promise<Response>;
  /** The answer (a `message` event) to request `id`, read from the stream. */
  answer(id: number): Promise<{ result?: unknown; error?: { code: number; message: string } }>;
  /** Reads until a line passes `check`. */
  until(check: (line: string) => boolean): Promise<void>;
  /** Drops the connection, as a client that goes away does. */
  disconnect(): void;
}

/** Opens `origin + path` with `headers`; the session's first event must be `endpoint`. */
export async function openRawSse(origin: string, path: string, headers: Record<string, string>): Promise<RawSseSession> {
  const abort = new AbortController();
  const response = await fetch(`${origin}${path}`, { headers: { ...headers, accept: "text/event-stream" }, signal: abort.signal });
  expect(response.status).toBe(200);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const lines: string[] = [];
  let buffer = "";
  let read = 0;
  /** Reads one more chunk of the stream into `lines`. */
  const fill = async (): Promise<void> => {
    const { done, value } = await reader.read();
    if (done) throw new Error("the stream ended");
    buffer += decoder.decode(value, { stream: true });
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    lines.push(...parts);
  };
  const nextLine = async (): Promise<string> => {
    while (read >= lines.length) await fill();
    return lines[read++] as string;
  };
  /** The next event's name and data (comments skipped). */
  const nextEvent = async (): Promise<{ event: string; data: string }> => {
    let event = "message";
    let data = "";
    for (;;) {
      const line = await nextLine();
      if (line === "" && data !== "") return { event, data };
      if (line.startsWith("event: ")) event = line.slice(7);
      if (line.startsWith("data: ")) data = line.slice(6);
    }
  };
  const first = await nextEvent();
  expect(first.event).toBe("endpoint");
  const answers = new Map<number, { result?: unknown; error?: { code: number; message: string } }>();
  return {
    response,
    endpoint: first.data,
    lines,
    post: (body, postHeaders) =>
      fetch(`${origin}${first.data}`, { method: "POST", headers: { "content-type": "application/json", ...postHeaders }, body: typeof body === "string" ? body : JSON.stringify(body) }),
    async answer(id) {
      while (!answers.has(id)) {
        const { event, data } = await nextEvent();
        const message = JSON.parse(data) as { id?: number; result?: unknown; error?: { code: number; message: string } };
        if (event === "message" && typeof message.id === "number") answers.set(message.id, message);
      }
      return answers.get(id) as { result?: unknown };
    },
    async until(check) {
      for (let at = 0; ; at++) {
        while (at >= lines.length) await fill();
        if (check(lines[at] as string)) return;
      }
    },
    disconnect: () => abort.abort(),
  };
}

/** An initialize request, as a client opens a session with. */
export const INITIALIZE = { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2024-11-05", capabilities: {}, clientInfo: { name: "raw", version: "1" } } };
