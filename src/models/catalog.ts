/**
 * The live model table: the config file's deployments plus those added at run time (stored in the
 * store). A change rebuilds the table and swaps it in place, so the running router gains, loses or
 * changes deployments without a restart; changes made by another process on the same database are
 * picked up by polling the store's cheap change marker, as the account directory does.
 */
import type { Config } from "../config/schema.ts";
import type { PriceCatalogue } from "../pricing/catalogue.ts";
import { buildModelTable, type ExtraModel, type ModelTable } from "../router/models.ts";
import type { ModelStore, StoredModel } from "../store/types.ts";
import { mergeSecrets, readModel, type Dict, type LiteLLMModel, type ModelProblem } from "./litellm-model.ts";
import { ENCRYPTION_KEY_VARS, type SecretBox } from "./secret-box.ts";
import { SharedReload, watchMarker } from "../store/shared-reload.ts";

export interface CatalogDeps {
  /** The config as loaded (references resolved): its models stay read-only. */
  config: Config;
  /** What references resolve against (the process's environment and the file's environment_variables). */
  env: Record<string, string | undefined>;
  prices: PriceCatalogue;
  /** The table every route reads; replaced in place on each change. */
  table: ModelTable;
  store: ModelStore;
  /** Seals and opens literal secrets; absent when no encryption key is set. */
  secrets?: SecretBox;
  /** Where a stored model that cannot be served is reported (never holding a secret). */
  log: (message: string) => void;
}

/** A stored model in LiteLLM's form with its secrets opened (holds secrets: never answer or log it). */
export async function openedModel(model: StoredModel, secrets: SecretBox | undefined): Promise<LiteLLMModel> {
  let sealed: Dict | undefined;
  if (model.sealedSecrets !== undefined) {
    if (!secrets) throw new Error(`its secrets are encrypted and no encryption key is set; set ${ENCRYPTION_KEY_VARS.join(" or ")} to the key they were stored with`);
    sealed = JSON.parse(await secrets.open(model.sealedSecrets, model.modelId)) as Dict;
  }
  return { model_name: model.modelName, litellm_params: mergeSecrets(model.litellmParams, sealed), model_info: { ...model.modelInfo, id: model.modelId } };
}

export class ModelCatalog {
  /** Runtime models served now, by id. */
  private served = new Map<string, StoredModel>();
  /** Ids of the config's (and the built-in) deployments: taken, and read-only. */
  private readonly fixedIds: ReadonlySet<string>;
  private marker = -1;
  private stopWatching: (() => void) | undefined;
  private readonly reloads = new SharedReload(() => this.readAll());
  /** Problems already logged, so a poll that finds nothing new stays quiet. */
  private reported = new Set<string>();

  constructor(readonly deps: CatalogDeps) {
    this.fixedIds = new Set(buildModelTable(deps.config, deps.env, deps.prices).table.deployments().map((d) => d.id));
  }

  /** Whether `id` names a deployment of the config file (or a built-in one): read-only here. */
  isFixed(id: string): boolean {
    return this.fixedIds.has(id);
  }

  /** The stored model behind a served deployment id; undefined for the config's. */
  runtime(id: string): StoredModel | undefined {
    return this.served.get(id);
  }

  /**
   * Re-reads the stored models and swaps the table. Callers during a reload share one follow-up
   * that starts after it, so a caller that just wrote always gets a read that began after its write.
   */
  reload(): Promise<void> {
    return this.reloads.run();
  }

  private async readAll(): Promise<void> {
    const marker = await this.deps.store.changeMarker();
    const rows = await this.deps.store.all();
    const candidates: { row: StoredModel; extra: ExtraModel; relocate: (problem: string) => ModelProblem }[] = [];
    const problems: string[] = [];
    for (const row of rows) {
      const read = await this.read(row);
      if ("problems" in read) problems.push(describe(row, read.problems));
      else candidates.push({ row, extra: { entry: read.entry, path: "models[0]" }, relocate: read.relocate });
    }
    const built = buildModelTable(this.deps.config, this.deps.env, this.deps.prices, candidates.map((c) => c.extra));
    const served = new Map<string, StoredModel>();
    candidates.forEach(({ row, relocate }, index) => {
      const found = built.extraProblems[index] ?? [];
      if (found.length > 0) problems.push(describe(row, found.map(relocate)));
      else served.set(row.modelId, row);
    });
    this.deps.table.replaceWith(built.table);
    this.served = served;
    this.marker = marker;
    const now = new Set(problems);
    for (const problem of now) if (!this.reported.has(problem)) this.deps.log(problem);
    this.reported = now;
  }

  /** A stored model as a deployment entry, or why it cannot be served. */
  private async read(row: StoredModel): Promise<ReturnType<typeof readModel>> {
    if (this.fixedIds.has(row.modelId)) return { problems: [{ message: `its id is taken by a model of the config file` }] };
    let model: LiteLLMModel;
    try {
      model = await openedModel(row, this.deps.secrets);
    } catch (error) {
      return { problems: [{ message: error instanceof Error ? error.message : "its secrets cannot be read" }] };
    }
    return readModel(model, this.deps.env);
  }

  /** Polls for changes made elsewhere every `intervalMs`. Unref'd: it never keeps the process alive. */
  watch(intervalMs = 1_000, onError: (error: unknown) => void = () => {}): void {
    this.stop();
    this.stopWatching = watchMarker(() => this.deps.store.changeMarker(), () => this.marker, () => this.reload(), intervalMs, onError);
  }

  stop(): void {
    this.stopWatching?.();
    this.stopWatching = undefined;
  }
}

/** One log line about a stored model that is not served. */
function describe(row: StoredModel, problems: readonly ModelProblem[]): string {
  const what = problems.map((p) => (p.param ? `${p.param}: ${p.message}` : p.message)).join("; ");
  return `model ${row.modelId} (${row.modelName}), added at run time, is not served: ${what}`;
}

/** Opens the catalog: loads the stored models into `deps.table` once. */
export async function openModelCatalog(deps: CatalogDeps): Promise<ModelCatalog> {
  const catalog = new ModelCatalog(deps);
  await catalog.reload();
  return catalog;
}
