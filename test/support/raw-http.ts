/**
 * Raw HTTP/1.x over a TCP socket, for requests `fetch` refuses to make (no Host, a bad port, NUL
 * in a header, a body larger than declared) and for watching when the server answers and closes.
 */
import { expect } from "bun:test";
import { connect } from "node:net";

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection before the answer was complete (or before `timeoutMs`). */
  closed: boolean;
  /** Body bytes written (after the head) when the first answer byte arrived; -1 if none arrived. */
  sentWhenAnswered: number;
  /** Body bytes written in all. */
  sent: number;
}

export interface RawOptions {
  /** Written after the head: chunks in order, stopping early once the server has answered or closed. */
  body?: Iterable<string | Uint8Array>;
  /** Keep writing `body` to its end even after the answer arrived (while the connection is open). */
  sendAll?: boolean;
  /** Gives up waiting for a complete answer or the close after this long (default 2000 ms). */
  timeoutMs?: number;
}

/** True once `text` holds a whole answer: its head and `content-length` bytes of body. */
function complete(text: string): boolean {
  const split = text.indexOf("\r\n\r\n");
  if (split === -1) return false;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, split))?.[1];
  return length !== undefined && Buffer.byteLength(text.slice(split + 4), "latin1") >= Number(length);
}

/**
 * Sends `head` (and `options.body`) to 127.0.0.1:`port` and reads the answer until it is complete
 * (by content-length), the server closes, or the timeout passes.
 */
export async function rawExchange(port: number, head: string, options: RawOptions = {}): Promise<RawAnswer> {
  const socket = connect(port, "127.0.0.1");
  let text = "";
  let sent = 0;
  let sentWhenAnswered = -1;
  let closed = false;
  let answered = () => {};
  const answer = new Promise<void>((resolve) => (answered = resolve));
  socket.setEncoding("latin1");
  socket.on("data", (data: string) => {
    if (sentWhenAnswered === -1) sentWhenAnswered = sent;
    text += data;
    if (complete(text)) answered();
  });
  socket.on("error", () => {});
  socket.on("close", () => {
    closed = true;
    answered();
  });
  const timer = setTimeout(answered, options.timeoutMs ?? 2000);
  await new Promise<void>((resolve) => socket.once("connect", resolve));
  socket.write(head);
  for (const piece of options.body ?? []) {
    if (closed || (sentWhenAnswered !== -1 && !options.sendAll)) break;
    const size = typeof piece === "string" ? Buffer.byteLength(piece) : piece.byteLength;
    if (!socket.write(piece)) await new Promise<void>((resolve) => (socket.once("drain", resolve), socket.once("close", resolve)));
    sent += size;
  }
  await answer;
  clearTimeout(timer);
  socket.destroy();
  return { ...parseAnswer(text), closed, sentWhenAnswered, sent };
}

function parseAnswer(text: string): { status: number; headers: Record<string, string>; body: string } {
  const split = text.indexOf("\r\n\r\n");
  const head = split === -1 ? text : text.slice(0, split);
  const [statusLine = "", ...headerLines] = head.split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(" ")[1]), headers, body: split === -1 ? "" : text.slice(split + 4) };
}

/** HTTP/1.1 chunked framing of `count` chunks of `size` bytes each (the terminating chunk is not included). */
export function* chunkedBody(count: number, size: number): Generator<string> {
  const frame = `${size.toString(16)}\r\n${"x".repeat(size)}\r\n`;
  for (let i = 0; i < count; i++) yield frame;
}

/** The answer's body as JSON. */
export const jsonOf = (answer: RawAnswer): any => JSON.parse(answer.body);

/** Routes of each kind (a list, an unknown path, a parameter path, the management API, both chat dialects), and whether errors come in Anthropic's shape. */
export const RAW_ROUTES = [
  { method: "GET", path: "/v1/models", anthropic: false },
  { method: "GET", path: "/no/such/route", anthropic: false },
  { method: "GET", path: "/v1/models/mock/echo", anthropic: false },
  { method: "GET", path: "/key/list", anthropic: false },
  { method: "POST", path: "/v1/chat/completions", anthropic: false },
  { method: "POST", path: "/v1/messages", anthropic: true },
] as const;

/** Expects a JSON error answer: OpenAI's shape with `code`, or Anthropic's with `anthropicType`. */
export function expectErrorShape(answer: RawAnswer, status: number, anthropic: boolean, code: string, anthropicType: string): void {
  expect(answer.status).toBe(status);
  expect(answer.headers["content-type"]).toContain("application/json");
  const body = jsonOf(answer);
  if (anthropic) expect(body).toMatchObject({ type: "error", error: { type: anthropicType } });
  else expect(body.error).toMatchObject({ code, param: null });
}
