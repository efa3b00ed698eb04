import type { Database } from "bun:sqlite";

/**
 * The schema, as ordered migrations kept in the code (not in files) so `bun build --compile` embeds
 * them. Migration N (1-based) brings the schema from version N-1 to N; the version lives in
 * `PRAGMA user_version`. Never edit a shipped migration: append a new one.
 *
 * Tables are STRICT so a non-integer amount can never land in a money column (it fails instead of
 * silently becoming a REAL that drifts). Money is INTEGER nano-dollars, times are epoch ms.
 */

/** Columns shared by keys, teams, users and organisations: limits, budget, spend rollups, timestamps. */
const PRINCIPAL_COLUMNS = `
  models TEXT NOT NULL DEFAULT '[]',
  blocked INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
  metadata TEXT NOT NULL DEFAULT '{}',
  rpm_limit INTEGER,
  tpm_limit INTEGER,
  max_parallel_requests INTEGER,
  max_budget_nano INTEGER,
  budget_duration TEXT,
  budget_anchor INTEGER NOT NULL,
  spend_total_nano INTEGER NOT NULL DEFAULT 0,
  spend_window_nano INTEGER NOT NULL DEFAULT 0,
  spend_window_start INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL`;

/**
 * Triggers bumping `accounts_version` on every insert, delete and settings update of `table`
 * (an update of `changedColumn`: rollup-only updates leave updated_at alone).
 */
function accountsTriggers(table: string, changedColumn = "updated_at"): string {
  const bump = "UPDATE meta SET value = value + 1 WHERE name = 'accounts_version';";
  return `
  CREATE TRIGGER ${table}_inserted AFTER INSERT ON ${table} BEGIN ${bump} END;
  CREATE TRIGGER ${table}_deleted AFTER DELETE ON ${table} BEGIN ${bump} END;
  CREATE TRIGGER ${table}_updated AFTER UPDATE OF ${changedColumn} ON ${table} BEGIN ${bump} END;`;
}

