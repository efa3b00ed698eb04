import { parseArgs } from "node:util";
import { parseDuration } from "../budgets/window.ts";
import { closest } from "../config/suggest.ts";

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

/** The flags each command takes, named as the messages name the command. */
const COMMAND_FLAGS: Record<string, readonly (keyof typeof OPTIONS)[]> = {
  "the server": ["config", ...SERVE_FLAGS.filter((flag) => flag !== "print"), "data-dir", "help", "version"],
  "switchboard config check": ["print", "help"],
  "switchboard keys create": [...KEYS_FLAGS, "data-dir", "config"],
  "switchboard keys list": ["team", "user", "json", "data-dir", "config"],
  "switchboard keys info": ["json", "data-dir", "config"],
  "switchboard keys revoke": ["json", "data-dir", "config"],
};
const COMMANDS = ["config check", "keys create", "keys list", "keys info", "keys revoke"];

/** The command `argv` is for, as COMMAND_FLAGS names it (read leniently, since strict parsing just failed). */
function commandOf(argv: string[]): string {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: false, options: OPTIONS });
  if (positionals[0] === "config") return "switchboard config check";
  if (positionals[0] === "keys") return `switchboard keys ${["list", "info", "revoke"].includes(positionals[1] ?? "") ? positionals[1] : "create"}`;
  return "the server";
}

const flagName = (flag: keyof typeof OPTIONS) => {
  const short = (OPTIONS[flag] as { short?: string }).short;
  return short ? `--${flag} (-${short})` : `--${flag}`;
};

/** "unknown option '--prot'; did you mean --port? the server takes: --config (-c), ...". */
function unknownOption(option: string, argv: string[]): UsageError {
  const command = commandOf(argv);
  const flags = COMMAND_FLAGS[command] ?? [];
  const guess = option.startsWith("--") ? closest(option.slice(2), flags) : undefined;
  return new UsageError(`unknown option '${option}'; ${guess ? `did you mean --${guess}? ` : ""}${command} takes: ${flags.map(flagName).join(", ")}; see switchboard --help`);
}

/** "unknown config command 'chek'; did you mean 'check'?" */
function unknownCommand(what: string, word: string, known: readonly string[], usage: string): UsageError {
  const guess = closest(word, known);
  return new UsageError(`unknown ${what} '${word}'; ${guess ? `did you mean '${guess}'? ` : ""}${usage}`);
}

/** Refuses flags that belong to another command. */
function refuseFlags(values: Values, flags: readonly (keyof Values)[], where: string): void {
  const given = flags.filter((flag) => values[flag] !== undefined);
  if (given.length > 0) throw new UsageError(`${given.map((f) => `--${f}`).join(", ")} cannot be used with ${where}; see switchboard --help`);
}

/** A non-negative decimal number, with an optional exponent (what `--max-budget` takes). */
const MONEY = /^\d+(?:\.\d*)?(?:[eE][+-]?\d+)?$|^\.\d+(?:[eE][+-]?\d+)?$/;

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
    // Any non-negative decimal, exponents included; finer than a nano-dollar is rounded up, as on the API.
    if (!MONEY.test(budget.trim()) || !Number.isFinite(Number(budget))) throw new UsageError(`--max-budget must be a non-negative number of US dollars such as 10, 2.50 or 2e-4, got '${budget}'`);
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
  throw action ? unknownCommand("keys command", action, ["create", "list", "info", "revoke"], KEYS_USAGE) : new UsageError(KEYS_USAGE);
}

/** Parses argv (without the executable and script) into a command. */
export function parseCommand(argv: string[], env: Record<string, string | undefined>): Command {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  } catch (error) {
    const unknown = (error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? /'([^']+)'/.exec((error as Error).message)?.[1] : undefined;
    if (unknown) throw unknownOption(unknown, argv);
    throw new UsageError(`${(error as Error).message}\nsee switchboard --help for usage`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  if (positionals[0] === "keys") return keysCommand(positionals.slice(1), values, env);
  refuseFlags(values, KEYS_FLAGS, positionals[0] === "config" ? "switchboard config check" : "the server (they are for switchboard keys)");
  if (positionals[0] === "config") {
    const usage = "usage: switchboard config check FILE [--print]";
    if (positionals[1] !== undefined && positionals[1] !== "check") throw unknownCommand("config command", positionals[1], ["check"], usage);
    if (!positionals[2]) throw new UsageError(usage);
    return { kind: "config-check", file: positionals[2], print: values.print === true };
  }
  if (positionals[0] !== undefined) {
    throw unknownCommand("command", positionals[0], ["config", "keys"], `commands: ${COMMANDS.join(", ")} (no command starts the gateway); see switchboard --help`);
  }
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
