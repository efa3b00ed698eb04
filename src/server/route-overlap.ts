/**
 * Whether routes could answer the same request path, for routes added from config (pass-through
 * endpoints): one that overlaps a route the gateway serves itself, or another endpoint for the
 * same method, is a config problem naming both. Routes are compared as patterns: a literal
 * segment, `:name` (any one segment), a last `:name*` (the rest, possibly nothing).
 */

/** A route added from config: its path, whether it serves the paths under it, its methods, where it was configured. */
export interface MountedRoute {
  path: string;
  subpaths: boolean;
  methods: readonly string[];
  /** `pass_through_endpoints[2]`. */
  origin: string;
}

/** A route the gateway serves itself. */
export interface ServedRoute {
  method: string;
  path: string;
  summary: string;
}

/** A config route that overlaps another, and why. */
export interface RouteConflict {
  route: MountedRoute;
  message: string;
}

/** A conflict as a config problem line: `pass_through_endpoints[2].path: …`. */
export const conflictLine = (conflict: RouteConflict) => `${conflict.route.origin}.path: ${conflict.message}`;

/** Config routes' problems, as `path: message` lines in the config's terms. */
export class RouteConflictError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }
}

const segments = (path: string) => path.split("/").slice(1);
const isRest = (segment: string | undefined) => segment !== undefined && segment.startsWith(":") && segment.endsWith("*");

/** Whether some request path matches both patterns. */
export function routePatternsOverlap(a: string, b: string): boolean {
  const left = segments(a);
  const right = segments(b);
  for (let i = 0; ; i++) {
    const x = left[i];
    const y = right[i];
    if (isRest(x) || isRest(y)) return true;
    if (x === undefined || y === undefined) return x === y;
    if (!x.startsWith(":") && !y.startsWith(":") && x !== y) return false;
  }
}

/** The patterns a config route is served at. */
const patternsOf = (route: MountedRoute): string[] => [route.path, ...(route.subpaths ? [`${route.path}/:path*`] : [])];

const overlaps = (route: MountedRoute, pattern: string) => patternsOf(route).some((own) => routePatternsOverlap(own, pattern));

/** How a config route is named in a message. */
const described = (route: MountedRoute) => `'${route.path}'${route.subpaths ? " with its subpaths" : ""}`;

/** Config routes that overlap a route the gateway serves (whatever the methods: its paths are the gateway's). */
export function servedConflicts(mounts: readonly MountedRoute[], served: readonly ServedRoute[]): RouteConflict[] {
  const problems: RouteConflict[] = [];
  for (const route of mounts) {
    const hits = served.filter((other) => overlaps(route, other.path));
    const first = hits[0];
    if (!first) continue;
    const more = hits.length > 1 ? ` and ${hits.length - 1} more` : "";
    const fix = route.subpaths ? "choose another path, or leave include_subpath off" : "choose another path";
    problems.push({ route, message: `${described(route)} overlaps a route the gateway serves itself (${first.method} ${first.path}: ${first.summary}${more}); ${fix}` });
  }
  return problems;
}

/** Config routes that overlap an earlier one for a method both serve. */
export function mountConflicts(mounts: readonly MountedRoute[]): RouteConflict[] {
  const problems: RouteConflict[] = [];
  mounts.forEach((route, index) => {
    for (const earlier of mounts.slice(0, index)) {
      const shared = route.methods.filter((method) => earlier.methods.includes(method));
      if (shared.length === 0 || !patternsOf(route).some((pattern) => overlaps(earlier, pattern))) continue;
      problems.push({ route, message: `${described(route)} overlaps an earlier endpoint, ${described(earlier)}, for ${shared.join(", ")}; give them different paths, or different methods` });
      break;
    }
  });
  return problems;
}
