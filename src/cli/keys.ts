/**
 * `switchboard keys create|list|info|revoke`: virtual keys managed in the store directly, with the
 * same operations as the management API (src/admin/keys.ts). A running gateway on the same data
 * directory notices within about a second (it polls the store's change marker). The data directory
 * is found as the server finds it (src/config/data-dir.ts), `--config FILE` included.
 */
import { checkBody } from "../admin/check.ts";
import { storeContext } from "../admin/context.ts";
import { fromStoreConflict, invalid, notFound } from "../admin/errors.ts";
import { deleteKeys, findKey, generateKey } from "../admin/keys.ts";
import { keyJson, type KeyJson } from "../admin/present.ts";
import { GenerateKeyBody } from "../admin/schemas.ts";
import { keyPatch } from "../admin/settings.ts";
import type { AdminContext } from "../admin/types.ts";
import { isToken, looksLikeVirtualKey } from "../auth/key-material.ts";
import { GatewayError } from "../canonical/errors.ts";
import { configuredDataDir, resolveDataDir } from "../config/data-dir.ts";
import { ConfigError } from "../config/errors.ts";
import { openStore } from "../store/open.ts";
import { usdToNano } from "../admin/money.ts";
import { formatUsd } from "../pricing/units.ts";
import type { KeyCreateOptions, KeysCommand } from "./args.ts";

/** Where output goes (the tests pass their own). */
export interface KeysIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const STD_IO: KeysIo = { out: (text) => console.log(text), err: (text) => console.error(text) };

/** The /key/generate body the create flags stand for. */
function generateBody(options: KeyCreateOptions): GenerateKeyBody {
  return {
    ...(options.alias !== undefined ? { key_alias: options.alias } : {}),
    ...(options.models !== undefined ? { models: options.models } : {}),
    ...(options.maxBudget !== undefined ? { max_budget: options.maxBudget } : {}),
    ...(options.budgetDuration !== undefined ? { budget_duration: options.budgetDuration } : {}),
    ...(options.rpm !== undefined ? { rpm_limit: options.rpm } : {}),
    ...(options.tpm !== undefined ? { tpm_limit: options.tpm } : {}),
    ...(options.maxParallel !== undefined ? { max_parallel_requests: options.maxParallel } : {}),
    ...(options.duration !== undefined ? { duration: options.duration } : {}),
    ...(options.team !== undefined ? { team_id: options.team } : {}),
    ...(options.user !== undefined ? { user_id: options.user } : {}),
  };
}

/** API field names back to the flags that set them, for error messages. */
const FLAG_OF: Record<string, string> = {
  key_alias: "--alias",
  models: "--models",
  max_budget: "--max-budget",
  budget_duration: "--budget-duration",
  rpm_limit: "--rpm",
  tpm_limit: "--tpm",
  max_parallel_requests: "--max-parallel",
  duration: "--duration",
  team_id: "--team",
  user_id: "--user",
};

/**
 * A key, its token, a unique prefix of a token (at least 8 hex digits, as `keys list` shows them), or
 * an alias that exactly one key has. An alias several keys share is refused, naming their tokens.
 */
async function resolveRef(ctx: AdminContext, ref: string): Promise<string> {
  if (isToken(ref) || looksLikeVirtualKey(ref)) return ref;
  const keys = await ctx.store.keys.all();
  const isPrefix = /^[0-9a-f]{8,63}$/.test(ref);
  if (isPrefix) {
    const matches = keys.filter((key) => key.token.startsWith(ref));
    if (matches.length > 1) throw invalid(`Token prefix ${ref} matches ${matches.length} keys; give more of it.`);
    if (matches[0]) return matches[0].token;
  }
  const aliased = keys.filter((key) => key.keyAlias === ref);
  if (aliased.length > 1) {
    const tokens = aliased.map((key) => key.token.slice(0, 12)).join(", ");
    throw invalid(`The alias '${ref}' is shared by ${aliased.length} keys (tokens ${tokens}); give the token, or a token prefix from keys list, instead.`);
  }
  if (aliased[0]) return aliased[0].token;
  throw notFound(`No key has the alias '${ref}'${isPrefix ? " or a token starting with it" : ""}; keys list shows aliases and tokens.`);
}

/** Dollars as an exact decimal (`$0.000000001`, not JavaScript's `$1e-9`). */
const usd = (dollars: number | null): string => (dollars === null ? "-" : `$${formatUsd(usdToNano(dollars))}`);
const orDash = (value: string | number | null): string => (value === null || value === "" ? "-" : String(value));

