/**
 * The admin-route authorisation matrix, over raw HTTP: every route the app serves (read from its
 * own /openapi.json, so a new route without a row here fails; config pass-through endpoints
 * included, one keyed and one public) × every kind of caller.
 *
 * Part 1 probes each route with an empty request: who is refused before the body is read. Part 2
 * takes the "self" routes, whose answer depends on whose record is asked for, through real targets
 * (own, another user's, a team's). Every cell names the exact status expected.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import type { GeneratedKeyJson, NewUserJson } from "../../src/admin/responses.ts";
import type { Config } from "../../src/config/schema.ts";
import { newVirtualKey } from "../../src/auth/key-material.ts";
import { openTestAccounts, startAccountsGateway, TEST_MASTER_KEY, type AccountsGateway, type ErrorBody } from "../support/accounts.ts";
import { startGateway } from "../support/build-test-app.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-access-matrix-");
let gateway: AccountsGateway;

/** Every kind of caller; `none` sends no key. */
const CALLERS = ["none", "master", "admin", "viewer", "alice", "ivy", "tadmin", "tmember", "keyonly", "teamkey"] as const;
type CallerName = (typeof CALLERS)[number];
/**
 * alice: internal_user; ivy: internal_user_viewer; tadmin / tmember: internal users, admin and plain
 * member of team T; keyonly: a key without user or team; teamkey: a key of team T without a user.
 */
const keys = {} as Record<CallerName, string | undefined>;
const T = "team-t";

/** The rule each route is held to. A route the app serves that is missing here fails part 1. */
const RULES: Record<string, "public" | "any" | "admin" | "admin-read" | "self"> = {
  "GET /health/liveliness": "public",
  "GET /health/readiness": "public",
  "GET /health/liveness": "public",
  "GET /routes": "public",
  "GET /health/readiness/details": "any",
  "GET /metrics": "public",
  "POST /v1/chat/completions": "any",
  "POST /chat/completions": "any",
  "POST /v1/embeddings": "any",
  "POST /embeddings": "any",
  "POST /openai/deployments/{deployment}/chat/completions": "any",
  "POST /openai/deployments/{deployment}/embeddings": "any",
  "GET /v1/models": "any",
  "GET /models": "any",
  "GET /v1/models/{model}": "any",
  "GET /models/{model}": "any",
  "POST /v1/messages": "any",
  "POST /v1/messages/count_tokens": "any",
  "POST /key/generate": "self",
  "GET /key/info": "self",
  "POST /key/update": "self",
  "POST /key/delete": "self",
  "GET /key/list": "self",
  "POST /key/block": "admin",
  "POST /key/unblock": "admin",
  "POST /key/regenerate": "self",
  "POST /key/{key}/regenerate": "self",
  "POST /team/new": "admin",
  "GET /team/info": "self",
  "POST /team/update": "admin",
  "POST /team/delete": "admin",
  "GET /team/list": "admin-read",
  "POST /team/block": "admin",
  "POST /team/unblock": "admin",
  "POST /team/member_add": "self",
  "POST /team/member_delete": "self",
  "POST /team/member_update": "self",
  "POST /organization/new": "admin",
  "GET /organization/info": "admin-read",
  "POST /organization/info": "admin",
  "PATCH /organization/update": "admin",
  "POST /organization/update": "admin",
  "DELETE /organization/delete": "admin",
  "GET /organization/list": "admin-read",
  "POST /user/new": "admin",
  "GET /user/info": "self",
  "POST /user/update": "admin",
  "POST /user/delete": "admin",
  "GET /user/list": "admin-read",
  "GET /spend/logs": "self",
  "GET /global/spend/report": "admin-read",
  "GET /spend/totals": "admin-read",
  // Every key reads the models it may use (filtered like /v1/models); changing them is for admins.
  "GET /model/info": "any",
  "GET /v1/model/info": "any",
  "POST /model/new": "admin",
  "POST /model/update": "admin",
  "PATCH /model/{model_id}/update": "admin",
  "POST /model/delete": "admin",
  "GET /health": "admin-read",
  // MCP: every key reaches /mcp and /mcp-rest for the servers it may use (narrowed by the gateway); managing servers is for admins.
  "POST /mcp": "any",
  "POST /mcp/{server}": "any",
  "GET /mcp": "any",
  "GET /mcp/{server}": "any",
  "DELETE /mcp": "any",
  "DELETE /mcp/{server}": "any",
  "GET /mcp/sse": "any",
  "GET /mcp/{server}/sse": "any",
  "POST /mcp/sse/messages": "any",
  "POST /mcp/{server}/sse/messages": "any",
  "GET /mcp-rest/tools/list": "any",
  "POST /mcp-rest/tools/call": "any",
  "POST /mcp-rest/test/tools/list": "admin",
  "GET /v1/mcp/server": "admin-read",
  "GET /v1/mcp/server/{server_id}": "admin-read",
  "POST /v1/mcp/server": "admin",
  "PUT /v1/mcp/server": "admin",
  "DELETE /v1/mcp/server/{server_id}": "admin",
  // Pass-through: every key reaches a provider's native API (its model calls narrowed by the key's allow-lists).
  ...Object.fromEntries(
    ["anthropic", "openai", "azure", "gemini", "vertex_ai", "cohere", "mistral", "bedrock"].flatMap((provider) => ["GET", "POST", "PUT", "PATCH", "DELETE"].map((method) => [`${method} /${provider}/{path}`, "any" as const])),
  ),
  // Pass-through endpoints from config (ENDPOINTS below): auth true (the default) takes every key; auth false takes anyone.
  ...Object.fromEntries(["GET", "POST", "PUT", "PATCH", "DELETE"].flatMap((method) => [`${method} /matrix/keyed`, `${method} /matrix/keyed/{path}`].map((route) => [route, "any" as const]))),
  "POST /matrix/public": "public",
};

