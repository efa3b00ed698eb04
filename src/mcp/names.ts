/** What strict providers accept as a tool name (OpenAI, Anthropic, Gemini): LiteLLM sanitises to it too. */
export const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;
const MAX = 128;

/** `<server>-<tool>` with every other character turned into `_` and the length capped at 128. */
export function prefixedName(server: string, tool: string): string {
  return `${server}-${tool}`.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, MAX);
}

/**
 * The gateway's names for one server's tools, in the server's order: `<server>-<tool>`, sanitised.
 * Names that collide after sanitising get `_2`, `_3`, … (the first keeps the plain name), so each
 * name maps back to exactly one upstream tool.
 */
export function toolNames(server: string, tools: readonly string[]): Map<string, string> {
  const byName = new Map<string, string>();
  for (const tool of tools) {
    const base = prefixedName(server, tool);
    let name = base;
    for (let n = 2; byName.has(name); n++) name = `${base.slice(0, MAX - `_${n}`.length)}_${n}`;
    byName.set(name, tool);
  }
  return byName;
}
