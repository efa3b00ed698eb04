/**
 * Adding, changing and removing models at run time (`/model/new`, `/model/update`, `/model/delete`):
 * each change is checked exactly as a config entry would be (the same translation, references
 * resolved, the deployment built), literal secrets are sealed, the store is written, and the
 * catalog swaps the live table before the answer leaves.
 */
import { echo } from "../canonical/echo.ts";
import { GatewayError } from "../canonical/errors.ts";
import { isAppliedInfo, isAppliedParam } from "../config/litellm-models.ts";
import { buildModelTable } from "../router/models.ts";
import { type ModelReplacement, StoreConflict, type StoredModel } from "../store/types.ts";
import { type ModelCatalog, openedModel } from "./catalog.ts";
import { readModel, splitSecrets, type Dict, type LiteLLMModel, type ModelProblem } from "./litellm-model.ts";
import { ENCRYPTION_KEY_VARS, SecretBoxError } from "./secret-box.ts";

/** model_info fields LiteLLM acts on that Switchboard does not (teams' models, access groups, PTU billing…): named in `warnings`, not stored. */
const UNAPPLIED_INFO = new Set([
  "team_id", "team_public_model_name", "access_groups", "blocked", "discoverable", "access_windows", "ptu_count",
  "cost_per_ptu_per_hour", "ptu_effective_from", "ptu_effective_to", "allow_fail_open", "enable_tag_filtering",
  "internal_router_model", "member_auto_router", "tpm", "rpm", "disable_background_health_check", "health_check_model",
  "health_check_timeout", "health_check_max_tokens", "use_openai_responses_path", "base_model", "tier",
]);
/** model_info fields the server sets itself (an answer of /model/info sent back): left out without a word. */
const SERVER_INFO = new Set(["id", "db_model", "key", "litellm_provider", "created_at", "created_by", "updated_at", "updated_by"]);

/** What `/model/new` takes (the body schema checked the shape). */
export interface NewModelBody {
  model_name: string;
  litellm_params: Dict;
  model_info?: Dict | null;
}

/** What `/model/update` and `PATCH /model/{id}/update` take; `null` removes a field. */
export interface ModelPatch {
  model_name?: string | null;
  litellm_params?: Dict | null;
  model_info?: Dict | null;
}

/** What the store keeps of a model. */
type StoredContent = ModelReplacement;

export interface ModelChange {
  model: StoredModel;
  warnings: string[];
}

const MODEL_ID = /^[\x21-\x7e]{1,256}$/;

const invalid = (message: string, param?: string) => new GatewayError("caller.invalid_request", message, param ? { param } : {});

/** A 400 listing every problem, naming the first one's field. */
function refused(problems: readonly ModelProblem[]): GatewayError {
  const lines = problems.map((p) => (p.param ? `${p.param}: ${p.message}` : p.message)).join("; ");
  return invalid(`The model cannot be served: ${lines}${/[.?!]$/.test(lines) ? "" : "."}`, problems.find((p) => p.param)?.param);
}

/** Drops what is not applied from litellm_params and model_info, with a warning per field. */
function appliedOnly(model: LiteLLMModel): { model: LiteLLMModel; warnings: string[] } {
  const warnings: string[] = [];
  const unapplied = (field: string) => `'${field}' is accepted for LiteLLM compatibility but not applied by Switchboard.`;
  const params: Dict = {};
  for (const [key, value] of Object.entries(model.litellm_params)) {
    if (isAppliedParam(key)) params[key] = value;
    else warnings.push(unapplied(`litellm_params.${key}`));
  }
  const info: Dict = {};
  for (const [key, value] of Object.entries(model.model_info)) {
    if (SERVER_INFO.has(key)) continue;
    if (UNAPPLIED_INFO.has(key) && !isAppliedInfo(key)) warnings.push(unapplied(`model_info.${key}`));
    else info[key] = value;
  }
  return { model: { model_name: model.model_name, litellm_params: params, model_info: info }, warnings };
}

/** Sets `patch` over `current`: a field set to `null` is removed, anything else replaces it (no patch: no change, as in LiteLLM). */
function patched(current: Dict, patch: Dict | null | undefined): Dict {
  const out = { ...current };
  for (const [key, value] of Object.entries(patch ?? {})) {
    if (value === null) delete out[key];
    else out[key] = value;
  }
  return out;
}

/** The 400 for a write to a model of the config file, or the 404 for an id nobody has. */
function notStored(catalog: ModelCatalog, modelId: string, verb: string): GatewayError {
  if (catalog.isFixed(modelId)) {
    return invalid(
      `Model '${echo(modelId)}' comes from the config file (or is built in), which is read-only at run time: ${verb} it in the config file and restart, or add a model with POST /model/new and manage that one.`,
      "model_info.id",
    );
  }
  return new GatewayError("caller.route_not_found", `No model with id '${echo(modelId)}'. GET /model/info lists the models and their ids.`, { wireCode: "not_found", param: "model_info.id" });
}

