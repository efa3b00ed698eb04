/** The OpenAI embeddings request fields every text-embedding provider reads alike. */
import { GatewayError } from "../canonical/errors.ts";
import { echo } from "../canonical/echo.ts";

const invalid = (message: string, param: string) => new GatewayError("caller.invalid_request", message, { param });

/** The texts of `input`: a string or a non-empty list of strings (token-id arrays cannot be sent to `label`). */
export function embeddingTexts(input: unknown, label: string): string[] {
  const texts = typeof input === "string" ? [input] : input;
  if (!Array.isArray(texts) || !texts.every((item) => typeof item === "string")) {
    throw invalid(`${label} embeds text: input must be a string or an array of strings (token-id arrays cannot be sent).`, "input");
  }
  if (texts.length === 0) throw invalid("input must hold at least one string.", "input");
  return texts;
}

/** Whether the client asked for base64 vectors (`encoding_format`; OpenAI's Python SDK does by default); anything but float or base64 is a 400. */
export function wantsBase64(format: unknown): boolean {
  if (format !== undefined && format !== null && format !== "float" && format !== "base64") {
    throw invalid(`encoding_format must be 'float' or 'base64', not ${echo(JSON.stringify(format) ?? "")}.`, "encoding_format");
  }
  return format === "base64";
}

/** `dimensions` when given: a positive whole number, else a 400. */
export function embeddingDimensions(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" && Number.isInteger(value) && value > 0) return value;
  throw invalid("dimensions must be a positive whole number.", "dimensions");
}

/** A vector in OpenAI's base64 form: little-endian float32 bytes. */
export function vectorAsBase64(values: number[]): string {
  return Buffer.from(new Float32Array(values).buffer).toString("base64");
}
