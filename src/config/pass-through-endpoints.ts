/**
 * What the schema cannot say about `pass_through_endpoints`: a target URL that parses and has no
 * user info or fragment, header names that are headers and not the transport's own, values on one
 * line, and no two endpoints answering the same path for the same method. (Overlaps with the
 * gateway's own routes are found once the app knows them: src/server/route-overlap.ts.)
 */
import { mountConflicts, type MountedRoute } from "../server/route-overlap.ts";
import { asDict } from "./litellm-values.ts";
import type { PathProblem } from "./paths.ts";
import { MCP_HEADER_NAME, PASS_THROUGH_METHODS, PASS_THROUGH_PATH } from "./schema.ts";

const HEADER_NAME = new RegExp(MCP_HEADER_NAME);
const PATH = new RegExp(PASS_THROUGH_PATH);

/** Headers the transport sets from the request itself: an endpoint setting one would break the call. */
const TRANSPORT_HEADERS: ReadonlySet<string> = new Set(["host", "content-length", "transfer-encoding", "connection", "keep-alive", "proxy-connection", "upgrade", "te", "trailer", "expect"]);

/** Problems of one endpoint's target and headers. */
function entryProblems(entry: Record<string, unknown>, index: number): PathProblem[] {
  const problems: PathProblem[] = [];
  const at = (...rest: (string | number)[]) => ["pass_through_endpoints", index, ...rest];
  if (typeof entry.target === "string" && /^https?:\/\//.test(entry.target)) {
    let url: URL | undefined;
    try {
      url = new URL(entry.target);
    } catch {
      problems.push({ path: at("target"), message: "is not a URL that parses" });
    }
    if (url && (url.username || url.password)) problems.push({ path: at("target"), message: "must not hold a user or password (user:pass@host): send the credential in headers (Authorization: Basic …)" });
    if (url && entry.target.includes("#")) problems.push({ path: at("target"), message: "must not hold a fragment (#…): it is never sent" });
  }
  for (const [name, value] of Object.entries(asDict(entry.headers) ?? {})) {
    if (!HEADER_NAME.test(name)) problems.push({ path: at("headers", name), message: "is not a valid header name" });
    else if (TRANSPORT_HEADERS.has(name.toLowerCase())) problems.push({ path: at("headers", name), message: "is set by the transport for each request and cannot be configured" });
    // The value is a secret: it is not shown.
    else if (typeof value === "string" && /[\r\n\0]/.test(value)) problems.push({ path: at("headers", name), message: "holds a line break or NUL, which no header value may" });
  }
  return problems;
}

/** The route an endpoint is served at, when its path is one (the schema reports it otherwise). */
function mountOf(entry: Record<string, unknown>, index: number): MountedRoute | undefined {
  if (typeof entry.path !== "string" || !PATH.test(entry.path)) return undefined;
  const methods = Array.isArray(entry.methods) ? entry.methods.filter((m): m is string => typeof m === "string") : [...PASS_THROUGH_METHODS];
  return { path: entry.path, subpaths: entry.include_subpath === true, methods, origin: `pass_through_endpoints[${index}]` };
}

/** Every problem of the endpoints beyond the schema's, with paths in Switchboard's format. */
export function passThroughProblems(value: unknown): PathProblem[] {
  if (!Array.isArray(value)) return [];
  const problems: PathProblem[] = [];
  const indexes = new Map<MountedRoute, number>();
  value.forEach((item, index) => {
    const entry = asDict(item);
    if (!entry) return;
    problems.push(...entryProblems(entry, index));
    const mount = mountOf(entry, index);
    if (mount) indexes.set(mount, index);
  });
  for (const { route, message } of mountConflicts([...indexes.keys()])) problems.push({ path: ["pass_through_endpoints", indexes.get(route) as number, "path"], message });
  return problems;
}
