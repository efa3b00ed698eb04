import { GatewayError } from "../canonical/errors.ts";
import { echo } from "../canonical/echo.ts";
import { depthExceededAt, MAX_JSON_DEPTH, topLevelKeyAt } from "../json/depth.ts";

/** The request body as received, kept so same-format calls forward it without re-serialising. */
export interface RawBody {
  text: string;
  /** performance.now() when the gateway started on this request (for the overhead header). */
  receivedAt: number;
}

const rawBodies = new WeakMap<Request, RawBody>();

/** The raw body stored by `readJsonBody` for this request. */
export function rawBodyOf(request: Request): RawBody {
  const raw = rawBodies.get(request);
  if (!raw) throw new GatewayError("gateway.internal", "The request body was not read before the handler ran.");
  return raw;
}

/** Where in the text JSON.parse gave up, in words a person can use. */
function describeJsonError(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : String(error);
  if (text.trim() === "") return "The request body is empty; send a JSON object.";
  // The parser's message may quote the offending token.
  return `The request body is not valid JSON (${echo(message)}).`;
}

/** A byte count as people write limits: 32 MB, 4 KB, 100 bytes. */
function formatBytes(bytes: number): string {
  const mb = bytes / 1024 / 1024;
  if (mb >= 1) return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
  return bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`;
}

/** The 413 for a body over the limit, whether declared or counted while reading. */
export function bodyTooLarge(maxBytes: number): GatewayError {
  return new GatewayError("caller.body_too_large", `The request body is larger than this gateway's limit of ${formatBytes(maxBytes)} (server.max_request_body_mb).`);
}

/** True when a request declares a body over `maxBytes` (refused before a byte of it is read). */
export function declaresTooLarge(request: Request, maxBytes: number): boolean {
  const declared = request.headers.get("content-length");
  return declared !== null && Number(declared) > maxBytes;
}

/**
 * Reads a body and stops as soon as it passes `maxBytes` (413): the rest is never read into memory
 * (Bun discards what the handler leaves unread). The exact bytes, for bodies forwarded as received.
 */
export async function readBoundedBytes(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Buffer> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      void reader.cancel().catch(() => {});
      throw bodyTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

/** Reads a body of unknown length (chunked) as text, within `maxBytes` (see readBoundedBytes). */
export async function readBounded(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<string> {
  return (await readBoundedBytes(body, maxBytes)).toString("utf8");
}

/**
 * Reads and parses a JSON body within `maxBytes` (413 past it: by the declared length before
 * reading, or while reading a chunked body) and remembers the exact text. Every failure is a
 * GatewayError the dialect renders. An `optional` body that is absent or blank reads as `{}`.
 */
export async function readJsonBody(request: Request, maxBytes: number, optional = false): Promise<unknown> {
  const receivedAt = performance.now();
  if (declaresTooLarge(request, maxBytes)) throw bodyTooLarge(maxBytes);
  let text: string;
  try {
    // A declared length is what Bun reads, no more; only a chunked body needs counting as it comes.
    text = request.headers.has("content-length") || !request.body ? await request.text() : await readBounded(request.body, maxBytes);
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw new GatewayError("caller.invalid_request", "The request body could not be read (the connection closed or the encoding is invalid).");
  }
  const parsed = optional && text.trim() === "" ? {} : parseJsonObject(text);
  rawBodies.set(request, { text, receivedAt });
  return parsed;
}

/** The 400 for a body nested deeper than MAX_JSON_DEPTH, naming the top-level member that does it. */
function tooDeep(text: string, at: number): GatewayError {
  const key = topLevelKeyAt(text, at);
  const where = key === undefined ? "" : ` in '${echo(key)}'`;
  return new GatewayError("caller.invalid_json", `The request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep${where}; this gateway accepts at most ${MAX_JSON_DEPTH} levels.`, key === undefined ? {} : { param: echo(key) });
}

/**
 * Parses a request body that must be a JSON object. Nesting is bounded first (one linear scan),
 * so nothing after this (schema checks, decoders, JSON.stringify) ever recurses deeply.
 */
export function parseJsonObject(text: string): Record<string, unknown> {
  const deepAt = depthExceededAt(text);
  if (deepAt !== -1) throw tooDeep(text, deepAt);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new GatewayError("caller.invalid_json", describeJsonError(error, text));
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new GatewayError("caller.invalid_request", "The request body must be a JSON object.");
  }
  return parsed as Record<string, unknown>;
}
