import { weakMasterKeyReason } from "../auth/master-key.ts";
import type { CliFlags } from "../cli/args.ts";
import type { Config } from "./schema.ts";
import type { AccessLogLevel } from "../telemetry/access-log.ts";

/** Effective server settings after flags, environment, config file and defaults (in that order). */
export interface RuntimeSettings {
  host: string;
  port: number;
  maxBodyBytes: number;
  graceMs: number;
  idleTimeoutSeconds: number;
  allowUnauthenticatedPublic: boolean;
  accessLog: boolean;
  accessLogLevel: AccessLogLevel;
  metrics: boolean;
  dropParams: boolean;
  masterKey?: string;
}

export const DEFAULT_PORT = 4000;
export const DEFAULT_HOST = "127.0.0.1";

/** Merges flags, environment and config into the settings the server runs with. */
export function runtimeSettings(config: Config, flags: CliFlags, env: Record<string, string | undefined>): RuntimeSettings {
  const server = config.server ?? {};
  const settings: RuntimeSettings = {
    host: flags.host ?? server.host ?? DEFAULT_HOST,
    port: flags.port ?? server.port ?? DEFAULT_PORT,
    maxBodyBytes: Math.floor((server.max_request_body_mb ?? 32) * 1024 * 1024),
    graceMs: (server.shutdown_grace_seconds ?? 30) * 1000,
    idleTimeoutSeconds: server.idle_timeout_seconds ?? 30,
    allowUnauthenticatedPublic: flags.allowUnauthenticatedPublic || server.allow_unauthenticated_public === true,
    accessLog: flags.accessLog || server.access_log === true,
    accessLogLevel: server.access_log_level ?? "info",
    metrics: server.metrics !== false,
    dropParams: flags.dropParams || config.settings?.drop_params === true,
  };
  const masterKey = env.SWITCHBOARD_MASTER_KEY || config.auth?.master_key;
  if (masterKey) settings.masterKey = masterKey;
  return settings;
}

/** Adds the `--model` deployment: served under its full name and its bare model name, nothing else by default. */
export function withCliModel(config: Config, model: string | undefined): Config {
  if (!model) return config;
  const bare = model.slice(model.indexOf("/") + 1);
  const entry = { model_name: model, model, ...(bare !== model ? { aliases: [bare] } : {}) };
  return {
    ...config,
    models: [...(config.models ?? []), entry],
    settings: { mock_models: false, env_provider_models: false, ...config.settings },
  };
}

/** What start-up and `config check` say about the master key. */
export interface MasterKeyNotes {
  /** The file's key is not the one used (SWITCHBOARD_MASTER_KEY is set and wins). */
  warnings: string[];
  /** Why the key that would be used is refused, naming where it comes from; undefined when it is acceptable or absent. */
  weak?: string;
}

/**
 * The key that is used is SWITCHBOARD_MASTER_KEY, else the file's (auth.master_key, LiteLLM's
 * general_settings.master_key). A file key the environment overrides is never used, so it is only
 * named in a warning, weak or not (LiteLLM's example files carry `sk-1234`); a weak key that would be
 * used is refused. `fileKeyPath` is where the user wrote the file's key.
 */
export function masterKeyNotes(config: Config, env: Record<string, string | undefined>, fileKeyPath: string): MasterKeyNotes {
  const fromEnv = env.SWITCHBOARD_MASTER_KEY;
  const fromFile = config.auth?.master_key;
  const notes: MasterKeyNotes = { warnings: [] };
  if (fromEnv && fromFile && fromEnv !== fromFile) {
    const weakFile = weakMasterKeyReason(fromFile);
    notes.warnings.push(`${fileKeyPath}: not used: SWITCHBOARD_MASTER_KEY is set and wins${weakFile ? ` (the file's key is weak: ${weakFile})` : ""}`);
  }
  const used = fromEnv || fromFile;
  const weak = used ? weakMasterKeyReason(used) : undefined;
  if (weak) notes.weak = `the master key is weak (${weak}; it comes from ${fromEnv ? "SWITCHBOARD_MASTER_KEY" : fileKeyPath})`;
  return notes;
}

/** Where the user wrote the file's master key: `auth.master_key`, or `general_settings.master_key` in a LiteLLM file. */
export function masterKeyPath(loaded: { relocate(problem: string): string }): string {
  const located = loaded.relocate("auth.master_key: -");
  return located.slice(0, located.lastIndexOf(": -"));
}
