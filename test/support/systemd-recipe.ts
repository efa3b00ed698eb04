/**
 * The README's systemd recipe, replayed without systemd: the README's install commands are read
 * from its "As a systemd service" block and carried out under a temp directory standing for `/`
 * (the config file and the env file it installs, the env lines it fills with `sed`), and the unit's
 * ExecStart, EnvironmentFile, Environment, WorkingDirectory and StateDirectory are read from
 * config/switchboard.service and applied as systemd would. The only substitutions: the binary path
 * (to `bun src/main.ts` or the built binary) and `/` (to the temp root), in the unit and the config.
 * Used by test/cli/systemd.test.ts and test/smoke/binary-smoke.ts.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { REPO_ROOT } from "./gateway-process.ts";

/** Where the unit installs the binary (ExecStart's first word). */
const UNIT_BINARY = "/usr/local/bin/switchboard";

/** The directives of a unit's [Service] section this replay honours. */
export interface ServiceUnit {
  execStart: string[];
  environmentFiles: { path: string; optional: boolean }[];
  environment: Record<string, string>;
  workingDirectory?: string;
  stateDirectory?: string;
}

/** Splits `A=1 "B=two words"` as systemd does for Environment= (quotes group, then are dropped). */
function words(text: string): string[] {
  return [...text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");
}

/** Reads the [Service] section of a unit file. */
export function parseUnit(text: string): ServiceUnit {
  const unit: ServiceUnit = { execStart: [], environmentFiles: [], environment: {} };
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    if (line.startsWith("[")) {
      section = line;
      continue;
    }
    if (section !== "[Service]") continue;
    const eq = line.indexOf("=");
    const [name, value] = [line.slice(0, eq).trim(), line.slice(eq + 1).trim()];
    if (name === "ExecStart") unit.execStart = words(value);
    else if (name === "EnvironmentFile") unit.environmentFiles.push(value.startsWith("-") ? { path: value.slice(1), optional: true } : { path: value, optional: false });
    else if (name === "Environment") for (const pair of words(value)) unit.environment[pair.slice(0, pair.indexOf("="))] = pair.slice(pair.indexOf("=") + 1);
    else if (name === "WorkingDirectory") unit.workingDirectory = value;
    else if (name === "StateDirectory") unit.stateDirectory = value;
  }
  return unit;
}

/** An EnvironmentFile as systemd reads it: KEY=VALUE lines, `#` comments, optional quotes. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    env[line.slice(0, eq).trim()] = line.slice(eq + 1).trim().replace(/^"(.*)"$|^'(.*)'$/, "$1$2");
  }
  return env;
}

/** What the README's recipe installs, read from its shell block. */
export interface Recipe {
  /** Repository file installed as /etc/switchboard/config.yaml. */
  config: string;
  /** Repository file installed as /etc/switchboard/env. */
  envTemplate: string;
  /** `sed -i "s/^NAME=.*\/NAME=VALUE/"` lines: the variables the README fills, and with what. */
  fills: [name: string, value: string][];
}

/** Reads the recipe from the README's "As a systemd service" section. */
export function readmeRecipe(readme: string): Recipe {
  const section = readme.slice(readme.indexOf("### As a systemd service"));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  const installed = (target: string) => new RegExp(`install -m \\d+ (\\S+) ${target.replace(/\//g, "\\/")}\\b`).exec(block)?.[1] ?? "";
  const fills = [...block.matchAll(/s\/\^([A-Z_]+)=\.\*\/\1=(.*?)\/"/g)].map((m) => [m[1] as string, m[2] as string] as [string, string]);
  return { config: installed("/etc/switchboard/config.yaml"), envTemplate: installed("/etc/switchboard/env"), fills };
}

/** A value as the README's shell would produce it: `$(openssl rand -hex 32)` runs; a provider key placeholder gets a fake key. */
function shellValue(value: string): string {
  if (value === "$(openssl rand -hex 32)") return randomBytes(32).toString("hex");
  return value.replace(/\.\.\.$/, "fake-provider-key");
}

/** The recipe carried out under `root`, ready to start. */
export interface InstalledService {
  /** The unit's command line with its binary replaced by `binary` and its paths under `root`. */
  argv: string[];
  /** The environment systemd would give the process (Environment= and the EnvironmentFile). */
  env: Record<string, string>;
  cwd: string;
  /** The data directory the service's config names, under `root`. */
  dataDir: string;
  /** The filled env file, as the service reads it. */
  envFile: Record<string, string>;
}

/**
 * Installs the README's recipe under `root` and resolves the unit. `extraEnvLines` are appended to
 * the installed env file (the template documents them as optional: e.g. SWITCHBOARD_PORT=0 so a
 * test never collides with a real port).
 */
export async function installService(root: string, binary: string[], extraEnvLines: string[] = []): Promise<InstalledService> {
  const readme = await readFile(join(REPO_ROOT, "README.md"), "utf8");
  const recipe = readmeRecipe(readme);
  if (!recipe.config || !recipe.envTemplate) throw new Error("the README's systemd recipe no longer installs a config and an env file");
  const under = (path: string) => join(root, path);
  const rebase = (text: string) => text.replaceAll("/etc/switchboard", under("/etc/switchboard")).replaceAll("/var/lib/switchboard", under("/var/lib/switchboard"));

  await mkdir(under("/etc/switchboard"), { recursive: true });
  await writeFile(under("/etc/switchboard/config.yaml"), rebase(await readFile(join(REPO_ROOT, recipe.config), "utf8")));
  let envText = await readFile(join(REPO_ROOT, recipe.envTemplate), "utf8");
  for (const [name, value] of recipe.fills) envText = envText.replace(new RegExp(`^${name}=.*$`, "m"), `${name}=${shellValue(value)}`);
  envText += extraEnvLines.map((line) => `${line}\n`).join("");
  await writeFile(under("/etc/switchboard/env"), envText, { mode: 0o600 });

  const unit = parseUnit(await readFile(join(REPO_ROOT, "config/switchboard.service"), "utf8"));
  if (unit.execStart[0] !== UNIT_BINARY) throw new Error(`the unit no longer runs ${UNIT_BINARY}: ${unit.execStart.join(" ")}`);
  if (unit.stateDirectory) await mkdir(under(`/var/lib/${unit.stateDirectory}`), { recursive: true });
  const env: Record<string, string> = { ...unit.environment };
  for (const file of unit.environmentFiles) {
    const text = await readFile(under(file.path), "utf8").catch(() => undefined);
    if (text === undefined && !file.optional) throw new Error(`EnvironmentFile ${file.path} is missing`);
    Object.assign(env, parseEnvFile(text ?? ""));
  }
  for (const [name, value] of Object.entries(env)) env[name] = rebase(value);
  const config = await readFile(under("/etc/switchboard/config.yaml"), "utf8");
  const dataDir = /^\s*data_dir:\s*(\S+)/m.exec(config)?.[1] ?? "";
  return {
    argv: [...binary, ...unit.execStart.slice(1).map(rebase)],
    env,
    cwd: unit.workingDirectory ? rebase(unit.workingDirectory) : root,
    dataDir,
    envFile: parseEnvFile(envText),
  };
}
