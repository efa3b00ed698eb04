import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import type { McpServerEntry } from "../config/schema.ts";
import { toolSource } from "./gateway.ts";
import { toolNames } from "./names.ts";

/**
 * Every tool of a server not (necessarily) served yet, named as the gateway would name them
 * (the same toolNames function), allowed_tools and disallowed_tools not applied: an admin
 * choosing which to allow must see them all. The connection is closed afterwards.
 */
export async function previewTools(name: string, entry: McpServerEntry): Promise<Tool[]> {
  // The gateway's own kind of source (an MCP server, or an OpenAPI document with its naming rule).
  const upstream = toolSource(name, entry);
  try {
    const tools = await upstream.listTools();
    const byOriginal = new Map([...toolNames(name, tools.map((tool) => tool.name))].map(([named, original]) => [original, named]));
    return tools.map((tool) => ({ ...tool, name: byOriginal.get(tool.name) as string }));
  } finally {
    await upstream.close();
  }
}
