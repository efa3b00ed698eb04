/** A config that cannot be used; `problems` lists every fault with its path, not just the first. */
export class ConfigError extends Error {
  override readonly name: string = "ConfigError";
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source}: ${problems.length} problem${problems.length === 1 ? "" : "s"}\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/** A config file that cannot be parsed: the message reads `FILE:LINE:COLUMN: what`, as compilers write it. */
export class ConfigSyntaxError extends ConfigError {
  override readonly name = "ConfigSyntaxError";
  constructor(
    source: string,
    readonly line: number,
    readonly column: number,
    description: string,
  ) {
    super(source, [`${line}:${column}: ${description}`]);
    this.message = `${source}:${line}:${column}: ${description}`;
  }
}
