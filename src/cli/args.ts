import { parseArgs } from "node:util";
import { parseDuration } from "../budgets/window.ts";

/** Command-line flags; each may also come from a SWITCHBOARD_* variable (flags win). */
export interface CliFlags {
  config?: string;
  model?: string;
  host?: string;
  port?: number;
  /** `--data-dir`, or SWITCHBOARD_DATA_DIR; absent: the config's `store.data_dir`, else ./data (src/config/data-dir.ts). */
  dataDir?: string;
  allowUnauthenticatedPublic: boolean;
  dropParams: boolean;
  accessLog: boolean;
  help: boolean;
  version: boolean;
}

/** `switchboard keys create` settings, as the flags gave them. */
export interface KeyCreateOptions {
  alias?: string;
  models?: string[];
  /** US dollars. */
  maxBudget?: number;
  budgetDuration?: string;
  rpm?: number;
  tpm?: number;
  maxParallel?: number;
  duration?: string;
  team?: string;
  user?: string;
}

interface KeysBase {
  kind: "keys";
  /** `--data-dir` as given; the store's directory is resolved as the server's (src/config/data-dir.ts). */
  dataDir?: string;
  /** `--config` (or SWITCHBOARD_CONFIG): only its `store.data_dir` is read. */
  config?: string;
  /** Machine-readable output. */
  json: boolean;
}

/** `switchboard keys ...`: manage virtual keys in the store directly. */
export type KeysCommand =
  | (KeysBase & { action: "create"; options: KeyCreateOptions })
  | (KeysBase & { action: "list"; team?: string; user?: string })
  | (KeysBase & { action: "info" | "revoke"; key: string });

export type Command = { kind: "serve"; flags: CliFlags } | { kind: "config-check"; file: string; print: boolean } | KeysCommand | { kind: "help" } | { kind: "version" };

export class UsageError extends Error {
  override readonly name = "UsageError";
}

const OPTIONS = {
  config: { type: "string", short: "c" },
  model: { type: "string", short: "m" },
  host: { type: "string" },
  port: { type: "string", short: "p" },
  "data-dir": { type: "string" },
  "allow-unauthenticated-public": { type: "boolean" },
  "drop-params": { type: "boolean" },
  "access-log": { type: "boolean" },
  print: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
  // switchboard keys
  json: { type: "boolean" },
  alias: { type: "string" },
  models: { type: "string" },
  "max-budget": { type: "string" },
  "budget-duration": { type: "string" },
  rpm: { type: "string" },
  tpm: { type: "string" },
  "max-parallel": { type: "string" },
  duration: { type: "string" },
  team: { type: "string" },
  user: { type: "string" },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>["values"];

const CREATE_FLAGS = ["alias", "models", "max-budget", "budget-duration", "rpm", "tpm", "max-parallel", "duration"] as const;
const KEYS_FLAGS = [...CREATE_FLAGS, "team", "user", "json"] as const;
const SERVE_FLAGS = ["model", "host", "port", "allow-unauthenticated-public", "drop-params", "access-log", "print"] as const;

const KEYS_USAGE = "usage: switchboard keys create|list|info KEY|revoke KEY [options]; see switchboard --help";

/** Refuses flags that belong to another command. */
function refuseFlags(values: Values, flags: readonly (keyof Values)[], where: string): void {
  const given = flags.filter((flag) => values[flag] !== undefined);
  if (given.length > 0) throw new UsageError(`${given.map((f) => `--${f}`).join(", ")} cannot be used with ${where}; see switchboard --help`);
}

function wholeNumber(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,15}$/.test(text)) throw new UsageError(`--${flag} must be a whole number, got '${text}'`);
  return Number(text);
}

function duration(flag: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!parseDuration(text)) throw new UsageError(`--${flag} must be a duration such as 30s, 15m, 1h, 30d or 1mo, got '${text}'`);
  return text.trim();
}

