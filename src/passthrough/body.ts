/**
 * A pass-through request's body: read whole (within the body limit) so it can be forwarded byte
 * for byte with its length, and read for its fields so the model it names can be checked. The
 * model check must see what the upstream will see, so what upstream parsers could read otherwise
 * is refused rather than forwarded: a compressed body, JSON that does not parse, a member named
 * twice, JSON in UTF-16 or UTF-32, a form naming its model twice or as a file. A JSON object is
 * read as JSON whatever content-type it came with (some upstreams read JSON under any).
 */
import { echo } from "../canonical/echo.ts";
import { GatewayError } from "../canonical/errors.ts";
import { duplicateKeyOf } from "../json/duplicate-keys.ts";
import { parseJsonObject, readBoundedBytes } from "../server/body.ts";

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
  let bytes: Buffer;
  try {
    bytes = await readBoundedBytes(request.body, maxBytes);
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw new GatewayError("caller.invalid_request", "The request body could not be read (the connection closed).");
  }
  return bytes.byteLength === 0 ? undefined : bytes;
}

const isJson = (type: string) => /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type);
const isForm = (type: string) => /^multipart\/form-data|^application\/x-www-form-urlencoded/i.test(type);

/** Whether bytes open like a JSON object: `{` after whitespace and a UTF-8 byte-order mark. */
function opensObject(bytes: Uint8Array): boolean {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d) i++;
  return bytes[i] === 0x7b;
}

/** JSON in UTF-16 or UTF-32 (a NUL among its first bytes), which some parsers (Python's json) detect and read. */
function wideJson(bytes: Uint8Array, type: string): boolean {
  const head = bytes.subarray(0, 8);
  return head.includes(0) && (isJson(type) || (type === "" && (head.includes(0x7b) || head.includes(0x5b))));
}

/** A JSON body's fields; the 400 when it is not one object whose members are each named once. */
function jsonFields(text: string): Record<string, unknown> {
  const fields = parseJsonObject(text);
  const twice = duplicateKeyOf(text);
  if (twice !== undefined) {
    throw new GatewayError("caller.invalid_json", `The request body names the member '${echo(twice)}' twice in one object (or in two cases); parsers differ on which one counts, so the gateway does not pass it on. Send each member once.`, { param: echo(twice) });
  }
  return fields;
}

/** The text fields of a form body (multipart or urlencoded): OpenAI's audio and file uploads name their model there. */
async function formFields(bytes: Uint8Array, type: string): Promise<Record<string, unknown> | undefined> {
  const form = await new Response(bytes, { headers: { "content-type": type } }).formData().catch(() => {
    throw new GatewayError("caller.invalid_request", "The request's form body could not be read; send it as its content-type says.");
  });
  // The upstream's form parser may take another `model` than the first, or read a file part as one.
  const models = form.getAll("model");
  if (models.length > 1 || models.some((value) => typeof value !== "string")) {
    throw new GatewayError("caller.invalid_request", "The request's form names its 'model' more than once, or as a file; send one 'model' text field.", { param: "model" });
  }
  const fields: Record<string, unknown> = {};
  form.forEach((value, name) => {
    if (typeof value === "string" && !(name in fields)) fields[name] = value;
  });
  return fields;
}

/** Reads a pass-through request's body and its fields. */
export async function readPassthroughBody(request: Request, maxBytes: number): Promise<PassthroughBody> {
  const bytes = await readBytes(request, maxBytes);
  if (!bytes) return NONE;
  // A compressed body is not read here, and an upstream (or a proxy before it) may inflate it.
  const encoding = request.headers.get("content-encoding");
  if (encoding !== null && !/^\s*identity\s*$/i.test(encoding)) {
    throw new GatewayError("caller.invalid_request", `The request body is compressed (content-encoding: ${echo(encoding)}); the gateway reads the model a body names, so send it uncompressed.`);
  }
  const type = request.headers.get("content-type") ?? "";
  if (isForm(type)) return { bytes, fields: await formFields(bytes, type), text: "" };
  if (wideJson(bytes, type)) throw new GatewayError("caller.invalid_json", "The request body is JSON in UTF-16 or UTF-32; send it in UTF-8.");
  if (isJson(type) || (type === "" && (bytes[0] === 0x7b || bytes[0] === 0x5b)) || opensObject(bytes)) {
    const text = decoder.decode(bytes);
    return { bytes, fields: jsonFields(text), text };
  }
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
