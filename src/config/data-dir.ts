import { resolveEnvRefs } from "./env-refs.ts";
import { ConfigError } from "./errors.ts";
import { parseConfigText } from "./load.ts";
import { formatPath } from "./paths.ts";

/** The data directory when nothing names one. */
export const DEFAULT_DATA_DIR = "./data";

/**
 * Where the store lives, for the server and `switchboard keys` alike: `--data-dir`, else
 * SWITCHBOARD_DATA_DIR, else the config's `store.data_dir`, else ./data. Flag, then variable, then
 * file, as for every other setting (host, port, master key).
 */
export function resolveDataDir(flag: string | undefined, env: Record<string, string | undefined>, configured: string | undefined): string {
  return flag || env.SWITCHBOARD_DATA_DIR || configured || DEFAULT_DATA_DIR;
}

/**
 * `store.data_dir` of a config file, for `switchboard keys --config FILE`: read alone, so the CLI
 * needs none of the provider secrets the rest of the file refers to. LiteLLM-format files have none.
 */
export async function configuredDataDir(path: string, env: Record<string, string | undefined>): Promise<string | undefined> {
  const file = Bun.file(path);
  if (!(await file.exists())) throw new ConfigError(path, ["file not found"]);
  const raw = parseConfigText(await file.text(), path);
  const store = typeof raw === "object" && raw !== null ? (raw as { store?: unknown }).store : undefined;
  const written = typeof store === "object" && store !== null ? (store as { data_dir?: unknown }).data_dir : undefined;
  if (written === undefined) return undefined;
  // Resolved as a part of the whole schema, so the reference rules are the server's.
  const { value, problems } = resolveEnvRefs({ store: { data_dir: written } }, env);
  if (problems.length > 0) throw new ConfigError(path, problems.map((p) => `${formatPath(p.path)}: ${p.message}`));
  const dataDir = (value as { store: { data_dir: unknown } }).store.data_dir;
  if (typeof dataDir !== "string" || dataDir === "") throw new ConfigError(path, ["store.data_dir: must be a directory path"]);
  return dataDir;
}
