/**
 * Upstream MCP servers built with the official SDK (Streamable HTTP, stateless; or the older
 * HTTP+SSE transport), on 127.0.0.1 and a free port. Each records the headers of every request it received, and may require a bearer.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
export { McpError, ErrorCode };
import { CallToolRequestSchema, ListToolsRequestSchema, McpError, ErrorCode, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";

/** A tool: its name and what a call answers given the arguments and the request's headers. */
export interface MockTool {
  name: string;
  description?: string;
  /** May throw (an McpError is the server's JSON-RPC error answer). */
  run(args: Record<string, unknown>, headers: Headers): CallToolResult;
}

export interface MockMcpServer {
  /** The MCP endpoint: `http://127.0.0.1:PORT/mcp`. */
  url: string;
  /** The headers of every HTTP request received, in order (refused ones included). */
  seen: Headers[];
  /** The JSON-RPC methods of the requests answered (tools/list, tools/call, ...), in order. */
  methods: string[];
  stop(): Promise<void>;
}

const schema = { type: "object" as const, properties: { text: { type: "string" } } };

/** An SDK server answering `tools` (the same for both transports); `headers` are the request's. */
function mockServer(tools: MockTool[], headers: () => Headers, methods: string[]): Server {
  const mcp = new Server({ name: "mock", version: "1.0.0" }, { capabilities: { tools: {} } });
  mcp.setRequestHandler(ListToolsRequestSchema, async () => {
    methods.push("tools/list");
    return {
      tools: tools.map((tool) => ({ name: tool.name, ...(tool.description ? { description: tool.description } : {}), inputSchema: schema })),
    };
  });
  mcp.setRequestHandler(CallToolRequestSchema, async (call) => {
    methods.push("tools/call");
    const tool = tools.find((t) => t.name === call.params.name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `no tool ${call.params.name}`);
    return tool.run(call.params.arguments ?? {}, headers());
  });
  return mcp;
}

/**
 * The older HTTP+SSE transport (`GET /sse` opens the stream, `POST /messages?sessionId=` carries
 * messages), which the SDK serves over Node's http only. Requires `bearer` on both when given.
 */
export async function startMockSseMcpServer(tools: MockTool[], opts: { bearer?: string } = {}): Promise<MockMcpServer> {
  const seen: Headers[] = [];
  const methods: string[] = [];
  const sessions = new Map<string, { transport: SSEServerTransport; headers: Headers }>();
  const http = createServer(async (req, res) => {
    const headers = new Headers(Object.entries(req.headers).flatMap(([name, value]) => (typeof value === "string" ? [[name, value] as [string, string]] : [])));
    seen.push(headers);
    if (opts.bearer && headers.get("authorization") !== `Bearer ${opts.bearer}`) {
      res.writeHead(401).end("unauthorized");
      return;
    }
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method === "GET" && url.pathname === "/sse") {
      const transport = new SSEServerTransport("/messages", res);
      const session = { transport, headers };
      sessions.set(transport.sessionId, session);
      res.on("close", () => sessions.delete(transport.sessionId));
      await mockServer(tools, () => session.headers, methods).connect(transport);
      return;
    }
    const session = sessions.get(url.searchParams.get("sessionId") ?? "");
    if (req.method === "POST" && url.pathname === "/messages" && session) {
      session.headers = headers;
      await session.transport.handlePostMessage(req, res);
      return;
    }
    res.writeHead(404).end("not found");
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/sse`,
    seen,
    methods,
    stop: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

/** `bearer`: the one token accepted, or a test of the token sent (e.g. one a mock token endpoint issued and has not revoked). */
export function startMockMcpServer(tools: MockTool[], opts: { bearer?: string | ((token: string) => boolean) } = {}): MockMcpServer {
  const seen: Headers[] = [];
  const methods: string[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      seen.push(request.headers);
      if (new URL(request.url).pathname !== "/mcp") return new Response("not found", { status: 404 });
      if (opts.bearer && !bearerAccepted(opts.bearer, request.headers.get("authorization"))) return new Response("unauthorized", { status: 401 });
      if (request.method !== "POST") return new Response(null, { status: 405 });
      const mcp = mockServer(tools, () => request.headers, methods);
      const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true });
      await mcp.connect(transport);
      return transport.handleRequest(request);
    },
  });
  return { url: `http://127.0.0.1:${server.port}/mcp`, seen, methods, stop: () => server.stop(true) };
}

function bearerAccepted(bearer: string | ((token: string) => boolean), authorization: string | null): boolean {
  const token = authorization?.match(/^Bearer (.+)$/)?.[1];
  if (token === undefined) return false;
  return typeof bearer === "string" ? token === bearer : bearer(token);
}

/** A text result. */
export const text = (value: string): CallToolResult => ({ content: [{ type: "text", text: value }] });
