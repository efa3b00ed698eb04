import { GatewayError } from "../../canonical/errors.ts";
import type { ModelTable } from "../../router/models.ts";
import type { Caller } from "../../auth/caller.ts";
import { aliasedModel, listedModelAllowed, modelAllowed } from "../../auth/model-access.ts";
import { echo } from "../../canonical/echo.ts";

/** Every allow-list that applies to a caller (key, its team, its user, the team's organisation); empty when nothing restricts it. */
export function allowLists(caller: Caller): string[][] {
  if (caller.kind !== "key") return [];
  return [caller.key.models, caller.team?.models ?? [], caller.user?.models ?? [], caller.organization?.models ?? []].filter((list) => list.length > 0);
}

/**
 * `GET /v1/models`: the model names this gateway serves, in configuration order, narrowed to what
 * the caller's key may use. A key's exact models served through a pattern are listed too; its
 * aliases are not (they resolve, but LiteLLM lists only model names and its clients count them).
 */
export function listModels(models: ModelTable, created: number, caller: Caller): unknown {
  const lists = allowLists(caller);
  const ids: { id: string; ownedBy: string }[] = models.list().filter((m) => lists.every((list) => listedModelAllowed(list, m.id)));
  if (caller.kind === "key") {
    const seen = new Set(ids.map((m) => m.id));
    for (const name of caller.key.models) {
      if (name.endsWith("*") || seen.has(name)) continue;
      const resolved = models.resolve(name);
      if (!resolved || !lists.every((list) => modelAllowed(list, name))) continue;
      seen.add(name);
      ids.push({ id: name, ownedBy: resolved.deployment.provider.id });
    }
  }
  return { object: "list", data: ids.map((m) => ({ id: m.id, object: "model", created, owned_by: m.ownedBy })) };
}

/** `GET /v1/models/{model}`: 404 for models the caller may not use, as for models that do not exist. */
export function retrieveModel(models: ModelTable, id: string, created: number, caller: Caller): unknown {
  const target = caller.kind === "key" ? aliasedModel(caller.key.aliases, caller.team?.modelAliases, id) : id;
  const resolved = models.resolve(target);
  if (!resolved || !allowLists(caller).every((list) => modelAllowed(list, target))) {
    throw new GatewayError("caller.model_not_found", `The model '${echo(id)}' does not exist on this gateway.`, { param: "model" });
  }
  return { id, object: "model", created, owned_by: resolved.deployment.provider.id };
}
