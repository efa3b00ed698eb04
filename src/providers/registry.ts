import { anthropic } from "./anthropic/index.ts";
import { azure } from "./azure/index.ts";
import { bedrock } from "./bedrock/index.ts";
import { gemini } from "./gemini/index.ts";
import { vertex } from "./vertex/index.ts";
import { PRESETS } from "./compat/presets.ts";
import { mock } from "./mock/index.ts";
import { openai, openAIWireProvider } from "./openai/index.ts";
import type { Provider } from "./types.ts";

/** Every provider the gateway knows: the only place provider names are listed. */
export const PROVIDERS: ReadonlyMap<string, Provider> = new Map(
  [openai, anthropic, gemini, vertex, bedrock, azure, mock, ...PRESETS.map(openAIWireProvider)].map((provider) => [provider.id, provider]),
);

/** Looks a provider up by its id (the part before the first `/` of a model string). */
export function findProvider(id: string): Provider | undefined {
  return PROVIDERS.get(id);
}
