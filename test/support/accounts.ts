/**
 * A gateway with a store behind it (keys, budgets, limits, the spend ledger) and a master key, on
 * 127.0.0.1 and a free port, plus a client for the management API.
 */
import { openAccounts, type Accounts } from "../../src/auth/accounts.ts";
import type { BudgetMode } from "../../src/budgets/book.ts";
import type { Config } from "../../src/config/schema.ts";
import type { SseLimits } from "../../src/mcp/sse-sessions.ts";
import type { Tracing } from "../../src/telemetry/tracing.ts";
import { openStore } from "../../src/store/open.ts";
import { startGateway, type TestGateway } from "./build-test-app.ts";

/** A master key strong enough for every check main applies. */
export const TEST_MASTER_KEY = "sk-master-Vq3xT9pL2mZ8rW4kN7bH5cJ1dF6gY0aE";

/** An OpenAI-shape error answer. */
export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** What a management call answered. */
export interface AdminAnswer<T> {
  status: number;
  body: T;
  headers: Headers;
}

export interface AccountsGatewayOptions {
  /** Where the store lives (a temp directory; see temp-dir.ts). */
  dataDir: string;
  budgetMode?: BudgetMode;
  masterKey?: string;
  env?: Record<string, string | undefined>;
  /** Export traces (stopped with the gateway). */
  tracing?: Tracing;
  /** Limits of the MCP gateway's HTTP+SSE sessions. */
  mcpSessions?: Partial<SseLimits>;
}

export interface AccountsGateway extends TestGateway {
  accounts: Accounts;
  /** Calls the management API with the master key (or `key`); the body is parsed when it is JSON. */
  admin<T = unknown>(method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body?: unknown, key?: string): Promise<AdminAnswer<T>>;
}

/** Opens a store in `dataDir` and the accounts over it, as main does; internal errors land in `errors`. */
export async function openTestAccounts(dataDir: string, budgetMode: BudgetMode = "strict", errors: { message: string; error: unknown }[] = []): Promise<Accounts> {
  const store = await openStore({ dataDir });
  return openAccounts(store, { budgetMode, onError: (message, error) => errors.push({ message, error }) });
}

/** Starts a gateway over a store in `dataDir`; `stop()` closes the accounts too. */
export async function startAccountsGateway(config: Config, opts: AccountsGatewayOptions): Promise<AccountsGateway> {
  const masterKey = opts.masterKey ?? TEST_MASTER_KEY;
  const accounts = await openTestAccounts(opts.dataDir, opts.budgetMode);
  const gateway = await startGateway(config, { masterKey, accounts, ...(opts.env ? { env: opts.env } : {}), ...(opts.tracing ? { tracing: opts.tracing } : {}), ...(opts.mcpSessions ? { mcpSessions: opts.mcpSessions } : {}) });
  return {
    ...gateway,
    accounts,
    async admin(method, path, body, key = masterKey) {
      const response = await fetch(`${gateway.origin}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON: the test sees the text.
      }
      return { status: response.status, body: parsed as never, headers: response.headers };
    },
  };
}