/** The config endpoints the gateway serves here, forwarding to `upstream` (a stub answering 200). */
let upstream: ReturnType<typeof Bun.serve>;
const ENDPOINTS = (target: string): Config["pass_through_endpoints"] => [
  { path: "/matrix/keyed", target, include_subpath: true },
  { path: "/matrix/public", target, auth: false, methods: ["POST"] },
];

interface Answer {
  status: number;
  body: unknown;
}

async function call(caller: CallerName, method: string, path: string, body?: unknown): Promise<Answer> {
  const key = keys[caller];
  const response = await fetch(`${gateway.origin}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  // An event stream (an MCP SSE session) does not end: its status is the answer, and leaving ends the session.
  if (response.headers.get("content-type") === "text/event-stream") {
    await response.body?.cancel();
    return { status: response.status, body: "" };
  }
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: kept as text.
  }
  return { status: response.status, body: parsed };
}

const master = <T>(method: "GET" | "POST", path: string, body?: unknown) =>
  gateway.admin<T>(method, path, body).then((answer) => {
    if (answer.status !== 200) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  });

/** A user with its first key (the key /user/new returns). */
const newUser = (body: Record<string, unknown>) => master<NewUserJson>("POST", "/user/new", body);
/** A fresh key, made with the master key. */
const newKey = (body: Record<string, unknown>) => master<GeneratedKeyJson>("POST", "/key/generate", body);
/** A fresh user without a key, a plain member of `teamId` when one is named. */
const newCandidate = async (teamId?: string) =>
  (await newUser({ user_id: `cand-${crypto.randomUUID()}`, auto_create_key: false, ...(teamId ? { teams: [teamId] } : {}) })).user_id;

beforeAll(async () => {
  const dataDir = dirname(await tmp.file("marker", ""));
  upstream = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => Response.json({ ok: true }) });
  gateway = await startAccountsGateway({ pass_through_endpoints: ENDPOINTS(`http://127.0.0.1:${upstream.port}/stub`) }, { dataDir });
  await master("POST", "/team/new", { team_id: T });
  await master("POST", "/team/new", { team_id: "team-other" });
  keys.master = TEST_MASTER_KEY;
  keys.admin = (await newUser({ user_id: "admin", user_role: "proxy_admin" })).key ?? undefined;
  keys.viewer = (await newUser({ user_id: "viewer", user_role: "proxy_admin_viewer" })).key ?? undefined;
  keys.alice = (await newUser({ user_id: "alice" })).key ?? undefined;
  keys.ivy = (await newUser({ user_id: "ivy", user_role: "internal_user_viewer" })).key ?? undefined;
  keys.tadmin = (await newUser({ user_id: "tadmin", teams: [{ team_id: T, user_role: "admin" }] })).key ?? undefined;
  keys.tmember = (await newUser({ user_id: "tmember", teams: [T] })).key ?? undefined;
  await newUser({ user_id: "bob" });
  keys.keyonly = (await newKey({})).key;
  keys.teamkey = (await newKey({ team_id: T })).key;
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.stop(true);
});

