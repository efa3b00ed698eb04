import { GatewayError } from "../../spec/errors.ts";
import type { ModelTable } from "../../router/models.ts";

/** `GET /v1/models`: every model name this gateway serves, in configuration order. */
export function listModels(models: ModelTable, created: number): unknown {
  return { object: "list", data: models.list().map((m) => ({ id: m.id, object: "model", created, owned_by: m.ownedBy })) };
}

/** `GET /v1/models/{model}`. */
export function retrieveModel(models: ModelTable, id: string, created: number): unknown {
  const resolved = models.resolve(id);
  if (!resolved) throw new GatewayError("caller.model_not_found", `The model '${id}' does not exist on this gateway.`, { param: "model" });
  return { id, object: "model", created, owned_by: resolved.deployment.provider.id };
}
