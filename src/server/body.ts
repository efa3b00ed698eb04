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

/**
 * Reads and parses a JSON body within `maxBytes` (413 past it, by header or by actual size) and
 * remembers the exact text. Every failure is a GatewayError the dialect renders. An `optional`
 * body that is absent or blank reads as `{}`.
 */
export async function readJsonBody(request: Request, maxBytes: number, optional = false): Promise<unknown> {
  const receivedAt = performance.now();
  const declared = Number(request.headers.get("content-length") ?? "0");
  const tooLarge = () =>
    new GatewayError("caller.body_too_large", `The request body is larger than this gateway's limit of ${Math.round(maxBytes / 1024 / 1024)} MB (server.max_request_body_mb).`);
  if (declared > maxBytes) throw tooLarge();
  let text: string;
  try {
    text = await request.text();
  } catch {
    throw new GatewayError("caller.invalid_request", "The request body could not be read (the connection closed or the encoding is invalid).");
  }
  // Chunked bodies have no content-length: measure what arrived (in bytes, not UTF-16 units).
  if (text.length > maxBytes || (text.length * 3 > maxBytes && Buffer.byteLength(text) > maxBytes)) throw tooLarge();
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
