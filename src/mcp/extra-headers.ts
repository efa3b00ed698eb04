/**
 * `extra_headers` (LiteLLM's name): header names an administrator lets through from the caller's
 * request to /mcp to one upstream server. Upstream connections are shared by every caller, so the
 * caller's headers are not baked into a connection: the gateway runs each /mcp request inside
 * `withClientHeaders`, and the upstream's fetch reads them from that request's async context
 * (AsyncLocalStorage) when it sends, so every HTTP request made for a caller carries that caller's
 * values and no other's.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { presentedKey } from "../auth/authenticate.ts";
import { refusedExtraHeader } from "../config/mcp-servers.ts";
import type { McpServerEntry } from "../config/schema.ts";

const clientHeaders = new AsyncLocalStorage<Headers>();

/** Runs `work` (one /mcp request) with the caller's request headers visible to the upstream calls it makes. */
export function withClientHeaders<T>(headers: Headers, work: () => T): T {
  return clientHeaders.run(headers, work);
}

/**
 * The values of `entry.extra_headers` in the current caller's request. Never a header the caller
 * did not send, nor one the server sets itself (`own`: its static headers and credential win),
 * nor Authorization when it carried the gateway key, nor one the caller's Connection marks hop-by-hop.
 */
export function passedHeaders(entry: McpServerEntry, own: Iterable<string> = []): Record<string, string> {
  const names = entry.extra_headers;
  const from = names?.length ? clientHeaders.getStore() : undefined;
  if (!names || !from) return {};
  const skip = new Set([...own].map((name) => name.toLowerCase()));
  for (const hop of (from.get("connection") ?? "").split(",")) skip.add(hop.trim().toLowerCase());
  const out: Record<string, string> = {};
  for (const name of names) {
    const lower = name.toLowerCase();
    const value = from.get(lower);
    if (value === null || skip.has(lower) || refusedExtraHeader(lower)) continue;
    if (lower === "authorization") {
      const key = presentedKey(from);
      if (key && value.includes(key)) continue;
    }
    out[lower] = value;
  }
  return out;
}

/** `inner` with the current caller's extra headers added to every request it sends. */
export function passThroughFetch(entry: McpServerEntry, own: Iterable<string>, inner: (url: string | URL, init?: RequestInit) => Promise<Response>) {
  const ownNames = [...own];
  return (url: string | URL, init?: RequestInit): Promise<Response> => {
    const passed = passedHeaders(entry, ownNames);
    if (Object.keys(passed).length === 0) return inner(url, init);
    const headers = new Headers(init?.headers);
    for (const [name, value] of Object.entries(passed)) headers.set(name, value);
    return inner(url, { ...init, headers });
  };
}
