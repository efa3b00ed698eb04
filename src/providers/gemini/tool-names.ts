import type { ToolNameRule } from "../tool-names.ts";

/**
 * What Gemini accepts as a function name, on both the Gemini API and Vertex AI: a letter or `_`
 * first, then letters, digits, `_`, `.` or `-`, at most 64 characters.
 */
export const GEMINI_FUNCTION_NAMES: ToolNameRule = { pattern: /^[a-zA-Z_][a-zA-Z0-9_.-]{0,63}$/, character: /^[a-zA-Z0-9_.-]$/, maxLength: 64, start: /^[a-zA-Z_]/ };
