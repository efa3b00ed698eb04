/**
 * An upstream MCP server (official SDK, stateful Streamable HTTP, answers as SSE) offering
 * resources, resource templates and prompts besides tools, on 127.0.0.1 and a free port. Stateful,
 * so a notifications/cancelled reaches the call it names, as with a real server holding sessions.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type CallToolResult,
  type ServerNotification,
  type ServerRequest,
} from "@modelcontextprotocol/sdk/types.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";

export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface RelayMock {
  url: string;
  /** The JSON-RPC methods answered, in order. */
  methods: string[];
  stop(): Promise<void>;
}

export interface RelayMockOptions {
  /** Resource URI -> its text. */
  resources?: Record<string, string>;
  /** URI templates; a read of any other URI answers `template read <uri>`. */
  templates?: string[];
  /** Prompt name -> the text of its one user message (`{x}` replaced by argument x). */
  prompts?: Record<string, string>;
  tools?: Record<string, (args: Record<string, unknown>, extra: Extra) => Promise<CallToolResult>>;
}

function mockServer(name: string, opts: RelayMockOptions, methods: string[]): Server {
  const capabilities = { tools: {}, ...(opts.resources || opts.templates ? { resources: {} } : {}), ...(opts.prompts ? { prompts: {} } : {}) };
  const mcp = new Server({ name, version: "1.0.0" }, { capabilities });
  const tools = opts.tools ?? {};
  mcp.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: Object.keys(tools).map((tool) => ({ name: tool, inputSchema: { type: "object" as const } })) }));
  mcp.setRequestHandler(CallToolRequestSchema, async (call, extra) => {
    methods.push("tools/call");
    const tool = tools[call.params.name];
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `no tool ${call.params.name}`);
    return tool(call.params.arguments ?? {}, extra);
  });
  if (opts.resources || opts.templates) {
    const resources = opts.resources ?? {};
    mcp.setRequestHandler(ListResourcesRequestSchema, async () => {
      methods.push("resources/list");
      return { resources: Object.keys(resources).map((uri) => ({ uri, name: `${name} ${uri}` })) };
    });
    mcp.setRequestHandler(ListResourceTemplatesRequestSchema, async () => {
      methods.push("resources/templates/list");
      return { resourceTemplates: (opts.templates ?? []).map((uriTemplate) => ({ uriTemplate, name: `${name} template` })) };
    });
    mcp.setRequestHandler(ReadResourceRequestSchema, async (read) => {
      methods.push("resources/read");
      const uri = read.params.uri;
      return { contents: [{ uri, mimeType: "text/plain", text: resources[uri] ?? `${name} template read ${uri}` }] };
    });
  }
  if (opts.prompts) {
    const prompts = opts.prompts;
    mcp.setRequestHandler(ListPromptsRequestSchema, async () => {
      methods.push("prompts/list");
      return { prompts: Object.keys(prompts).map((prompt) => ({ name: prompt, arguments: [{ name: "x", required: false }] })) };
    });
    mcp.setRequestHandler(GetPromptRequestSchema, async (get) => {
      methods.push("prompts/get");
      const template = prompts[get.params.name];
      if (template === undefined) throw new McpError(ErrorCode.InvalidParams, `no prompt ${get.params.name}`);
      const textOut = template.replace("{x}", get.params.arguments?.x ?? "");
      return { messages: [{ role: "user" as const, content: { type: "text" as const, text: textOut } }] };
    });
  }
  return mcp;
}

export async function startRelayMock(name: string, opts: RelayMockOptions): Promise<RelayMock> {
  const methods: string[] = [];
  const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>();
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 30,
    async fetch(request) {
      const session = request.headers.get("mcp-session-id");
      const known = session ? sessions.get(session) : undefined;
      if (known) return known.handleRequest(request);
      if (request.method !== "POST") return new Response(null, { status: 405 });
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        onsessioninitialized: (id) => void sessions.set(id, transport),
      });
      await mockServer(name, opts, methods).connect(transport);
      return transport.handleRequest(request);
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}/mcp`,
    methods,
    stop: async () => {
      await Promise.all([...sessions.values()].map((transport) => transport.close()));
      await server.stop(true);
    },
  };
}
