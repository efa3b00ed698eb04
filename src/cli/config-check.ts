import { redactConfig } from "../config/env-refs.ts";
import { loadConfigFile } from "../config/load.ts";
import { masterKeyNotes, masterKeyPath } from "../config/runtime.ts";
import { buildModelTable } from "../router/models.ts";
import { ConfigError } from "../config/errors.ts";
import { loadPrices, pricesFileOf } from "../pricing/load.ts";
import { priceReport } from "./price-report.ts";

/** `switchboard config check FILE`: validates and reports; returns the exit code. */
export async function configCheck(file: string, print: boolean, env: Record<string, string | undefined>): Promise<number> {
  try {
    const loaded = await loadConfigFile(file, env);
    const prices = await loadPrices(pricesFileOf(loaded.config, loaded.env)).catch((error: Error) => {
      throw new ConfigError(file, [`pricing.file: ${error.message}`]);
    });
    const { table, problems } = buildModelTable(loaded.config, loaded.env, prices);
    if (problems.length > 0) throw new ConfigError(file, problems.map(loaded.relocate));
    const report = priceReport(table, prices);
    const keyNotes = masterKeyNotes(loaded.config, loaded.env, masterKeyPath(loaded));
    const keyWarnings = [...keyNotes.warnings, ...(keyNotes.weak ? [`${keyNotes.weak}: the gateway refuses to start with it; set SWITCHBOARD_MASTER_KEY to a random value (openssl rand -base64 32)`] : [])];
    for (const warning of [...loaded.warnings, ...keyWarnings, ...report.warnings]) console.warn(`warning: ${warning}`);
    console.log(`${file}: ok (${loaded.format} format, ${table.list().length} model names)`);
    console.log(`prices (${prices.label}):\n${report.lines.map((line) => `  ${line}`).join("\n")}`);
    if (print) console.log(Bun.YAML.stringify(redactConfig(loaded.written), null, 2));
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}
