import type { ToolCallPart } from "../canonical/chat.ts";
import type { GatewayError } from "../canonical/errors.ts";
import { echo } from "../canonical/echo.ts";
import { depthExceededAt, MAX_JSON_DEPTH } from "../json/depth.ts";

/**
 * A tool call's arguments (JSON text, as OpenAI carries them) as the object that providers taking
 * an `input` / `args` object want; blank text means no arguments. Nesting is bounded before
 * parsing, as for request bodies, since the object is serialised again into the upstream body.
 * `invalid` words the 400 for the message at fault.
 */
export function toolArgumentsObject(part: ToolCallPart, invalid: (message: string) => GatewayError): Record<string, unknown> {
  if (part.arguments.trim() === "") return {};
  const which = `the arguments of tool call '${echo(part.id)}' (${echo(part.name)})`;
  if (depthExceededAt(part.arguments) !== -1) throw invalid(`${which} nest more than ${MAX_JSON_DEPTH} levels deep; the gateway accepts at most ${MAX_JSON_DEPTH} levels.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(part.arguments);
  } catch {
    throw invalid(`${which} are not valid JSON.`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw invalid(`${which} must be a JSON object.`);
  return parsed as Record<string, unknown>;
}
