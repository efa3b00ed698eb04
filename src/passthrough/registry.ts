import { anthropicPassthrough } from "./providers/anthropic.ts";
import { azurePassthrough } from "./providers/azure.ts";
import { bedrockPassthrough } from "./providers/bedrock.ts";
import { coherePassthrough } from "./providers/cohere.ts";
import { geminiPassthrough } from "./providers/gemini.ts";
import { mistralPassthrough } from "./providers/mistral.ts";
import { openaiPassthrough } from "./providers/openai.ts";
import { vertexPassthrough } from "./providers/vertex.ts";
import type { PassthroughProvider } from "./types.ts";

/** Every pass-through route the gateway serves, `/<id>/*` each: the only list of them. */
export const PASSTHROUGH_PROVIDERS: readonly PassthroughProvider[] = [anthropicPassthrough, openaiPassthrough, azurePassthrough, geminiPassthrough, vertexPassthrough, coherePassthrough, mistralPassthrough, bedrockPassthrough];