/** Every migration, in order. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE teams (
    team_id TEXT PRIMARY KEY,
    team_alias TEXT,
    tags TEXT NOT NULL DEFAULT '[]',${PRINCIPAL_COLUMNS}
  ) STRICT;

  CREATE TABLE users (
    user_id TEXT PRIMARY KEY,
    user_email TEXT,
    user_alias TEXT,${PRINCIPAL_COLUMNS}
  ) STRICT;

  CREATE TABLE keys (
    token TEXT PRIMARY KEY,
    key_name TEXT NOT NULL,
    key_alias TEXT,
    team_id TEXT REFERENCES teams (team_id),
    user_id TEXT REFERENCES users (user_id),
    aliases TEXT NOT NULL DEFAULT '{}',
    tags TEXT NOT NULL DEFAULT '[]',
    expires_at INTEGER,${PRINCIPAL_COLUMNS}
  ) STRICT;

  -- A counter of changes to keys, teams and users (not their spend rollups): what the gateway polls
  -- to reload its in-memory copy. SQLite's data_version would also move on every spend batch the
  -- ledger's writer thread commits, and reload everything each time.
  CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
  INSERT INTO meta (name, value) VALUES ('accounts_version', 0);
${["keys", "teams", "users"].map((table) => accountsTriggers(table)).join("\n")}

  -- Foreign-key checks on team delete and the list filters.
  CREATE INDEX keys_team ON keys (team_id);
  CREATE INDEX keys_user ON keys (user_id);
  CREATE INDEX keys_alias ON keys (key_alias);

  -- No foreign key to keys: deleting a key keeps its history.
  CREATE TABLE spend_logs (
    call_id TEXT PRIMARY KEY,
    token TEXT,
    key_alias TEXT,
    team_id TEXT,
    user_id TEXT,
    end_user TEXT,
    operation TEXT NOT NULL,
    model_requested TEXT NOT NULL,
    deployment_id TEXT,
    provider TEXT,
    upstream_model TEXT,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cache_read_tokens INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL,
    cost_nano INTEGER,
    status INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'error', 'cancelled')),
    error_code TEXT,
    started_at INTEGER NOT NULL,
    ended_at INTEGER NOT NULL,
    ttft_ms INTEGER,
    stream INTEGER NOT NULL CHECK (stream IN (0, 1)),
    tags TEXT NOT NULL DEFAULT '[]',
    -- The budget windows the row was counted in, so rollups can be rebuilt from the log.
    window_key INTEGER,
    window_team INTEGER,
    window_user INTEGER
  ) STRICT;

  -- Every index is paid on every call's row, so only the common lookups have one (a key's or a
  -- team's spend, and time ranges); user and model filters scan the time range instead.
  CREATE INDEX spend_logs_token ON spend_logs (token, started_at);
  CREATE INDEX spend_logs_team ON spend_logs (team_id, started_at);
  CREATE INDEX spend_logs_started ON spend_logs (started_at);
  `,
  // Tenancy as LiteLLM models it: user roles, team members with roles, what plain members may do.
  `
  ALTER TABLE users ADD COLUMN user_role TEXT NOT NULL DEFAULT 'internal_user'
    CHECK (user_role IN ('proxy_admin', 'proxy_admin_viewer', 'internal_user', 'internal_user_viewer'));
  ALTER TABLE teams ADD COLUMN member_permissions TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE teams ADD COLUMN model_aliases TEXT NOT NULL DEFAULT '{}';

  CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams (team_id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (user_id),
    role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (team_id, user_id)
  ) STRICT;
  -- "Which teams is this user in" (self-service reads).
  CREATE INDEX team_members_user ON team_members (user_id);
${accountsTriggers("team_members", "role")}
  `,
  // Organisations above teams (LiteLLM's organization): their own models, budget and limits. A team
  // belongs to at most one; the ledger records the organisation and its budget window per call.
  `
  CREATE TABLE organizations (
    organization_id TEXT PRIMARY KEY,
    organization_alias TEXT,${PRINCIPAL_COLUMNS}
  ) STRICT;
${accountsTriggers("organizations")}

  ALTER TABLE teams ADD COLUMN organization_id TEXT REFERENCES organizations (organization_id);
  CREATE INDEX teams_organization ON teams (organization_id);

  ALTER TABLE spend_logs ADD COLUMN organization_id TEXT;
  ALTER TABLE spend_logs ADD COLUMN window_org INTEGER;
  `,
  // A member's budget and limits within its team (LiteLLM's max_budget_in_team, per-member rpm/tpm)
  // and its spend there, rolled up with the ledger like keys', teams' and users'; the ledger records
  // the member's budget window per call.
  `
  ALTER TABLE team_members ADD COLUMN max_budget_nano INTEGER;
  ALTER TABLE team_members ADD COLUMN rpm_limit INTEGER;
  ALTER TABLE team_members ADD COLUMN tpm_limit INTEGER;
  ALTER TABLE team_members ADD COLUMN spend_total_nano INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE team_members ADD COLUMN spend_window_nano INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE team_members ADD COLUMN spend_window_start INTEGER NOT NULL DEFAULT 0;
  -- A settings change is an accounts change (the gateway reloads); a spend rollup is not.
  CREATE TRIGGER team_members_limits_updated AFTER UPDATE OF max_budget_nano, rpm_limit, tpm_limit ON team_members
    BEGIN UPDATE meta SET value = value + 1 WHERE name = 'accounts_version'; END;

  ALTER TABLE spend_logs ADD COLUMN window_member INTEGER;
  `,
  // The id of the answer as its client saw it: LiteLLM's request_id, which clients look rows up by.
  `
  ALTER TABLE spend_logs ADD COLUMN response_id TEXT;
  CREATE INDEX spend_logs_response ON spend_logs (response_id) WHERE response_id IS NOT NULL;
  `,
  // Models added at run time (/model/new), with the marker gateways poll to apply them.
  `
  -- Models added at run time (/model/new), in LiteLLM's form. litellm_params never holds a literal
  -- secret: those are sealed (AES-GCM) in sealed_secrets.
  CREATE TABLE models (
    model_id TEXT PRIMARY KEY,
    model_name TEXT NOT NULL,
    litellm_params TEXT NOT NULL,
    model_info TEXT NOT NULL DEFAULT '{}',
    sealed_secrets TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;

  -- What gateways poll to apply another process's model changes without a restart.
  INSERT INTO meta (name, value) VALUES ('models_version', 0);
  CREATE TRIGGER models_inserted AFTER INSERT ON models BEGIN UPDATE meta SET value = value + 1 WHERE name = 'models_version'; END;
  CREATE TRIGGER models_deleted AFTER DELETE ON models BEGIN UPDATE meta SET value = value + 1 WHERE name = 'models_version'; END;
  CREATE TRIGGER models_updated AFTER UPDATE ON models BEGIN UPDATE meta SET value = value + 1 WHERE name = 'models_version'; END;
  `,
  // MCP servers added at run time (POST /v1/mcp/server), with the marker gateways poll to apply them.
  `
  -- MCP servers added at run time, in LiteLLM's form. Their credentials (auth_value, static_headers)
  -- are never stored in the clear: sealed_secrets holds them, AES-GCM sealed.
  CREATE TABLE mcp_servers (
    server_id TEXT PRIMARY KEY,
    server_name TEXT NOT NULL UNIQUE,
    settings TEXT NOT NULL,
    sealed_secrets TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;

  INSERT INTO meta (name, value) VALUES ('mcp_servers_version', 0);
  CREATE TRIGGER mcp_servers_inserted AFTER INSERT ON mcp_servers BEGIN UPDATE meta SET value = value + 1 WHERE name = 'mcp_servers_version'; END;
  CREATE TRIGGER mcp_servers_deleted AFTER DELETE ON mcp_servers BEGIN UPDATE meta SET value = value + 1 WHERE name = 'mcp_servers_version'; END;
  CREATE TRIGGER mcp_servers_updated AFTER UPDATE ON mcp_servers BEGIN UPDATE meta SET value = value + 1 WHERE name = 'mcp_servers_version'; END;
  `,
  // LiteLLM's object_permission of keys, teams and organisations (the MCP servers and tools they may
  // use), as JSON; NULL: none set. Changes go with updated_at, so the accounts triggers see them.
  `
  ALTER TABLE keys ADD COLUMN object_permission TEXT;
  ALTER TABLE teams ADD COLUMN object_permission TEXT;
  ALTER TABLE organizations ADD COLUMN object_permission TEXT;
  `,
];

/** The schema version this build writes: the number of migrations. */
export const SCHEMA_VERSION = MIGRATIONS.length;

function userVersion(db: Database): number {
  const row = db.query<{ user_version: number }, []>("PRAGMA user_version").get();
  return row?.user_version ?? 0;
}

/**
 * Brings the schema up to date and returns its version. Runs under `BEGIN IMMEDIATE` so processes
 * starting together serialise on the write lock (waiting out busy_timeout): the first migrates, the
 * rest re-read the version inside their own transaction and find nothing to do. Each migration and
 * its version bump commit together, so a crash never leaves a half-applied step.
 */
export function migrate(db: Database): number {
  const run = db.transaction(() => {
    const current = userVersion(db);
    if (current > SCHEMA_VERSION) {
      throw new Error(`database schema version ${current} is newer than this build supports (${SCHEMA_VERSION}); upgrade Switchboard`);
    }
    for (let version = current + 1; version <= SCHEMA_VERSION; version++) {
      const sql = MIGRATIONS[version - 1];
      if (sql === undefined) throw new Error(`migration ${version} is missing`);
      db.run(sql);
      // PRAGMA takes no parameters; `version` is an integer from this loop, never outside input.
      db.run(`PRAGMA user_version = ${version}`);
    }
    return userVersion(db);
  });
  return run.immediate();
}
