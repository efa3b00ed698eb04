import type { Unpriced } from "./models.ts";

/** The settings that price a deployment, as the messages name them. */
export const PRICE_SETTINGS = "`price: { input, output }` (US dollars per million tokens) on the deployment, or LiteLLM's `input_cost_per_token` / `output_cost_per_token`";

/** The start-up and `config check` warning for a deployment without a price: what happens, and what fixes it. */
export function unpricedWarning({ deployment, model }: Unpriced): string {
  return (
    `deployment '${deployment.id}' (${deployment.provider.id}/${model}) has no price: its calls are served, ` +
    `their spend rows say the cost is unknown, and keys with a budget are refused. Set ${PRICE_SETTINGS}.`
  );
}