function createOptions(values: Values): KeyCreateOptions {
  const options: KeyCreateOptions = {};
  if (values.alias !== undefined) options.alias = values.alias;
  if (values.models !== undefined) options.models = values.models.split(",").map((m) => m.trim()).filter((m) => m !== "");
  const budget = values["max-budget"];
  if (budget !== undefined) {
    if (!/^\d+(\.\d+)?$/.test(budget)) throw new UsageError(`--max-budget must be US dollars such as 10 or 2.50, got '${budget}'`);
    options.maxBudget = Number(budget);
  }
  const numbers = { rpm: wholeNumber("rpm", values.rpm), tpm: wholeNumber("tpm", values.tpm), maxParallel: wholeNumber("max-parallel", values["max-parallel"]) };
  for (const [name, value] of Object.entries(numbers)) if (value !== undefined) options[name as "rpm" | "tpm" | "maxParallel"] = value;
  const budgetDuration = duration("budget-duration", values["budget-duration"]);
  if (budgetDuration) options.budgetDuration = budgetDuration;
  const expires = duration("duration", values.duration);
  if (expires) options.duration = expires;
  if (values.team !== undefined) options.team = values.team;
  if (values.user !== undefined) options.user = values.user;
  return options;
}

/** `switchboard keys <action> ...` */
function keysCommand(positionals: string[], values: Values, env: Record<string, string | undefined>): KeysCommand {
  refuseFlags(values, SERVE_FLAGS, "switchboard keys");
  const config = values.config ?? env.SWITCHBOARD_CONFIG;
  const base: KeysBase = { kind: "keys", json: values.json === true, ...(values["data-dir"] ? { dataDir: values["data-dir"] } : {}), ...(config ? { config } : {}) };
  const [action, target, ...extra] = positionals;
  if (action === "create" || action === "list") {
    if (target !== undefined) throw new UsageError(`switchboard keys ${action} takes no arguments, got '${[target, ...extra].join(" ")}'`);
    if (action === "create") return { ...base, action, options: createOptions(values) };
    refuseFlags(values, CREATE_FLAGS, "switchboard keys list");
    return { ...base, action, ...(values.team !== undefined ? { team: values.team } : {}), ...(values.user !== undefined ? { user: values.user } : {}) };
  }
  if (action === "info" || action === "revoke") {
    if (!target || extra.length > 0) throw new UsageError(`usage: switchboard keys ${action} KEY|TOKEN|ALIAS [--data-dir DIR | --config FILE]${action === "info" ? " [--json]" : ""}`);
    refuseFlags(values, [...CREATE_FLAGS, "team", "user"], `switchboard keys ${action}`);
    return { ...base, action, key: target };
  }
  throw new UsageError(action ? `unknown keys command '${action}'; ${KEYS_USAGE}` : KEYS_USAGE);
}

/** Parses argv (without the executable and script) into a command. */
export function parseCommand(argv: string[], env: Record<string, string | undefined>): Command {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nsee switchboard --help for usage`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  if (positionals[0] === "keys") return keysCommand(positionals.slice(1), values, env);
  refuseFlags(values, KEYS_FLAGS, positionals[0] === "config" ? "switchboard config check" : "the server (they are for switchboard keys)");
  if (positionals[0] === "config") {
    if (positionals[1] !== "check" || !positionals[2]) throw new UsageError("usage: switchboard config check FILE [--print]");
    return { kind: "config-check", file: positionals[2], print: values.print === true };
  }
  if (positionals.length > 0) throw new UsageError(`unknown command '${positionals.join(" ")}'; see switchboard --help`);
  const portText = values.port ?? env.SWITCHBOARD_PORT ?? env.PORT;
  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, got '${portText}'`);
  }
  const flags: CliFlags = {
    allowUnauthenticatedPublic: values["allow-unauthenticated-public"] === true || env.SWITCHBOARD_ALLOW_UNAUTHENTICATED_PUBLIC === "true",
    dropParams: values["drop-params"] === true,
    accessLog: values["access-log"] === true || env.SWITCHBOARD_ACCESS_LOG === "true",
    help: false,
    version: false,
  };
  const config = values.config ?? env.SWITCHBOARD_CONFIG;
  if (config) flags.config = config;
  const model = values.model ?? env.SWITCHBOARD_MODEL;
  if (model) flags.model = model;
  const host = values.host ?? env.SWITCHBOARD_HOST;
  if (host) flags.host = host;
  if (port !== undefined) flags.port = port;
  const dataDir = values["data-dir"] ?? env.SWITCHBOARD_DATA_DIR;
  if (dataDir) flags.dataDir = dataDir;
  return { kind: "serve", flags };
}
