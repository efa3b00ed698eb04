import { GatewayError } from "../spec/errors.ts";

interface ValueErrorLike {
  schema?: { anyOf?: { const?: unknown }[] };
  path?: string;
  message?: string;
  summary?: string;
  value?: unknown;
}

/** `/messages/0/role` -> `messages.0.role`, OpenAI's `param` style. */
export function pathToParam(path: string): string {
  return path.replace(/^\//, "").split("/").join(".");
}

/** Turns Elysia's (TypeBox) validation failure into a 400 that names the field and what it expected. */
export function validationError(error: { all?: ValueErrorLike[]; valueError?: ValueErrorLike }): GatewayError {
  const first = error.all?.[0] ?? error.valueError;
  const path = first?.path ?? "";
  const param = pathToParam(path);
  const choices = first?.schema?.anyOf?.map((s) => s.const).filter((c) => c !== undefined);
  const what = choices && choices.length > 0 ? `expected one of ${choices.map((c) => JSON.stringify(c)).join(", ")}` : (first?.message ?? "is invalid");
  if (!param) return new GatewayError("caller.invalid_request", `Invalid request body: ${what}.`);
  const missing = first?.value === undefined && /required|Expected/.test(what);
  const message = missing ? `Missing required field '${param}' (${what.toLowerCase()}).` : `Invalid value for '${param}': ${what.toLowerCase()}.`;
  return new GatewayError("caller.invalid_request", message, { param });
}
