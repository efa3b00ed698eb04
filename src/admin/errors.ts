import { GatewayError } from "../canonical/errors.ts";
import { StoreConflict } from "../store/types.ts";

/** A 404 for a key, team or user that does not exist (OpenAI's not_found_error, code "not_found"). */
export function notFound(message: string, param?: string): GatewayError {
  return new GatewayError("caller.route_not_found", message, { wireCode: "not_found", ...(param ? { param } : {}) });
}

/** A 400 naming the field at fault. */
export function invalid(message: string, param?: string): GatewayError {
  return new GatewayError("caller.invalid_request", message, param ? { param } : {});
}

/** A write the store refused because of existing data (duplicate id, team still in use) becomes a 400 with its message. */
export function fromStoreConflict(error: unknown): unknown {
  if (error instanceof StoreConflict) return new GatewayError("caller.invalid_request", `${error.message[0]?.toUpperCase() ?? ""}${error.message.slice(1)}.`, { cause: error });
  return error;
}
