import type { ToolNameRule } from "../tool-names.ts";

/**
 * What OpenAI (and Azure OpenAI, and the compatible servers that copy its validation) accepts as a
 * function name, in `tools`, a named `tool_choice` and earlier `tool_calls`: 1-64 of `[a-zA-Z0-9_-]`.
 */
export const OPENAI_TOOL_NAMES: ToolNameRule = { pattern: /^[a-zA-Z0-9_-]{1,64}$/, character: /^[a-zA-Z0-9_-]$/, maxLength: 64 };
