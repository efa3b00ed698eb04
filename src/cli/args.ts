import { parseArgs } from "node:util";

/** Command-line flags; each may also come from a SWITCHBOARD_* variable (flags win). */
export interface CliFlags {
  config?: string;
  model?: string;
  host?: string;
  port?: number;
  allowUnauthenticatedPublic: boolean;
  dropParams: boolean;
  accessLog: boolean;
  help: boolean;
  version: boolean;
}

export type Command = { kind: "serve"; flags: CliFlags } | { kind: "config-check"; file: string; print: boolean } | { kind: "help" } | { kind: "version" };

export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Parses argv (without the executable and script) into a command. */
export function parseCommand(argv: string[], env: Record<string, string | undefined>): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: "string", short: "c" },
        model: { type: "string", short: "m" },
        host: { type: "string" },
        port: { type: "string", short: "p" },
        "allow-unauthenticated-public": { type: "boolean" },
        "drop-params": { type: "boolean" },
        "access-log": { type: "boolean" },
        print: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nsee switchboard --help for usage`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
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
  return { kind: "serve", flags };
}