describe("part 1: every route, every caller, before the body is read", () => {
  test("every route the app serves has a rule here, and its declared access matches it", async () => {
    const document = (await (await fetch(`${gateway.origin}/openapi.json`)).json()) as { paths: Record<string, Record<string, { "x-switchboard-access"?: string }>> };
    const served = Object.entries(document.paths).flatMap(([path, operations]) => Object.entries(operations).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, declared: op["x-switchboard-access"] })));
    const unruled = served.filter(({ route }) => RULES[route] === undefined).map(({ route }) => route);
    expect(unruled).toEqual([]);
    for (const { route, declared } of served) {
      const rule = RULES[route];
      expect(`${route}: ${declared ?? "none"}`).toBe(`${route}: ${rule === "any" ? "none" : rule}`);
    }
    // No rule for a route that is not served (a stale row would hide a missing route).
    expect(Object.keys(RULES).filter((route) => !served.some((s) => s.route === route))).toEqual([]);
  });

  const allowed = (status: number) => status !== 401 && status !== 403;
  for (const [route, rule] of Object.entries(RULES)) {
    test(`${route} (${rule})`, async () => {
      const [method, template] = route.split(" ") as [string, string];
      const path = template.replace(/\{[^}]+\}/g, "x");
      const body = method === "POST" ? {} : undefined;
      const cells: string[] = [];
      const expected: string[] = [];
      for (const caller of CALLERS) {
        const { status } = await call(caller, method, path, body);
        const cell = status === 401 ? "401" : status === 403 ? "403" : "allowed";
        cells.push(`${caller}: ${cell}`);
        let want: string;
        // A public route reads no key: nobody is refused, whatever key (or none) it sends.
        if (rule === "public") want = "allowed";
        else if (caller === "none") want = "401";
        else if (rule === "any" || caller === "master" || caller === "admin") want = "allowed";
        else if (rule === "admin") want = "403";
        else if (rule === "admin-read") want = caller === "viewer" && method === "GET" ? "allowed" : "403";
        // self, GET: every key gets past the route (whose record it may read is part 2's matrix); never a 401.
        else if (method === "GET") want = cell === "401" ? "authenticated" : cell;
        // self, POST: only internal users (and admins) get past the route; viewers and keys without a user are refused.
        else want = caller === "alice" || caller === "tadmin" || caller === "tmember" ? "allowed" : "403";
        expected.push(`${caller}: ${want}`);
        if (allowed(status)) expect(status).toBeLessThan(500);
      }
      expect(cells).toEqual(expected);
    });
  }
});

/** A self-route request against a target; `fresh` targets are made anew for each caller (deletes, regenerations). */
interface Scenario {
  name: string;
  request: () => Promise<{ method: "GET" | "POST"; path: string; body?: unknown }>;
  /** Status per caller; every caller not named expects 403 (and `none` 401). */
  expect: Partial<Record<CallerName, number>>;
  /** The error type of the 403s, when it is not permission_error. */
  deniedType?: Partial<Record<CallerName, string>>;
}

const ADMINS = { master: 200, admin: 200 } as const;
const READERS = { ...ADMINS, viewer: 200 } as const;

