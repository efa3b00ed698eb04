import type { ToolNameRule } from "../tool-names.ts";

/** What Anthropic accepts as a custom tool's name: 1-128 of `[a-zA-Z0-9_-]`. */
export const ANTHROPIC_TOOL_NAMES: ToolNameRule = { pattern: /^[a-zA-Z0-9_-]{1,128}$/, character: /^[a-zA-Z0-9_-]$/, maxLength: 128 };
