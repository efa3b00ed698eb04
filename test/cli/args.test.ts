import { describe, expect, test } from "bun:test";
import { parseCommand, UsageError } from "../../src/cli/args.ts";

/** The UsageError message parseCommand throws for `argv`. */
function usageError(argv: string[]): string {
  try {
    parseCommand(argv, {});
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as UsageError).message;
  }
  throw new Error(`expected a UsageError for ${argv.join(" ")}`);
}

describe("unknown flags say which flags exist", () => {
  test("a misspelt server flag suggests the right one and lists the server's flags", () => {
    const message = usageError(["--prot", "4000"]);
    expect(message).toStartWith("unknown option '--prot'; did you mean --port?");
    for (const flag of ["--config", "--model", "--host", "--port", "--data-dir", "--drop-params", "--access-log", "--allow-unauthenticated-public", "--help", "--version"]) {
      expect(message).toContain(flag);
    }
    expect(message).not.toContain("--max-budget");
  });

  test("a flag with no near match lists the flags without a guess", () => {
    const message = usageError(["--bogus"]);
    expect(message).toStartWith("unknown option '--bogus'; the server takes: --config");
    expect(message).not.toContain("did you mean");
  });

  test("an unknown short flag", () => {
    expect(usageError(["-x"])).toStartWith("unknown option '-x'; the server takes: ");
  });

  test("config check lists its own flags", () => {
    const message = usageError(["config", "check", "c.yaml", "--prnt"]);
    expect(message).toStartWith("unknown option '--prnt'; did you mean --print? switchboard config check takes: --print");
    expect(message).not.toContain("--port");
  });

  test("keys create lists the keys flags", () => {
    const message = usageError(["keys", "create", "--alais", "ci"]);
    expect(message).toStartWith("unknown option '--alais'; did you mean --alias? switchboard keys create takes: ");
    expect(message).toContain("--max-budget");
    expect(message).toContain("--data-dir");
    expect(message).not.toContain("--port");
  });

  test("a flag given a value it does not take keeps parseArgs' explanation", () => {
    expect(usageError(["--drop-params=yes"])).toContain("--drop-params");
  });
});

describe("unknown subcommands say which exist", () => {
  test("a top-level command", () => {
    const message = usageError(["serve"]);
    expect(message).toStartWith("unknown command 'serve'; commands: config check, keys create, keys list, keys info, keys revoke");
    expect(message).toContain("no command starts the gateway");
  });

  test("a misspelt top-level command is guessed", () => {
    expect(usageError(["confg", "check", "c.yaml"])).toStartWith("unknown command 'confg'; did you mean 'config'?");
    expect(usageError(["key", "list"])).toStartWith("unknown command 'key'; did you mean 'keys'?");
  });

  test("a misspelt config or keys subcommand is guessed", () => {
    expect(usageError(["config", "chek", "c.yaml"])).toStartWith("unknown config command 'chek'; did you mean 'check'?");
    expect(usageError(["keys", "lst"])).toStartWith("unknown keys command 'lst'; did you mean 'list'?");
  });
});
