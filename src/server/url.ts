/**
 * Parts of a request URL without `new URL()`, which throws on what a client can send (a relative
 * URL from an HTTP/1.0 request without Host, a port past 65535); these never throw.
 */

/** Where the path starts: after `scheme://authority`, or at 0 for a relative URL. */
function pathStart(url: string): number {
  const scheme = url.indexOf("://");
  if (scheme === -1) return 0;
  const slash = url.indexOf("/", scheme + 3);
  return slash === -1 ? url.length : slash;
}

/** The path of a request URL (`/v1/models`), without query or fragment. */
export function pathOf(url: string): string {
  const start = pathStart(url);
  let end = url.indexOf("?", start);
  if (end === -1) end = url.indexOf("#", start);
  const path = url.slice(start, end === -1 ? url.length : end);
  return path === "" ? "/" : path;
}

/** The query parameters of a request URL. */
export function queryOf(url: string): URLSearchParams {
  const start = url.indexOf("?", pathStart(url));
  if (start === -1) return new URLSearchParams();
  const hash = url.indexOf("#", start);
  return new URLSearchParams(url.slice(start + 1, hash === -1 ? url.length : hash));
}

/** A path parameter, percent-decoded; kept as sent when its escapes are malformed (`%E0%A4%A`). */
export function decodePathParam(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
