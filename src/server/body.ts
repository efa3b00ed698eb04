import { GatewayError } from "../canonical/errors.ts";

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
  return `The request body is not valid JSON (${message}).`;
}

/**
 * Reads and parses a JSON body within `maxBytes` (413 past it, by header or by actual size) and
 * remembers the exact text. Every failure is a GatewayError the dialect renders.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
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
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new GatewayError("caller.invalid_json", describeJsonError(error, text));
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new GatewayError("caller.invalid_request", "The request body must be a JSON object.");
  }
  rawBodies.set(request, { text, receivedAt });
  return parsed;
}
