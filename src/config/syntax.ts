/** Where a config file's text stops being valid, 1-based. */
export interface SyntaxPosition {
  line: number;
  column: number;
  /** What is wrong there, in words that never quote the file (it may hold a secret). */
  message: string;
}

const parsesAsYaml = (text: string): boolean => {
  try {
    Bun.YAML.parse(text);
    return true;
  } catch {
    return false;
  }
};

/**
 * Locates a YAML syntax error, which Bun's parser reports without a position: the error is on
 * the line after the longest run of whole lines that parses, at the column after the longest
 * prefix of that line that still parses. (A prefix cut inside a multi-line list may fail even
 * though the file goes on correctly, so the last good prefix is searched, not the first bad one.)
 */
export function yamlErrorPosition(text: string, parserMessage: string): SyntaxPosition {
  const lines = text.split("\n");
  // From the end: a prefix that runs into the error fails as soon as the parser reaches it, so this is cheap.
  let good = lines.length - 1;
  while (good > 0 && !parsesAsYaml(lines.slice(0, good).join("\n"))) good--;
  const lineIndex = Math.min(good, lines.length - 1);
  const before = lines.slice(0, lineIndex).join("\n");
  const line = lines[lineIndex] ?? "";
  let column = 1;
  if (/tab/i.test(parserMessage) && line.includes("\t")) {
    column = line.indexOf("\t") + 1;
  } else {
    for (let length = line.length; length >= 0; length--) {
      if (parsesAsYaml(`${before}${lineIndex > 0 ? "\n" : ""}${line.slice(0, length)}`)) {
        column = Math.min(length + 1, Math.max(line.length, 1));
        break;
      }
    }
  }
  const detail = parserMessage.replace(/^YAML Parse error:\s*/, "");
  return { line: lineIndex + 1, column, message: `YAML syntax error: ${detail} (check indentation, quotes and brackets here)` };
}

/**
 * Locates a JSON syntax error by scanning the text (the runtime's JSON errors carry no
 * position, and some quote the offending token, which may be a secret).
 */
export function jsonErrorPosition(text: string): SyntaxPosition | undefined {
  let at = 0;
  const fail = (what: string): never => {
    throw new JsonScanError(at, what);
  };
  const space = () => {
    while (at < text.length && " \t\n\r".includes(text[at] as string)) at++;
  };
  const string = () => {
    at++;
    while (at < text.length && text[at] !== '"') {
      const char = text.charCodeAt(at);
      if (char < 0x20) fail("a control character inside a string");
      if (text[at] === "\\") {
        at++;
        if (text[at] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) fail("a bad \\u escape");
          at += 4;
        } else if (!'"\\/bfnrt'.includes(text[at] ?? "")) fail("a bad escape");
      }
      at++;
    }
    if (at >= text.length) fail("an unclosed string");
    at++;
  };
  /** The items of an object or a list up to `close`, each read by `item`. */
  const items = (close: string, item: () => void): void => {
    at++;
    space();
    if (text[at] === close) {
      at++;
      return;
    }
    for (;;) {
      item();
      space();
      if (text[at] === close) {
        at++;
        return;
      }
      if (text[at] !== ",") fail(`expected ',' or '${close}'`);
      at++;
    }
  };
  const value = (depth: number): void => {
    if (depth > 1000) fail("nesting too deep");
    space();
    const char = text[at];
    if (char === "{") {
      return items("}", () => {
        space();
        if (text[at] !== '"') fail("expected a quoted key");
        string();
        space();
        if (text[at] !== ":") fail("expected ':' after the key");
        at++;
        value(depth + 1);
      });
    }
    if (char === "[") return items("]", () => value(depth + 1));
    if (char === '"') return string();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(at, at + 400));
    if (!literal) fail(at >= text.length ? "unexpected end of file" : "expected a value (a quoted string, number, true, false, null, { or [)");
    at += (literal as RegExpExecArray)[0].length;
  };
  try {
    value(0);
    space();
    if (at < text.length) fail("unexpected text after the end of the document");
    return undefined;
  } catch (error) {
    if (!(error instanceof JsonScanError)) throw error;
    const lines = text.slice(0, error.offset).split("\n");
    return { line: lines.length, column: (lines[lines.length - 1] as string).length + 1, message: `JSON syntax error: ${error.what}` };
  }
}

class JsonScanError extends Error {
  constructor(
    readonly offset: number,
    readonly what: string,
  ) {
    super(what);
  }
}