/** A key as `name: value` lines. */
function keyFields(key: KeyJson): string {
  const rows: [string, string][] = [
    ["token", key.token],
    ["name", key.key_name],
    ["alias", orDash(key.key_alias)],
    ["team", orDash(key.team_id)],
    ["user", orDash(key.user_id)],
    ["models", key.models.length > 0 ? key.models.join(", ") : "all"],
    ["aliases", Object.keys(key.aliases).length > 0 ? Object.entries(key.aliases).map(([a, m]) => `${a} -> ${m}`).join(", ") : "-"],
    ["budget", key.max_budget === null ? "none" : `${usd(key.max_budget)}${key.budget_duration ? ` per ${key.budget_duration}` : ""}`],
    ["spend", `$${key.spend_usd}${key.budget_duration ? ` this window (resets ${key.budget_reset_at}), $${key.total_spend_usd} in all` : ""}`],
    ["limits", `rpm ${orDash(key.rpm_limit)}, tpm ${orDash(key.tpm_limit)}, parallel ${orDash(key.max_parallel_requests)}`],
    ["expires", key.expires ?? "never"],
    ["blocked", key.blocked ? "yes" : "no"],
    ["created", key.created_at],
  ];
  return rows.map(([name, value]) => `${`${name}:`.padEnd(9)}${value}`).join("\n");
}

/** Keys as a table. */
function keyTable(keys: KeyJson[]): string {
  const header = ["TOKEN", "NAME", "ALIAS", "TEAM", "USER", "MODELS", "SPEND", "BUDGET", "EXPIRES", "BLOCKED"];
  const rows = keys.map((k) => [
    k.token.slice(0, 12),
    k.key_name,
    orDash(k.key_alias),
    orDash(k.team_id),
    orDash(k.user_id),
    k.models.length > 0 ? k.models.join(",") : "all",
    `$${k.spend_usd}`,
    k.max_budget === null ? "-" : `${usd(k.max_budget)}${k.budget_duration ? `/${k.budget_duration}` : ""}`,
    k.expires ?? "never",
    k.blocked ? "yes" : "no",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  return [header, ...rows].map((row) => row.map((cell, i) => cell.padEnd(widths[i] as number)).join("  ").trimEnd()).join("\n");
}

async function create(ctx: AdminContext, command: Extract<KeysCommand, { action: "create" }>, io: KeysIo): Promise<number> {
  let body: GenerateKeyBody;
  try {
    body = checkBody(GenerateKeyBody, generateBody(command.options));
    keyPatch(body, ctx.now());
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    const flag = error.details.param ? FLAG_OF[error.details.param.split(".")[0] as string] : undefined;
    io.err(`switchboard keys create: ${flag ? `${flag}: ` : ""}${error.message}`);
    return 2;
  }
  const { key, record } = await generateKey(ctx, body);
  const json = keyJson(ctx, record);
  if (command.json) {
    io.out(JSON.stringify({ key, ...json }, null, 2));
    return 0;
  }
  io.out(`key:     ${key}\n${keyFields(json)}\n\nThis is the only time the key is shown: store it now. Use the token to manage it.`);
  return 0;
}

/** Runs a `switchboard keys` command on the store in its data directory; the exit code (0 ok, 1 failure, 2 usage). */
export async function runKeysCommand(command: KeysCommand, env: Record<string, string | undefined>, io: KeysIo = STD_IO): Promise<number> {
  let dataDir: string;
  try {
    // The file is read only when it decides: a flag or the variable wins over it anyway.
    const fileDecides = command.config !== undefined && !command.dataDir && !env.SWITCHBOARD_DATA_DIR;
    dataDir = resolveDataDir(command.dataDir, env, fileDecides ? await configuredDataDir(command.config as string, env) : undefined);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`switchboard keys: ${error.message}`);
    return 2;
  }
  let store;
  try {
    store = await openStore({ dataDir });
  } catch (error) {
    io.err(`switchboard keys: cannot open the store in ${dataDir}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const ctx = storeContext(store);
  try {
    switch (command.action) {
      case "create":
        return await create(ctx, command, io);
      case "list": {
        const { keys } = await ctx.store.keys.list({ ...(command.team ? { teamId: command.team } : {}), ...(command.user ? { userId: command.user } : {}), limit: Number.MAX_SAFE_INTEGER, offset: 0 });
        const shown = keys.map((key) => keyJson(ctx, key));
        io.out(command.json ? JSON.stringify(shown, null, 2) : shown.length > 0 ? keyTable(shown) : `no keys in ${dataDir}`);
        return 0;
      }
      case "info": {
        const record = await findKey(ctx, await resolveRef(ctx, command.key));
        io.out(command.json ? JSON.stringify({ key: record.token, info: keyJson(ctx, record) }, null, 2) : keyFields(keyJson(ctx, record)));
        return 0;
      }
      case "revoke": {
        const record = await findKey(ctx, await resolveRef(ctx, command.key));
        await deleteKeys(ctx, [record.token]);
        io.out(command.json ? JSON.stringify({ deleted_keys: [record.token] }) : `revoked ${record.keyAlias ? `'${record.keyAlias}' ` : ""}${record.keyName} (token ${record.token}); its spend rows stay`);
        return 0;
      }
    }
  } catch (thrown) {
    const error = fromStoreConflict(thrown);
    io.err(`switchboard keys ${command.action}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await store.close();
  }
}
