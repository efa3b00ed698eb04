/**
 * A pass-through request's body: read whole (within the body limit) so it can be forwarded byte
 * for byte with its length, and read for its fields so the model it names can be checked. A JSON
 * body that does not parse is refused here rather than forwarded: the model check must see what
 * the upstream will see.
 */
import { GatewayError } from "../canonical/errors.ts";
import { bodyTooLarge, parseJsonObject } from "../server/body.ts";

/** The body as received, and what the gateway reads from it. */
export interface PassthroughBody {
  /** The exact bytes, forwarded as they are; undefined when the request had none. */
  bytes: Uint8Array | undefined;
  /** A JSON object's fields, or a form's text fields; undefined otherwise. */
  fields: Record<string, unknown> | undefined;
  /** The text of a JSON body (for spans and input estimates); "" for any other body. */
  text: string;
}

const NONE: PassthroughBody = { bytes: undefined, fields: undefined, text: "" };
const decoder = new TextDecoder();

/** Reads the body within `maxBytes` (413 past it), stopping as soon as it passes. */
async function readBytes(request: Request, maxBytes: number): Promise<Uint8Array | undefined> {
  if (!request.body) return undefined;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
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
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw new GatewayError("caller.invalid_request", "The request body could not be read (the connection closed).");
  }
  return total === 0 ? undefined : Buffer.concat(chunks, total);
}

const isJson = (type: string) => /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type);

/** The text fields of a form body (multipart or urlencoded): OpenAI's audio and file uploads name their model there. */
async function formFields(bytes: Uint8Array, type: string): Promise<Record<string, unknown> | undefined> {
  try {
    const form = await new Response(bytes, { headers: { "content-type": type } }).formData();
    const fields: Record<string, unknown> = {};
    form.forEach((value, name) => {
      if (typeof value === "string" && !(name in fields)) fields[name] = value;
    });
    return fields;
  } catch {
    throw new GatewayError("caller.invalid_request", "The request's form body could not be read; send it as its content-type says.");
  }
}

/** Reads a pass-through request's body and its fields. */
export async function readPassthroughBody(request: Request, maxBytes: number): Promise<PassthroughBody> {
  const bytes = await readBytes(request, maxBytes);
  if (!bytes) return NONE;
  const type = request.headers.get("content-type") ?? "";
  if (isJson(type) || (type === "" && (bytes[0] === 0x7b || bytes[0] === 0x5b))) {
    const text = decoder.decode(bytes);
    return { bytes, fields: parseJsonObject(text), text };
  }
  if (/^multipart\/form-data|^application\/x-www-form-urlencoded/i.test(type)) return { bytes, fields: await formFields(bytes, type), text: "" };
  return { bytes, fields: undefined, text: "" };
}

/**
 * A body forwarded without being read (a config endpoint's: its API is not the gateway's, so no
 * model is looked for and any body goes, a JSON array or text that is not JSON included).
 */
export async function readOpaqueBody(request: Request, maxBytes: number): Promise<PassthroughBody> {
  const bytes = await readBytes(request, maxBytes);
  return bytes ? { bytes, fields: undefined, text: "" } : NONE;
}
