import type { GatewayError } from "../canonical/errors.ts";

/** JSON-RPC's implementation-defined range: the caller may not use this server or tool (HTTP's 403). */
export const MCP_FORBIDDEN = -32003;

/**
 * An error the SDK's server sends as a JSON-RPC error with this code and message as written (the
 * SDK's McpError would prefix "MCP error <code>: " to the message, which clients prefix again).
 */
export class McpAnswerError extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** The gateway's own refusal behind it (a rate limit, a budget), so HTTP routes answer its status. */
    readonly refusal?: GatewayError,
  ) {
    super(message);
  }
}

/** A rate limit of the caller's key, team, user or organisation is full (HTTP's 429); the message says when to retry. */
export const MCP_RATE_LIMITED = -32029;

/** The gateway cannot take calls right now (HTTP's 503), e.g. its spend ledger is failing. */
export const MCP_UNAVAILABLE = -32000;

/** The session a message names is not (or no longer) held here (the SDK's code for HTTP's 404). */
export const MCP_SESSION_NOT_FOUND = -32001;

/** An MCP answer refused at the HTTP level: `status`, with a JSON-RPC error body that names no request. */
export function mcpErrorResponse(status: number, code: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }), { status, headers: { "content-type": "application/json", ...headers } });
}
