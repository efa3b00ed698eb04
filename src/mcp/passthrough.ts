/**
 * resources/* and prompts/* of upstream MCP servers, passed through the gateway. Resource URIs
 * are prefixed `mcp://<server>/<upstream uri>` (templates alike): reversible without any state,
 * so a read routes to its server even when two servers expose the same URI, and in stateless
 * mode a read need not follow a listing. Prompts are named `<server>-<prompt>` as tools are.
 */
import { ErrorCode, type GetPromptResult, type Prompt, type ReadResourceResult, type Resource, type ResourceTemplate } from "@modelcontextprotocol/sdk/types.js";
import type { RequestOptions } from "@modelcontextprotocol/sdk/shared/protocol.js";
import { McpAnswerError } from "./errors.ts";
import { toolNames } from "./names.ts";
import type { Upstream } from "./upstream.ts";

const PREFIX = "mcp://";

/** The gateway's URI for a server's resource URI (or URI template). */
export function gatewayUri(server: string, uri: string): string {
  return `${PREFIX}${server}/${uri}`;
}

/** The server and its own URI behind a gateway URI; undefined when it is not one. */
export function upstreamUri(uri: string): { server: string; uri: string } | undefined {
  if (!uri.startsWith(PREFIX)) return undefined;
  const slash = uri.indexOf("/", PREFIX.length);
  if (slash < 0) return undefined;
  return { server: uri.slice(PREFIX.length, slash), uri: uri.slice(slash + 1) };
}

/** Every server's items, one server down hiding only its own (logged). */
async function gather<T>(servers: Upstream[], what: string, list: (upstream: Upstream) => Promise<T[]>, logError: (message: string, error: unknown) => void): Promise<T[]> {
  const all = await Promise.all(
    servers.map((upstream) =>
      list(upstream).catch((error: unknown) => {
        logError(`MCP server '${upstream.name}' ${what}`, error);
        return [];
      }),
    ),
  );
  return all.flat();
}

export function listResources(servers: Upstream[], logError: (message: string, error: unknown) => void): Promise<Resource[]> {
  return gather(servers, "resources/list", async (upstream) => (await upstream.listResources()).map((resource) => ({ ...resource, uri: gatewayUri(upstream.name, resource.uri) })), logError);
}

export function listResourceTemplates(servers: Upstream[], logError: (message: string, error: unknown) => void): Promise<ResourceTemplate[]> {
  return gather(
    servers,
    "resources/templates/list",
    async (upstream) => (await upstream.listResourceTemplates()).map((template) => ({ ...template, uriTemplate: gatewayUri(upstream.name, template.uriTemplate) })),
    logError,
  );
}

/** A resources/read: routed by the URI's server part, the contents' URIs given back prefixed. */
export async function readResource(server: Upstream, uri: string, options: RequestOptions): Promise<ReadResourceResult> {
  const result = await server.readResource(uri, options);
  return { ...result, contents: result.contents.map((content) => ({ ...content, uri: gatewayUri(server.name, content.uri) })) };
}

/** A server's prompts named `<server>-<prompt>` (sanitised as tools are), with the map back to its own names. */
async function promptListing(upstream: Upstream): Promise<{ prompts: Prompt[]; names: Map<string, string> }> {
  const prompts = await upstream.listPrompts();
  const names = toolNames(upstream.name, prompts.map((prompt) => prompt.name));
  const byOriginal = new Map([...names].map(([name, original]) => [original, name]));
  return { prompts: prompts.map((prompt) => ({ ...prompt, name: byOriginal.get(prompt.name) as string })), names };
}

export function listPrompts(servers: Upstream[], logError: (message: string, error: unknown) => void): Promise<Prompt[]> {
  return gather(servers, "prompts/list", async (upstream) => (await promptListing(upstream)).prompts, logError);
}

/** A prompts/get of `name` (`<server>-<prompt>`) on its server; the server is listed afresh to map the name back (prompts are fetched rarely). */
export async function getPrompt(server: Upstream, name: string, args: Record<string, string> | undefined, options: RequestOptions): Promise<GetPromptResult> {
  const original = (await promptListing(server)).names.get(name);
  if (original === undefined) throw new McpAnswerError(ErrorCode.InvalidParams, `MCP server '${server.name}' has no prompt '${name.slice(server.name.length + 1)}'.`);
  return server.getPrompt(original, args, options);
}
