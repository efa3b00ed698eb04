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
