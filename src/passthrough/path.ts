/**
 * The upstream URL of a pass-through call: the client's path, checked, joined under the API root,
 * and checked again as a URL. The path stays as the client encoded it; what could move the joined
 * URL off the root in any parser along the way is refused with a 400, never repaired: dot
 * segments, empty segments (`//host`), a segment opening with `@`, backslashes, `;`, and escapes of
 * anything but plain printable ASCII (an escaped `/ \ ? # % . ; @`, control or non-ASCII bytes, so
 * double encoding (`%252e`) and overlong UTF-8 never get through either).
 */
import { echo } from "../canonical/echo.ts";
import { GatewayError } from "../canonical/errors.ts";
import { pathOf } from "../server/url.ts";

/** Raw characters a path may hold: RFC 3986 pchar and `/`, less `;`. Anything else arrives escaped or not at all. */
const PATH_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,=:@%/]*$/;
const ESCAPE = /%([0-9A-Fa-f]{2})?/g;
/** Escaped characters that change how a path splits or resolves, in one parser or another. */
const UNSAFE_ESCAPED = new Set(["/", "\\", "?", "#", "%", ".", ";", "@"]);

const NONE: ReadonlySet<string> = new Set();

/**
 * Why `path` (after the route prefix, without its leading `/`) cannot be sent upstream; undefined
 * when it can. `segmentEscapes` are escaped characters the provider reads inside one segment
 * (Bedrock's model ARNs carry `%2F`), let through.
 */
export function pathProblem(path: string, segmentEscapes: ReadonlySet<string> = NONE): string | undefined {
  if (path === "") return "it names no upstream path";
  if (!PATH_CHARS.test(path)) return path.includes("\\") ? "it holds a backslash" : "it holds characters outside a plain URL path (a ';', or an unescaped special character)";
  for (const match of path.matchAll(ESCAPE)) {
    const hex = match[1];
    if (hex === undefined) return "it holds a '%' that starts no escape";
    const code = Number.parseInt(hex, 16);
    if (code < 0x20 || code > 0x7e) return "it escapes a control or non-ASCII byte";
    const char = String.fromCharCode(code);
    if (UNSAFE_ESCAPED.has(char) && !segmentEscapes.has(char)) return `it escapes '${char}' (as %${hex})`;
  }
  const segments = path.split("/");
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    // One trailing slash is a path some APIs use; an empty segment anywhere else is `//`.
    if (segment === "" && i < segments.length - 1) return "it holds an empty segment ('//')";
    if (segment === "." || segment === "..") return `it holds a '${segment}' segment`;
    if (segment.startsWith("@")) return "a segment starts with '@'";
    const hidden = segmentEscapes.has("/") && /%2f/i.test(segment) ? hiddenSegmentProblem(segment) : undefined;
    if (hidden) return hidden;
  }
  return undefined;
}

/**
 * An escaped `/` the provider reads inside a segment (a Bedrock ARN) must not hide what would be
 * refused as a real segment, for an upstream (or a proxy before it) that decodes it before routing.
 */
function hiddenSegmentProblem(segment: string): string | undefined {
  for (const piece of segment.replace(/%2f/gi, "/").split("/")) {
    if (piece === "") return "it escapes '/' (as %2F) next to another '/' or at a segment's edge";
    if (/^(?:\.|%2e){1,2}$/i.test(piece)) return "it escapes '/' (as %2F) around a '.' or '..' piece";
    if (piece.startsWith("@") || /^%40/i.test(piece)) return "it escapes '/' (as %2F) before an '@'";
  }
  return undefined;
}

/** The 400 for a path the gateway will not send upstream. */
export function unsafePath(path: string, problem: string): GatewayError {
  return new GatewayError("caller.invalid_request", `The path '${echo(path)}' cannot be passed through: ${problem}. Send the provider's API path as its SDK does.`);
}

/** The client's path after `/<prefix>/` as it was sent (still escaped), or undefined when the URL is not under the prefix. */
export function pathAfterPrefix(url: string, prefix: string): string | undefined {
  const path = pathOf(url);
  const head = `/${prefix}/`;
  return path.startsWith(head) ? path.slice(head.length) : path === `/${prefix}` ? "" : undefined;
}

/** The query string of a request URL (without `?`), as sent; "" when there is none. */
export function rawQueryOf(url: string): string {
  const start = url.indexOf("?");
  if (start === -1) return "";
  const hash = url.indexOf("#", start);
  return url.slice(start + 1, hash === -1 ? url.length : hash);
}

/**
 * `root` + `/` + `path` + the query, and proof it stayed under `root`: parsed again, the URL must
 * have the root's origin, no user info, and exactly the joined path (no parser normalised
 * anything away). Throws the 400 otherwise; `path` must have passed `pathProblem`.
 */
export function joinUnderRoot(root: string, path: string, query: string): string {
  const joined = `${root}/${path}${query ? `?${query}` : ""}`;
  let base: URL;
  let url: URL;
  try {
    base = new URL(root);
    url = new URL(joined);
  } catch {
    throw unsafePath(path, "the joined URL does not parse");
  }
  const basePath = base.pathname.endsWith("/") ? base.pathname.slice(0, -1) : base.pathname;
  if (url.origin !== base.origin || url.username !== "" || url.password !== "" || url.pathname !== `${basePath}/${path}`) {
    throw unsafePath(path, "the joined URL would leave the provider's API root");
  }
  return joined;
}
