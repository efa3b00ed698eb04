import { usdToNano } from "../admin/money.ts";
import type { McpServerEntry } from "../config/schema.ts";

/** What one call of a server's tool costs the caller, in nano-dollars. */
export interface ToolPrices {
  of(tool: string): number;
}

/**
 * A server's prices from its config (dollars, converted exactly): `tool_prices` by the server's
 * own tool name, else `price_per_call`, else 0. A tool without a price is free and known to be
 * (its rows cost 0), never "cost unknown": a tool call uses no tokens that a price could be missing for.
 */
export function toolPrices(entry: McpServerEntry): ToolPrices {
  const perCall = entry.price_per_call === undefined ? 0 : usdToNano(entry.price_per_call, "price_per_call");
  const tools = new Map(Object.entries(entry.tool_prices ?? {}).map(([tool, usd]) => [tool, usdToNano(usd, "tool_prices")]));
  return { of: (tool) => tools.get(tool) ?? perCall };
}
