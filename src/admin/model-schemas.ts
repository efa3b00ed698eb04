/**
 * Request and response schemas of `/model/*`, in LiteLLM's shapes. `litellm_params` and
 * `model_info` are LiteLLM's open mappings: their keys are judged by the config loader's own rules
 * (a misspelt key is a 400 naming it, a LiteLLM key Switchboard does not apply is a warning).
 */
import { Type, type Static, type TSchema } from "@sinclair/typebox";
import { WarningsProperty } from "./unapplied-fields.ts";

const strict = { additionalProperties: false } as const;
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Time = Type.String({ format: "date-time" });
const Mapping = (description: string) => Type.Record(Type.String(), Type.Unknown(), { description });

const LitellmParams = Type.Object(
  {
    model: Type.String({ minLength: 1, description: "<provider>/<upstream model>, as in a config file's model_list (openai/gpt-4o, azure/my-deployment)." }),
    api_key: Type.Optional(
      Type.String({ description: 'A reference, "os.environ/NAME", is stored as written; a literal key is stored encrypted (needs SWITCHBOARD_ENCRYPTION_KEY or LITELLM_SALT_KEY).' }),
    ),
  },
  { additionalProperties: true, description: "LiteLLM's litellm_params, read by the same rules as a config file's." },
);
const ModelName = Type.String({
  minLength: 1,
  maxLength: 256,
  pattern: "^[^\\u0000-\\u001f\\u007f]+$",
  errorMessage: "expected a model name without control characters",
  description: "The name clients call (may end in * for a family).",
});
const ModelInfo = Mapping("LiteLLM's model_info: id, prices and token limits are applied; other keys are kept and shown by /model/info.");

export const NewModelBody = Type.Object(
  { model_name: ModelName, litellm_params: LitellmParams, model_info: Type.Optional(nullable(ModelInfo)) },
  strict,
);
export type NewModelBody = Static<typeof NewModelBody>;

const patchFields = {
  model_name: Type.Optional(nullable(ModelName)),
  litellm_params: Type.Optional(nullable(Mapping("The fields to set; a field set to null is removed, the others stay as they are."))),
};

/** `POST /model/update`: LiteLLM names the model by `model_info.id`. */
export const UpdateModelBody = Type.Object(
  { ...patchFields, model_info: Type.Object({ id: Type.String({ minLength: 1, description: "The model's id (GET /model/info)." }) }, { additionalProperties: true }) },
  strict,
);
export type UpdateModelBody = Static<typeof UpdateModelBody>;

/** `PATCH /model/{model_id}/update`. */
export const PatchModelBody = Type.Object({ ...patchFields, model_info: Type.Optional(nullable(ModelInfo)) }, strict);
export type PatchModelBody = Static<typeof PatchModelBody>;

export const DeleteModelBody = Type.Object({ id: Type.String({ minLength: 1, description: "The model's id (model_info.id)." }) }, strict);
export type DeleteModelBody = Static<typeof DeleteModelBody>;

export const ModelInfoQuery = Type.Object({ litellm_model_id: Type.Optional(Type.String({ minLength: 1, description: "Only this deployment (its model_info.id)." })) });

/** A model added at run time, as stored (never a secret). */
export const StoredModelObject = Type.Object({
  model_id: Type.String(),
  model_name: Type.String(),
  litellm_params: Mapping("Without secrets: api_key and credential headers are never returned."),
  model_info: Mapping("As given, with id and db_model."),
  created_at: Time,
  updated_at: Time,
  ...WarningsProperty,
});
export type StoredModelJson = Static<typeof StoredModelObject>;

export const DeletedModel = Type.Object({ message: Type.String() });

const ModelInfoEntry = Type.Object({
  model_name: Type.String(),
  litellm_params: Mapping("Without secrets."),
  model_info: Type.Object(
    {
      id: Type.String({ description: "The deployment id (x-switchboard-model-id)." }),
      db_model: Type.Boolean({ description: "true: added at run time (/model/new); false: from the config file." }),
      mode: nullable(Type.String()),
      input_cost_per_token: nullable(Type.Number({ description: "US dollars." })),
      output_cost_per_token: nullable(Type.Number({ description: "US dollars." })),
      max_tokens: nullable(Type.Integer()),
    },
    { additionalProperties: true },
  ),
});
export const ModelInfoResponse = Type.Object({ data: Type.Array(ModelInfoEntry) });
export type ModelInfoJson = Static<typeof ModelInfoResponse>;
