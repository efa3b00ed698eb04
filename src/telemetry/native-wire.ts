/**
 * The wire formats a traced body can be in. The client dialects' (`openai` chat completions,
 * `anthropic` Messages) and those only pass-through routes carry: OpenAI's Responses API, Gemini's
 * generateContent, Cohere's chat, Vertex AI's `:predict` (text embeddings), Bedrock's Converse and
 * InvokeModel. Usage readers (passthrough/usage.ts) and span readers (openinference-native.ts) are
 * keyed by it.
 */
export type NativeWire = "openai" | "anthropic" | "openai-responses" | "gemini" | "cohere" | "vertex-predict" | "bedrock-converse" | "bedrock-invoke";
