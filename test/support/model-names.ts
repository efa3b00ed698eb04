/** Model names for the tests of upstream URL building (test/providers/model-id.test.ts, upstream-paths.test.ts, test/integration/model-paths.test.ts). */

/** Names no provider has, each of which could move an upstream URL off its path once normalised or decoded. */
export const HOSTILE = [
  "x/../../upload/v1beta/files?x=",
  "a#b",
  "..%2f..",
  "a\u0000b",
  "..",
  ".",
  "x/..",
  "../x",
  "x/./y",
  "a?b",
  "a\\b",
  "..\\..\\x",
  "%2e%2e",
  "a%00b",
  "a%3fb",
  "a%23b",
  "a%252e%252e",
  "a\nb",
  "a\rb",
  "a\tb",
  "a\u007fb",
  "a\u0085b",
  "",
  "   ",
] as const;

/** Real model ids of the providers, with their odd characters. */
export const LEGITIMATE = [
  "gemini-2.5-flash",
  "models/gemini-2.5-flash",
  "tunedModels/my-tune-abc123",
  "claude-sonnet-4-5@20250929",
  "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
  "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
  "meta-llama/Llama-3.3-70B-Instruct-Turbo",
  "ft:gpt-4o-mini-2024-07-18:acme:custom:9xYz",
  "llama3.1:8b",
  "a..b",
  "my deployment",
  "100%",
  "gpt-4o",
] as const;