describe("part 2: self routes, by whose record is asked for", () => {
  let alicesKey: GeneratedKeyJson;
  let teamKey: GeneratedKeyJson;
  beforeAll(async () => {
    alicesKey = await newKey({ user_id: "alice" });
    teamKey = await newKey({ team_id: T });
  });
  const scenarios: Scenario[] = [
    { name: "read alice's key", request: async () => ({ method: "GET", path: `/key/info?key=${alicesKey.token}` }), expect: { ...READERS, alice: 200 } },
    { name: "read a key of team T", request: async () => ({ method: "GET", path: `/key/info?key=${teamKey.token}` }), expect: { ...READERS, tadmin: 200, tmember: 200 } },
    {
      name: "read the calling key itself (no ?key=)",
      request: async () => ({ method: "GET", path: "/key/info" }),
      expect: { master: 400, admin: 200, viewer: 200, alice: 200, ivy: 200, tadmin: 200, tmember: 200, keyonly: 200, teamkey: 200 },
    },
    { name: "change alice's key", request: async () => ({ method: "POST", path: "/key/update", body: { key: alicesKey.token, metadata: { n: 1 } } }), expect: { ...ADMINS, alice: 200 } },
    { name: "give alice's key to bob", request: async () => ({ method: "POST", path: "/key/update", body: { key: alicesKey.token, user_id: "bob" } }), expect: { ...ADMINS } },
    {
      name: "change a key of team T",
      request: async () => ({ method: "POST", path: "/key/update", body: { key: teamKey.token, metadata: { n: 2 } } }),
      expect: { ...ADMINS, tadmin: 200 },
      deniedType: { tmember: "team_member_permission_error" },
    },
    { name: "delete a key of alice", request: async () => ({ method: "POST", path: "/key/delete", body: { keys: [(await newKey({ user_id: "alice" })).token] } }), expect: { ...ADMINS, alice: 200 } },
    {
      name: "delete a key of team T",
      request: async () => ({ method: "POST", path: "/key/delete", body: { keys: [(await newKey({ team_id: T })).token] } }),
      expect: { ...ADMINS, tadmin: 200 },
      deniedType: { tmember: "team_member_permission_error" },
    },
    { name: "regenerate a key of alice", request: async () => ({ method: "POST", path: "/key/regenerate", body: { key: (await newKey({ user_id: "alice" })).token } }), expect: { ...ADMINS, alice: 200 } },
    {
      // Not the team admin's: the new secret would go to it (here a key without a user, bound by no user budget).
      name: "regenerate a key of team T by path",
      request: async () => ({ method: "POST", path: `/key/${(await newKey({ team_id: T })).token}/regenerate` }),
      expect: { ...ADMINS },
      deniedType: { tmember: "team_member_permission_error" },
    },
    {
      name: "regenerate tadmin's own key of team T",
      request: async () => ({ method: "POST", path: "/key/regenerate", body: { key: (await newKey({ team_id: T, user_id: "tadmin" })).token } }),
      expect: { ...ADMINS, tadmin: 200 },
      deniedType: { tmember: "team_member_permission_error" },
    },
    { name: "create a key for oneself", request: async () => ({ method: "POST", path: "/key/generate", body: {} }), expect: { ...ADMINS, alice: 200, tadmin: 200, tmember: 200 } },
    { name: "create a key for bob", request: async () => ({ method: "POST", path: "/key/generate", body: { user_id: "bob" } }), expect: { ...ADMINS } },
    {
      name: "create a key in team T",
      request: async () => ({ method: "POST", path: "/key/generate", body: { team_id: T } }),
      expect: { ...ADMINS, tadmin: 200 },
      deniedType: { tmember: "team_member_permission_error" },
    },
    { name: "create a key in another team", request: async () => ({ method: "POST", path: "/key/generate", body: { team_id: "team-other" } }), expect: { ...ADMINS } },
    { name: "list one's keys", request: async () => ({ method: "GET", path: "/key/list" }), expect: { ...READERS, alice: 200, ivy: 200, tadmin: 200, tmember: 200 } },
    { name: "list bob's keys", request: async () => ({ method: "GET", path: "/key/list?user_id=bob" }), expect: { ...READERS } },
    {
      name: "list the keys of team T",
      request: async () => ({ method: "GET", path: `/key/list?team_id=${T}` }),
      expect: { ...READERS, tadmin: 200 },
      deniedType: { tmember: "team_member_permission_error" },
    },
    { name: "read user alice", request: async () => ({ method: "GET", path: "/user/info?user_id=alice" }), expect: { ...READERS, alice: 200 } },
    {
      name: "read one's own user (no ?user_id=)",
      request: async () => ({ method: "GET", path: "/user/info" }),
      expect: { master: 400, admin: 200, viewer: 200, alice: 200, ivy: 200, tadmin: 200, tmember: 200, keyonly: 400, teamkey: 400 },
    },
    {
      name: "add a member to team T",
      request: async () => ({ method: "POST", path: "/team/member_add", body: { team_id: T, member: { role: "user", user_id: await newCandidate() } } }),
      expect: { ...ADMINS, tadmin: 200 },
    },
    {
      name: "add a member to another team",
      request: async () => ({ method: "POST", path: "/team/member_add", body: { team_id: "team-other", member: { role: "user", user_id: await newCandidate() } } }),
      expect: { ...ADMINS },
    },
    {
      name: "change a member of team T",
      request: async () => ({ method: "POST", path: "/team/member_update", body: { team_id: T, user_id: await newCandidate(T), max_budget_in_team: 5 } }),
      expect: { ...ADMINS, tadmin: 200 },
    },
    {
      name: "change a member of another team",
      request: async () => ({ method: "POST", path: "/team/member_update", body: { team_id: "team-other", user_id: await newCandidate("team-other"), max_budget_in_team: 5 } }),
      expect: { ...ADMINS },
    },
    {
      name: "remove a member of team T",
      request: async () => ({ method: "POST", path: "/team/member_delete", body: { team_id: T, user_id: await newCandidate(T) } }),
      expect: { ...ADMINS, tadmin: 200 },
    },
    {
      name: "remove a member of another team",
      request: async () => ({ method: "POST", path: "/team/member_delete", body: { team_id: "team-other", user_id: await newCandidate("team-other") } }),
      expect: { ...ADMINS },
    },
    { name: "read team T", request: async () => ({ method: "GET", path: `/team/info?team_id=${T}` }), expect: { ...READERS, tadmin: 200, tmember: 200, teamkey: 200 } },
    { name: "read another team", request: async () => ({ method: "GET", path: "/team/info?team_id=team-other" }), expect: { ...READERS } },
    {
      name: "read one's own spend logs",
      request: async () => ({ method: "GET", path: "/spend/logs" }),
      expect: { ...READERS, alice: 200, ivy: 200, tadmin: 200, tmember: 200, keyonly: 200, teamkey: 200 },
    },
    { name: "read bob's spend logs", request: async () => ({ method: "GET", path: "/spend/logs?user_id=bob" }), expect: { ...READERS } },
  ];

  for (const scenario of scenarios) {
    test(scenario.name, async () => {
      const got: string[] = [];
      const want: string[] = [];
      for (const caller of CALLERS) {
        const { method, path, body } = await scenario.request();
        const answer = await call(caller, method, path, body);
        const expected = caller === "none" ? 401 : (scenario.expect[caller] ?? 403);
        const type = answer.status === 403 ? ` ${(answer.body as ErrorBody).error.type}` : "";
        got.push(`${caller}: ${answer.status}${type}`);
        want.push(`${caller}: ${expected}${expected === 403 ? ` ${scenario.deniedType?.[caller] ?? "permission_error"}` : ""}`);
      }
      expect(got).toEqual(want);
    });
  }
});

describe("without a master key", () => {
  test("the management API is closed to everyone, a proxy_admin user's key included; the proxy routes stay open", async () => {
    const dataDir = dirname(await tmp.file("open-marker", ""));
    const accounts = await openTestAccounts(`${dataDir}/open`);
    await accounts.store.users.insert({ userId: "root", userRole: "proxy_admin" });
    const material = newVirtualKey();
    await accounts.store.keys.insert({ token: material.token, keyName: material.keyName, userId: "root" });
    await accounts.directory.reload();
    const open = await startGateway({}, { accounts });
    try {
      for (const key of [undefined, material.key]) {
        const answer = await fetch(`${open.origin}/key/list`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
        expect(answer.status).toBe(403);
        expect(((await answer.json()) as ErrorBody).error.message).toContain("no master key is configured");
      }
      expect((await fetch(`${open.origin}/v1/models`)).status).toBe(200);
    } finally {
      await open.stop();
    }
  });
});
