/** One step into a config: a mapping key or a list index. */
export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A config path the way a user reads it: `models[2].api_base`, `headers["X-Team"]`.
 * The root is `(top level)`.
 */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === "" ? "(top level)" : out;
}

/** The segments of a TypeBox error path (a JSON pointer), with list indexes as numbers where `root` has a list. */
export function pointerSegments(pointer: string, root: unknown): PathSegment[] {
  if (pointer === "" || pointer === "/") return [];
  const segments: PathSegment[] = [];
  let node = root;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    const segment: PathSegment = Array.isArray(node) && /^\d+$/.test(key) ? Number(key) : key;
    segments.push(segment);
    node = node && typeof node === "object" ? (node as Record<PathSegment, unknown>)[segment] : undefined;
  }
  return segments;
}

/** A problem found in a config: where (segments, formatted at the end) and what. */
export interface PathProblem {
  path: readonly PathSegment[];
  message: string;
}

interface Origin {
  user: readonly PathSegment[];
  /** The value below keeps its shape (a header map): a deeper translated path maps one to one. */
  sameBelow: boolean;
}

/**
 * Where each translated field came from in the user's file (LiteLLM format), so a problem found
 * after translation names the path the user wrote. A field with no entry of its own is named by
 * its nearest ancestor that has one, with the rest of the translated path in parentheses.
 */
export class Origins {
  private readonly map = new Map<string, Origin>();

  /** Records that `translated` came from `user` (`sameBelow`: paths below it are the same on both sides). */
  add(translated: readonly PathSegment[], user: readonly PathSegment[], sameBelow = false): void {
    this.map.set(formatPath(translated), { user, sameBelow });
  }

  /** The user's path for a translated path, formatted. */
  userPath(translated: readonly PathSegment[]): string {
    for (let length = translated.length; length > 0; length--) {
      const origin = this.map.get(formatPath(translated.slice(0, length)));
      if (!origin) continue;
      const rest = translated.slice(length);
      if (rest.length === 0 || origin.sameBelow) return formatPath([...origin.user, ...rest]);
      return `${formatPath(origin.user)} (${formatPath(rest)})`;
    }
    return formatPath(translated);
  }

  /** A `path: message` problem written against the translated config, with the path the user wrote. */
  relocate(problem: string): string {
    const colon = problem.indexOf(": ");
    if (colon < 0) return problem;
    const path = parsePath(problem.slice(0, colon));
    return path ? `${this.userPath(path)}${problem.slice(colon)}` : problem;
  }
}

const STEP = /^(?:\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\])/;

/** The segments of a path written by formatPath; undefined when the text is not one. */
function parsePath(text: string): PathSegment[] | undefined {
  const segments: PathSegment[] = [];
  let rest = text;
  while (rest !== "") {
    const step = STEP.exec(rest);
    if (!step) return undefined;
    segments.push(step[1] ?? (step[2] !== undefined ? Number(step[2]) : (JSON.parse(step[3] as string) as string)));
    rest = rest.slice(step[0].length);
  }
  return segments.length > 0 ? segments : undefined;
}
