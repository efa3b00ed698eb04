/**
 * A model added at run time is a LiteLLM `model_list` entry (`model_name`, `litellm_params`,
 * `model_info`). It is read by the config loader itself, as a one-model LiteLLM config, so one rule
 * set decides what a deployment may be, whether it comes from the file or from `/model/new`.
 * This module also splits its literal secrets from the rest (only the rest is stored in clear) and
 * shows it without secrets.
 */
import { ConfigError } from "../config/errors.ts";
import { translatedParam } from "../config/litellm-models.ts";
import { loadConfigValue } from "../config/load.ts";
import { ModelEntrySchema, type ModelEntry } from "../config/schema.ts";
import { ENV_REF, isSecretAt } from "../config/secrets.ts";
import type { PathSegment } from "../config/paths.ts";

export type Dict = Record<string, unknown>;

/** A model in LiteLLM's form, as `/model/new` takes it and the store keeps it (secrets merged in). */
export interface LiteLLMModel {
  model_name: string;
  litellm_params: Dict;
  model_info: Dict;
}

/** A fault in a runtime model, at the path the caller wrote (`litellm_params.api_base`). */
export interface ModelProblem {
  /** Undefined when the fault is the model as a whole (a provider that needs an API key). */
  param?: string;
  message: string;
}

/** The one-model config's own prefix, which a caller of `/model/new` never wrote. */
const PREFIX = "model_list[0]";

/** `model_list[0].litellm_params.x: msg` -> { param: "litellm_params.x", message: "msg" }. */
export function modelProblem(problem: string): ModelProblem {
  if (!problem.startsWith(PREFIX)) return { message: problem };
  const rest = problem.slice(PREFIX.length);
  const colon = rest.indexOf(": ");
  const path = (colon < 0 ? "" : rest.slice(0, colon)).replace(/^\./, "").trim();
  const message = colon < 0 ? rest : rest.slice(colon + 2);
  return path && !path.startsWith("(") ? { param: path, message } : { message };
}

/** A read model: the deployment entry (references resolved: it holds secrets) and how to word its problems. */
export interface ReadModel {
  entry: ModelEntry;
  /** A problem found later (building the deployment), at the caller's path. */
  relocate(problem: string): ModelProblem;
}

/** Reads `model` as the config loader reads a LiteLLM model_list entry; references resolve against `env`. */
export function readModel(model: LiteLLMModel, env: Record<string, string | undefined>): ReadModel | { problems: ModelProblem[] } {
  try {
    const loaded = loadConfigValue({ model_list: [model] }, "model", env);
    const entry = loaded.config.models?.[0];
    if (!entry) return { problems: [{ message: "the model could not be read" }] };
    return { entry, relocate: (problem) => modelProblem(loaded.relocate(problem)) };
  } catch (error) {
    if (error instanceof ConfigError) return { problems: error.problems.map(modelProblem) };
    throw error;
  }
}

const isDict = (value: unknown): value is Dict => typeof value === "object" && value !== null && !Array.isArray(value);
const isReference = (value: unknown) => typeof value === "string" && ENV_REF.test(value.trim());

/** Whether the value at `path` of litellm_params is a secret: what the deployment field it becomes says (`api_key`, a credential header). */
function isSecretParam(path: readonly PathSegment[]): boolean {
  const [key, ...rest] = path;
  const field = typeof key === "string" ? translatedParam(key) : undefined;
  return field !== undefined && isSecretAt(ModelEntrySchema, [field, ...rest]);
}

/** A secret found in litellm_params, by its path (`litellm_params.api_key`). */
export interface FoundSecret {
  path: string;
}

/**
 * Splits litellm_params into what may be stored in clear (references included) and the literal
 * secrets (same shape), which must be sealed; `found` names each literal secret.
 */
export function splitSecrets(params: Dict): { open: Dict; secrets: Dict | undefined; found: FoundSecret[] } {
  const found: FoundSecret[] = [];
  const walk = (value: Dict, path: PathSegment[]): { open: Dict; secrets: Dict | undefined } => {
    const open: Dict = {};
    let secrets: Dict | undefined;
    for (const [key, item] of Object.entries(value)) {
      const here = [...path, key];
      if (isSecretParam(here)) {
        if (isReference(item) || item === null || item === undefined) open[key] = item;
        else {
          (secrets ??= {})[key] = item;
          found.push({ path: ["litellm_params", ...here].join(".") });
        }
      } else if (isDict(item) && translatedParam(String(here[0])) !== undefined) {
        const inner = walk(item, here);
        open[key] = inner.open;
        if (inner.secrets) (secrets ??= {})[key] = inner.secrets;
      } else open[key] = item;
    }
    return { open, secrets };
  };
  return { ...walk(params, []), found };
}

/** `open` with the sealed secrets laid back in (a header map merged key by key). */
export function mergeSecrets(open: Dict, secrets: Dict | undefined): Dict {
  if (!secrets) return open;
  const out: Dict = { ...open };
  for (const [key, value] of Object.entries(secrets)) {
    const current = out[key];
    out[key] = isDict(current) && isDict(value) ? mergeSecrets(current, value) : value;
  }
  return out;
}

/** litellm_params for an answer: every secret field left out, references too (as LiteLLM never returns an api_key). */
export function withoutSecrets(params: Dict, path: PathSegment[] = []): Dict {
  const out: Dict = {};
  for (const [key, value] of Object.entries(params)) {
    const here = [...path, key];
    if (isSecretParam(here)) continue;
    out[key] = isDict(value) && translatedParam(String(here[0])) !== undefined ? withoutSecrets(value, here) : value;
  }
  return out;
}
