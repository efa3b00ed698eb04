import { GatewayError } from "../canonical/errors.ts";

/**
 * Model ids in upstream URLs. Gemini, Vertex AI, Bedrock and Azure deployments put the model id in
 * the URL's path, and with a wildcard deployment (`gemini/*`) that id is whatever the client sent.
 * No provider's model id has a control character, `?`, `#`, a backslash, a percent-escape or a
 * `.`/`..` path segment, and each of those can move a URL off its path once the URL is parsed,
 * normalised or decoded (by fetch, a proxy, or the provider's front end): such a name is refused
 * before any upstream call. Everything else is percent-encoded as one path segment.
 */

/** Blank; C0, DEL and C1 controls, `?`, `#`, `\`; a percent-escape; a `.` or `..` segment. Checked on every wildcard call: one pass. */
const UNSAFE = /^\s*$|[\u0000-\u001f\u007f-\u009f?#\\]|%[0-9a-f]{2}|(?:^|\/)\.\.?(?:\/|$)/i;
/** The same without the blank case, to name the first offending part. */
const UNSAFE_PART = /[\u0000-\u001f\u007f-\u009f?#\\]|%[0-9a-f]{2}|(?:^|\/)\.\.?(?:\/|$)/i;

/** Whether a model id can go into an upstream URL (the hot-path form of {@link modelIdProblem}). */
export function isSafeModelId(model: string): boolean {
  return !UNSAFE.test(model);
}

/** What makes a model id unusable in an upstream URL, as a phrase ("has a '?'"), or undefined. Never echoes the id. */
export function modelIdProblem(model: string): string | undefined {
  if (isSafeModelId(model)) return undefined;
  const found = UNSAFE_PART.exec(model)?.[0];
  if (found === undefined) return "is blank";
  if (found === "?" || found === "#") return `has a '${found}'`;
  if (found === "\\") return "has a backslash";
  if (found.startsWith("%")) return `has a percent-escape ('${found}'); send the id as it is, the gateway encodes it`;
  if (found.includes(".")) return `has a '${found.replace(/\//g, "")}' path segment`;
  return `has a control character (U+${(found.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")})`;
}

/** The 400 for a model id that cannot be sent upstream: what is wrong, never the id itself (it may be huge or hostile). */
export function invalidModelId(problem: string, provider?: string): GatewayError {
  return new GatewayError(
    "caller.invalid_request",
    `The model cannot be sent ${provider ? `to ${provider}` : "upstream"}: its id ${problem}. Model ids have no '?', '#', backslash, control character, percent-escape or '.'/'..' segment; send the model id as the provider names it.`,
    { param: "model" },
  );
}

/** `encodeURIComponent`, plus `!'()*` as AWS's SDK encodes path labels (so SigV4's canonical path is the SDK's). */
export function encodePathSegment(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** How a provider's ids may look in its URL. */
export interface SegmentRules {
  /** The id may hold `/` (Bedrock ARNs); it is encoded as `%2F`. Otherwise a `/` is refused: the provider's ids are one name. */
  slash?: boolean;
  /** Keep `@` literal (Vertex AI writes `claude-sonnet-4-5@20250929` so in its URLs). */
  keepAt?: boolean;
  /** A model id of the provider, for the message that refuses a `/`. */
  example?: string;
}

/**
 * A model id as one URL path segment for `provider` (its label, for the message): refused with a
 * 400 on `model` when unsafe, else percent-encoded.
 */
export function modelIdSegment(model: string, provider: string, rules: SegmentRules = {}): string {
  const problem = modelIdProblem(model);
  if (problem !== undefined) throw invalidModelId(problem, provider);
  if (!rules.slash && model.includes("/")) {
    throw new GatewayError("caller.invalid_request", `The model cannot be sent to ${provider}: its model ids are one name without '/'${rules.example ? ` (e.g. ${rules.example})` : ""}.`, { param: "model" });
  }
  const encoded = encodePathSegment(model);
  return rules.keepAt ? encoded.replace(/%40/g, "@") : encoded;
}
