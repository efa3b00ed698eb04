/** An inference-profile ARN's path, a cross-region prefix (`us.`, `eu.`, `global.`…) and Anthropic's vendor prefix. */
const CLAUDE_PREFIX = /^(?:arn:[^/]*\/)?(?:[a-z-]+\.)?anthropic\./;
/** Bedrock's model version suffix: `-v1:0`, `-v2`. */
const VERSION = /-v\d+(?::\d+)?$/;

/**
 * A Bedrock Claude model id as Anthropic's price rows name it:
 * `us.anthropic.claude-sonnet-4-5-20250929-v1:0` -> `claude-sonnet-4-5-20250929`. Other ids are
 * returned unchanged (and match no Anthropic row).
 */
export function claudeModelOf(model: string): string {
  return CLAUDE_PREFIX.test(model) ? model.replace(CLAUDE_PREFIX, "").replace(VERSION, "") : model;
}
