/**
 * Which headers cross the gateway on a pass-through call. Going up: the client's own headers
 * (`anthropic-version`, `anthropic-beta`, `openai-beta`, `content-type`, SDK headers) less
 * hop-by-hop headers, `host`, every header any SDK carries a key in, cookies, the gateway's own
 * controls and the client's address; the provider module then sets the upstream credential.
 * Coming back: the upstream's headers less hop-by-hop and framing headers (the body is re-framed
 * and already decoded), cookies and what only speaks for the upstream's origin.
 */

/** Hop-by-hop (RFC 9110 7.6.1) and framing headers the transport sets itself. */
const TRANSPORT = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length", "expect"];

/** Headers a key or session rides in, whichever SDK sent it: never forwarded, whatever the route. */
export const CLIENT_CREDENTIAL_HEADERS: readonly string[] = [
  "authorization",
  "proxy-authorization",
  "x-api-key",
  "api-key",
  "x-goog-api-key",
  "x-litellm-api-key",
  "x-switchboard-api-key",
  // LiteLLM's header for a key sent by its boto3 recipe (a `before-send` hook).
  "litellm_user_api_key",
  "ocp-apim-subscription-key",
  "cookie",
  // A client's own AWS signature (the Bedrock SDK signs with whatever it holds); the gateway signs anew.
  "x-amz-security-token",
  "x-amz-date",
  "x-amz-content-sha256",
];

/** The client's address and the proxies it came through: not the upstream's business. */
const CLIENT_ADDRESS = ["forwarded", "x-real-ip", "via"];

/**
 * Headers that pick which account the gateway's credential bills (an OpenAI organisation or
 * project, a Google quota project): the credential's owner decides, in the deployment's `headers`.
 */
const BILLING_ACCOUNT = ["openai-organization", "openai-project", "x-goog-user-project"];

/** Headers that make some upstreams (Google's) run another method than the request's, which the gateway classified the call by. */
const METHOD_OVERRIDE = ["x-http-method-override", "x-http-method", "x-method-override"];

/** Names the upstream never gets. `accept-encoding` too: the gateway's fetch negotiates its own and decodes. */
const DROPPED_UP: ReadonlySet<string> = new Set([...TRANSPORT, ...CLIENT_CREDENTIAL_HEADERS, ...CLIENT_ADDRESS, ...BILLING_ACCOUNT, ...METHOD_OVERRIDE, "accept-encoding"]);

/** Prefixes of names the upstream never gets: the gateway's controls, forwarding chains. */
const DROPPED_UP_PREFIXES = ["x-switchboard-", "x-litellm-", "x-forwarded-"];

/**
 * The client's headers to send upstream, lower-cased. `Connection` may name more hop-by-hop
 * headers, which are dropped too.
 */
export function upstreamRequestHeaders(headers: Headers): Record<string, string> {
  const hop = namedByConnection(headers);
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    const lower = name.toLowerCase();
    if (DROPPED_UP.has(lower) || hop.has(lower) || DROPPED_UP_PREFIXES.some((prefix) => lower.startsWith(prefix))) return;
    out[lower] = value;
  });
  return out;
}

/**
 * Names the client never gets back: framing (the body is streamed anew, decoded), cookies, what
 * only speaks for the upstream's origin, and the gateway's own header names (set by the gateway).
 */
const DROPPED_DOWN: ReadonlySet<string> = new Set([...TRANSPORT, "content-encoding", "set-cookie", "set-cookie2", "strict-transport-security", "alt-svc", "location"]);

/**
 * The upstream's answer headers to send the client, lower-cased: also without those its
 * `Connection` names, and without any that carries one of `secrets` (an upstream, or a proxy in
 * front of it, echoing the credential it was sent).
 */
export function clientResponseHeaders(headers: Headers, secrets: readonly string[] = []): Record<string, string> {
  const hop = namedByConnection(headers);
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    const lower = name.toLowerCase();
    if (DROPPED_DOWN.has(lower) || hop.has(lower) || lower.startsWith("x-switchboard-")) return;
    if (secrets.some((secret) => secret.length >= 4 && value.includes(secret))) return;
    out[lower] = value;
  });
  return out;
}

/** The header names a message's `Connection` lists (hop-by-hop, by RFC 9110 7.6.1), lower-cased. */
function namedByConnection(headers: Headers): Set<string> {
  return new Set((headers.get("connection") ?? "").split(",").map((name) => name.trim().toLowerCase()));
}
