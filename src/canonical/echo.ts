/**
 * The most characters of client input an error message repeats: enough for any real model name,
 * Bedrock ARN, route or field path, so a 1 MB model name does not make a 1 MB error.
 */
export const MAX_ECHO_CHARS = 200;

/**
 * Client input as an error message may quote it: whole when short, else its first
 * `MAX_ECHO_CHARS` characters, an ellipsis and the full length.
 */
export function echo(input: string): string {
  if (input.length <= MAX_ECHO_CHARS) return input;
  let end = MAX_ECHO_CHARS;
  // Never cut a surrogate pair in half.
  const last = input.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${input.slice(0, end)}… (${input.length} characters)`;
}
