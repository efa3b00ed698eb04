/** Every provider the conformance suite drives, in the README matrix's column order. */
import type { ConformanceProvider } from "../contract.ts";
import { openaiConformance } from "./openai.ts";
import { azureConformance } from "./azure.ts";
import { anthropicConformance } from "./anthropic.ts";
import { vertexClaudeConformance } from "./vertex-claude.ts";
import { geminiConformance } from "./gemini.ts";
import { vertexGeminiConformance } from "./vertex-gemini.ts";
import { bedrockConformance } from "./bedrock.ts";

export const PROVIDERS: ConformanceProvider[] = [openaiConformance, azureConformance, anthropicConformance, vertexClaudeConformance, geminiConformance, vertexGeminiConformance, bedrockConformance];
