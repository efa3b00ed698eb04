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
  ) {
    super(message);
  }
}
