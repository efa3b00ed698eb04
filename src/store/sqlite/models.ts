import { type Database, SQLiteError } from "bun:sqlite";
import { type ModelReplacement, type ModelStore, type NewModel, StoreConflict, type StoredModel } from "../types.ts";
import { type Bindings, nullable, objectOf } from "./columns.ts";

interface ModelRow {
  model_id: string;
  model_name: string;
  litellm_params: string;
  model_info: string;
  sealed_secrets: string | null;
  created_at: number;
  updated_at: number;
}

function modelFromRow(row: ModelRow): StoredModel {
  const model: StoredModel = {
    modelId: row.model_id,
    modelName: row.model_name,
    litellmParams: objectOf(row.litellm_params),
    modelInfo: objectOf(row.model_info),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.sealed_secrets !== null) model.sealedSecrets = row.sealed_secrets;
  return model;
}

function contentBindings(model: ModelReplacement): Bindings {
  return {
    model_name: model.modelName,
    litellm_params: JSON.stringify(model.litellmParams),
    model_info: JSON.stringify(model.modelInfo),
    sealed_secrets: nullable(model.sealedSecrets),
  };
}

const isUniqueViolation = (error: unknown) => error instanceof SQLiteError && error.code?.startsWith("SQLITE_CONSTRAINT") === true;

/** The ModelStore over `db`. */
export function sqliteModelStore(db: Database, now: () => number = Date.now): ModelStore {
  const insertRow = db.query<ModelRow, Bindings>(
    `INSERT INTO models (model_id, model_name, litellm_params, model_info, sealed_secrets, created_at, updated_at)
     VALUES ($model_id, $model_name, $litellm_params, $model_info, $sealed_secrets, $created_at, $updated_at) RETURNING *`,
  );
  const byId = db.query<ModelRow, Bindings>("SELECT * FROM models WHERE model_id = $model_id");
  const all = db.query<ModelRow, []>("SELECT * FROM models ORDER BY created_at, model_id");
  const replaceRow = db.query<ModelRow, Bindings>(
    `UPDATE models SET model_name = $model_name, litellm_params = $litellm_params, model_info = $model_info,
     sealed_secrets = $sealed_secrets, updated_at = $updated_at WHERE model_id = $model_id RETURNING *`,
  );
  const deleteRow = db.query<unknown, Bindings>("DELETE FROM models WHERE model_id = $model_id");
  const marker = db.query<{ value: number }, []>("SELECT value FROM meta WHERE name = 'models_version'");

  return {
    insert: async (model: NewModel) => {
      const at = now();
      try {
        const row = insertRow.get({ model_id: model.modelId, ...contentBindings(model), created_at: at, updated_at: at });
        if (!row) throw new Error("model insert returned no row");
        return modelFromRow(row);
      } catch (error) {
        if (isUniqueViolation(error)) throw new StoreConflict(`a model with id '${model.modelId}' already exists`);
        throw error;
      }
    },
    byId: async (modelId) => {
      const row = byId.get({ model_id: modelId });
      return row ? modelFromRow(row) : undefined;
    },
    all: async () => all.all().map(modelFromRow),
    replace: async (modelId, next) => {
      const row = replaceRow.get({ model_id: modelId, ...contentBindings(next), updated_at: now() });
      return row ? modelFromRow(row) : undefined;
    },
    delete: async (modelId) => deleteRow.run({ model_id: modelId }).changes === 1,
    changeMarker: async () => marker.get()?.value ?? 0,
  };
}
