/**
 * An MCP server over stdio, built with the official SDK, for the gateway's stdio upstreams: run it
 * as `bun test/support/mock-stdio-mcp.ts`. Its tools show what the child process sees (its pid, an
 * environment variable), write to stderr, crash or hang on demand. With MOCK_STARTS_FILE set, each
 * start appends a line there, so a test can count starts; with MOCK_EXIT_AT_START set, it exits
 * at once.
 */
import { appendFileSync } from "node:fs";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";

const text = (value: string): CallToolResult => ({ content: [{ type: "text", text: value }] });
const argument = { type: "object" as const, properties: { text: { type: "string" } } };

const tools: Record<string, (text: string) => CallToolResult | Promise<CallToolResult>> = {
  echo: (value) => text(`echo: ${value}`),
  pid: () => text(String(process.pid)),
  /** The value of the environment variable named by `text`, or "(unset)". */
  env: (name) => text(process.env[name] ?? "(unset)"),
  /** Writes `text` to stderr (one line per line). */
  stderr: (value) => {
    process.stderr.write(`${value}\n`);
    return text("written");
  },
  crash: () => process.exit(7),
  /** Never answers. */
  hang: () => new Promise<CallToolResult>(() => undefined),
};

if (process.env.MOCK_STARTS_FILE) appendFileSync(process.env.MOCK_STARTS_FILE, `${process.pid}\n`);
// A command that crashes at once, before it answers anything.
if (process.env.MOCK_EXIT_AT_START) process.exit(3);
const server = new Server({ name: "mock-stdio", version: "1.0.0" }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: Object.keys(tools).map((name) => ({ name, inputSchema: argument })) }));
server.setRequestHandler(CallToolRequestSchema, async (call) => {
  const run = tools[call.params.name];
  if (!run) throw new McpError(ErrorCode.InvalidParams, `no tool ${call.params.name}`);
  return run(String(call.params.arguments?.text ?? ""));
});
process.stderr.write("mock stdio MCP server ready\n");
await server.connect(new StdioServerTransport());