/**
 * Checks `model` as the config loader would (and as a deployment would be built), then seals its
 * literal secrets: what the store keeps. Throws a 400 naming the field at fault.
 */
async function prepare(catalog: ModelCatalog, modelId: string, sent: LiteLLMModel): Promise<{ stored: StoredContent; warnings: string[] }> {
  const { deps } = catalog;
  // The model as sent is read, so a misspelt field is a 400 as in a config file; what is not applied is then left out.
  const { model, warnings } = appliedOnly(sent);
  const { open, secrets, found } = splitSecrets(model.litellm_params);
  const first = found[0];
  if (first && !deps.secrets) {
    throw invalid(
      `${first.path} is a literal secret; Switchboard stores secrets only encrypted. Set ${ENCRYPTION_KEY_VARS[0]} (or LiteLLM's ${ENCRYPTION_KEY_VARS[1]}) on the gateway to a random value, or send a reference: "os.environ/NAME".`,
      first.path,
    );
  }
  const read = readModel({ ...sent, model_info: { ...sent.model_info, id: modelId } }, deps.env);
  if ("problems" in read) throw refused(read.problems);
  const built = buildModelTable(deps.config, deps.env, deps.prices, [{ entry: read.entry, path: "models[0]" }]);
  const problems = built.extraProblems[0] ?? [];
  if (problems.length > 0) throw refused(problems.map(read.relocate));
  const content: StoredContent = { modelName: model.model_name, litellmParams: open, modelInfo: model.model_info };
  if (!secrets || !deps.secrets) return { stored: content, warnings };
  try {
    return { stored: { ...content, sealedSecrets: await deps.secrets.seal(JSON.stringify(secrets), modelId) }, warnings };
  } catch (error) {
    if (error instanceof SecretBoxError) throw invalid(`${first?.path ?? "litellm_params"} cannot be stored: ${error.message}.`, first?.path);
    throw error;
  }
}

/** `/model/new`: stores the model and serves it at once. */
export async function addModel(catalog: ModelCatalog, body: NewModelBody): Promise<ModelChange> {
  const info = body.model_info ?? {};
  const given = info.id;
  // The id travels in the x-switchboard-model-id header: visible ASCII only.
  if (given !== undefined && given !== null && ((typeof given !== "string" && typeof given !== "number") || !MODEL_ID.test(String(given)))) {
    throw invalid("model_info.id must be 1 to 256 visible ASCII characters (no spaces), e.g. a uuid; leave it out to get one.", "model_info.id");
  }
  const modelId = given === undefined || given === null ? crypto.randomUUID() : String(given);
  if (catalog.isFixed(modelId)) throw invalid(`Model id '${echo(modelId)}' is taken by a model of the config file (or a built-in one); choose another model_info.id or leave it out.`, "model_info.id");
  const { stored, warnings } = await prepare(catalog, modelId, { model_name: body.model_name, litellm_params: body.litellm_params, model_info: info });
  try {
    const inserted = await catalog.deps.store.insert({ modelId, ...stored });
    await catalog.reload();
    return { model: inserted, warnings };
  } catch (error) {
    if (error instanceof StoreConflict) throw invalid(`A model with id '${echo(modelId)}' already exists; choose another model_info.id or leave it out.`, "model_info.id");
    throw error;
  }
}

/** `/model/update`: changes a stored model (the fields sent; `null` removes one) and serves the result at once. */
export async function updateModel(catalog: ModelCatalog, modelId: string, patch: ModelPatch): Promise<ModelChange> {
  const current = await catalog.deps.store.byId(modelId);
  if (!current) throw notStored(catalog, modelId, "change");
  let opened: LiteLLMModel;
  try {
    opened = await openedModel(current, catalog.deps.secrets);
  } catch (error) {
    throw invalid(`Model '${echo(modelId)}' cannot be changed: ${error instanceof Error ? error.message : "its secrets cannot be read"}.`);
  }
  if (patch.model_name === null) throw invalid("model_name cannot be removed.", "model_name");
  const next: LiteLLMModel = {
    model_name: patch.model_name ?? opened.model_name,
    litellm_params: patched(opened.litellm_params, patch.litellm_params),
    model_info: patched(opened.model_info, patch.model_info),
  };
  const { stored, warnings } = await prepare(catalog, modelId, next);
  const replaced = await catalog.deps.store.replace(modelId, stored);
  if (!replaced) throw notStored(catalog, modelId, "change");
  await catalog.reload();
  return { model: replaced, warnings };
}

/** `/model/delete`: the model stops being served at once. */
export async function deleteModel(catalog: ModelCatalog, modelId: string): Promise<void> {
  if (!(await catalog.deps.store.delete(modelId))) throw notStored(catalog, modelId, "remove");
  await catalog.reload();
}
