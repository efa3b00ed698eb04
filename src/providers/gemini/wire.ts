/**
 * The slice of Google's Gemini API wire format (Generative Language API v1beta, also spoken by
 * Vertex AI's Gemini endpoints) the translators build and read.
 */

/** One piece of a turn. Exactly one of the data fields is set; `thoughtSignature` may ride on any of them. */
export interface GeminiPart {
  text?: string;
  /** A thought summary (only with `thinkingConfig.includeThoughts`). */
  thought?: boolean;
  /** Opaque, base64: must come back on the same part in the next request (Gemini 3 enforces it for function calls). */
  thoughtSignature?: string;
  inlineData?: { mimeType: string; data: string };
  fileData?: { mimeType?: string; fileUri: string };
  functionCall?: { id?: string; name: string; args?: Record<string, unknown> };
  functionResponse?: { id?: string; name: string; response: Record<string, unknown> };
  [other: string]: unknown;
}

/** A turn: `user` (also carries function responses) or `model`. */
export interface GeminiContent {
  role: "user" | "model";
  parts: GeminiPart[];
}

/** A client function the model may call; `parametersJsonSchema` takes full JSON Schema (unlike `parameters`). */
export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  parametersJsonSchema?: Record<string, unknown>;
}

/** `toolConfig.functionCallingConfig`. */
export interface GeminiFunctionCallingConfig {
  mode: "AUTO" | "ANY" | "NONE";
  allowedFunctionNames?: string[];
}

/** `generationConfig.thinkingConfig`: a budget (2.5 and later) or a level (Gemini 3), never both. */
export interface GeminiThinkingConfig {
  thinkingBudget?: number;
  thinkingLevel?: "minimal" | "low" | "medium" | "high";
  includeThoughts?: boolean;
}

/** `generationConfig`. */
export interface GeminiGenerationConfig {
  temperature?: number;
  topP?: number;
  topK?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseMimeType?: string;
  responseJsonSchema?: Record<string, unknown>;
  thinkingConfig?: GeminiThinkingConfig;
}

/** The generateContent / streamGenerateContent request body. */
export interface GeminiRequestBody {
  contents: GeminiContent[];
  systemInstruction?: { parts: { text: string }[] };
  tools?: Record<string, unknown>[];
  toolConfig?: { functionCallingConfig: GeminiFunctionCallingConfig };
  generationConfig?: GeminiGenerationConfig;
  safetySettings?: unknown;
  cachedContent?: string;
  [extra: string]: unknown;
}

/** Per-modality token counts (`promptTokensDetails`, `candidatesTokensDetails`). */
export interface GeminiModalityCount {
  modality?: string;
  tokenCount?: number;
}

/** `usageMetadata`: `promptTokenCount` includes cached tokens; `candidatesTokenCount` excludes thoughts. */
export interface GeminiUsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  totalTokenCount?: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
  promptTokensDetails?: GeminiModalityCount[];
  candidatesTokensDetails?: GeminiModalityCount[];
  [other: string]: unknown;
}

/** One candidate answer. */
export interface GeminiCandidate {
  content?: { role?: string; parts?: GeminiPart[] };
  finishReason?: string;
  finishMessage?: string;
  index?: number;
  safetyRatings?: unknown;
  [other: string]: unknown;
}

/** A complete answer, and (cumulative usage, partial content) each streamed chunk. */
export interface GeminiResponse {
  candidates?: GeminiCandidate[];
  promptFeedback?: { blockReason?: string; safetyRatings?: unknown; [other: string]: unknown };
  usageMetadata?: GeminiUsageMetadata;
  modelVersion?: string;
  responseId?: string;
  error?: unknown;
}

