/**
 * Models managed at run time, in LiteLLM's paths and shapes: `/model/new`, `/model/update`,
 * `PATCH /model/{model_id}/update`, `/model/delete` (master key), and `/model/info` (any caller; a
 * virtual key sees only the models it may use). The config file's models are listed but read-only.
 */
import type { Caller } from "../auth/caller.ts";
import { listedModelAllowed } from "../auth/model-access.ts";
import { echo } from "../canonical/echo.ts";
import { GatewayError } from "../canonical/errors.ts";
import { allowLists } from "../dialects/openai/models.ts";
import type { ModelCatalog } from "../models/catalog.ts";
import { addModel, deleteModel, updateModel, type ModelChange } from "../models/changes.ts";
import { modelInfoEntry, shownParams } from "../models/model-info.ts";
import type { ModelTable } from "../router/models.ts";
import type { RouteSpec } from "../server/route-spec.ts";
import { decodePathParam } from "../server/url.ts";
import { withWarnings } from "./unapplied-fields.ts";
import {
  DeletedModel,
  DeleteModelBody,
  ModelInfoQuery,
  ModelInfoResponse,
  NewModelBody,
  PatchModelBody,
  StoredModelObject,
  UpdateModelBody,
  type StoredModelJson,
} from "./model-schemas.ts";

export interface ModelRouteDeps {
  table: ModelTable;
  /** Absent when the gateway runs without a store: the write routes then answer why. */
  catalog?: ModelCatalog;
}

/** The stored model as answered: no secret, not even a reference. */
function modelJson({ model, warnings }: ModelChange): StoredModelJson {
  return withWarnings(
    {
      model_id: model.modelId,
      model_name: model.modelName,
      litellm_params: shownParams(model.litellmParams),
      model_info: { ...model.modelInfo, id: model.modelId, db_model: true },
      created_at: new Date(model.createdAt).toISOString(),
      updated_at: new Date(model.updatedAt).toISOString(),
    },
    warnings,
  );
}

/** The deployments `caller` may use, as `/v1/models` narrows them. */
function visibleTo(caller: Caller): (modelName: string) => boolean {
  const lists = allowLists(caller);
  return (name) => lists.every((list) => listedModelAllowed(list, name));
}

export function modelRoutes(deps: ModelRouteDeps): RouteSpec[] {
  const catalog = (): ModelCatalog => {
    if (deps.catalog) return deps.catalog;
    throw new GatewayError("caller.invalid_request", "Models managed at run time need the gateway's store, and this gateway runs without one.");
  };
  return [
    {
      method: "GET",
      paths: ["/model/info", "/v1/model/info"],
      summary: "Every deployment with its prices and limits (the config file's and those added at run time; never a secret); a virtual key sees only the models it may use",
      query: ModelInfoQuery,
      response: ModelInfoResponse,
      handle: ({ query, caller }) => {
        const visible = visibleTo(caller);
        const wanted = query.litellm_model_id;
        const deployments = deps.table.deployments().filter((d) => visible(d.modelName) && (wanted === undefined || d.id === wanted));
        if (wanted !== undefined && deployments.length === 0) {
          throw new GatewayError("caller.model_not_found", `No model with id '${echo(wanted)}' that this caller may use. GET /model/info lists them.`, { param: "litellm_model_id" });
        }
        return { data: deployments.map((d) => modelInfoEntry(d, deps.catalog?.runtime(d.id))) };
      },
    },
    {
      method: "POST",
      paths: ["/model/new"],
      summary: "Add a deployment in LiteLLM's form, served at once without a restart (literal secrets stored encrypted)",
      access: "admin",
      body: NewModelBody,
      response: StoredModelObject,
      handle: async ({ body }) => modelJson(await addModel(catalog(), body as NewModelBody)),
    },
    {
      method: "POST",
      paths: ["/model/update"],
      summary: "Change a deployment added at run time, named by model_info.id (config-file models are read-only)",
      access: "admin",
      body: UpdateModelBody,
      response: StoredModelObject,
      handle: async ({ body }) => {
        const patch = body as UpdateModelBody;
        return modelJson(await updateModel(catalog(), patch.model_info.id, patch));
      },
    },
    {
      method: "PATCH",
      paths: ["/model/:model_id/update"],
      summary: "Change a deployment added at run time: only the fields sent (config-file models are read-only)",
      access: "admin",
      body: PatchModelBody,
      response: StoredModelObject,
      handle: async ({ body, params }) => modelJson(await updateModel(catalog(), decodePathParam(params.model_id ?? ""), body as PatchModelBody)),
    },
    {
      method: "POST",
      paths: ["/model/delete"],
      summary: "Remove a deployment added at run time; it stops being served at once (config-file models are read-only)",
      access: "admin",
      body: DeleteModelBody,
      response: DeletedModel,
      handle: async ({ body }) => {
        const { id } = body as DeleteModelBody;
        await deleteModel(catalog(), id);
        return { message: `Model: ${id} deleted successfully` };
      },
    },
  ];
}
