import { toAnthropicErrorResponse } from "../../dialects/anthropic/errors.ts";
import { isRecord } from "../../json/is-record.ts";
import { anthropic } from "../../providers/anthropic/index.ts";
import type { PassthroughProvider } from "../types.ts";
import { bodyCall, credentialsOf, modelField, withoutSuffix } from "./common.ts";

/** The models each request of a Message Batch names (`requests[].params.model`). */
function batchModels(fields: Record<string, unknown> | undefined): string[] {
  const requests = Array.isArray(fields?.requests) ? fields.requests : [];
  const models: string[] = [];
  for (const request of requests) {
    const model = isRecord(request) && isRecord(request.params) ? modelField(request.params) : undefined;
    if (model !== undefined && !models.includes(model)) models.push(model);
  }
  return models;
}

/** Anthropic's API at `/anthropic/*` (the Anthropic SDK with `baseURL: <gateway>/anthropic`): `x-api-key`, every beta as sent. */
export const anthropicPassthrough: PassthroughProvider = {
  id: "anthropic",
  label: "Anthropic",
  credentials: credentialsOf(anthropic),
  rootOf: (base) => withoutSuffix(base, ["/v1"]),
  credentialHeaders: ({ target }): Record<string, string> => (target.apiKey ? { "x-api-key": target.apiKey } : {}),
  classify({ method, path, fields }) {
    if (method === "POST" && path === "v1/messages") return bodyCall("generate", fields, "anthropic");
    if (method === "POST" && path === "v1/messages/count_tokens") return { ...bodyCall("count", fields, "anthropic"), stream: false };
    // A batch runs later, upstream: its models are checked now; what it costs is not seen by the gateway.
    if (method === "POST" && path === "v1/messages/batches") {
      const models = batchModels(fields);
      return { kind: "other", stream: false, ...(models.length > 0 ? { bodyModels: models } : {}) };
    }
    return bodyCall("other", fields);
  },
  renderError: toAnthropicErrorResponse,
};
