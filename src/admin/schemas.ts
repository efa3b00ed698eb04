/**
 * Request schemas of the management API, in LiteLLM's field names. Bodies are strict
 * (`additionalProperties: false`): a field the caller may not set (`spend`, `token`,
 * `created_at`) or a typo is a 400 naming it, never silently ignored. `null` clears a field on
 * update and means "not set" on create, as LiteLLM clients send it.
 */
import { Type, type Static, type TSchema } from "@sinclair/typebox";
import { USER_ROLES } from "../store/types.ts";
import { unappliedFields } from "./unapplied-fields.ts";

const strict = { additionalProperties: false } as const;
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const optional = <T extends TSchema>(schema: T) => Type.Optional(nullable(schema));

/** `<n>s|m|h|d|mo`; checked with budgets/window.ts's parseDuration. */
export const DurationSchema = Type.String({
  pattern: "^[1-9][0-9]{0,5}(s|m|h|d|mo)$",
  errorMessage: "expected a duration such as 30s, 15m, 1h, 30d or 1mo",
  description: "A duration: <n>s, <n>m, <n>h, <n>d or <n>mo (calendar months), e.g. 30d.",
  examples: ["30d"],
});
const Dollars = Type.Number({ minimum: 0, description: "US dollars." });
const Count = Type.Integer({ minimum: 0 });
const Names = Type.Array(Type.String({ minLength: 1 }));
const Metadata = Type.Record(Type.String(), Type.Unknown());
const Id = Type.String({ minLength: 1, maxLength: 256 });

/** Fields keys, teams and users share. */
const principalFields = {
  models: optional(Type.Array(Type.String({ minLength: 1 }), { description: "Model names, aliases or patterns ('mock/*') allowed; empty: all." })),
  max_budget: optional(Dollars),
  budget_duration: optional(DurationSchema),
  rpm_limit: optional(Count),
  tpm_limit: optional(Count),
  max_parallel_requests: optional(Count),
  metadata: optional(Metadata),
  blocked: optional(Type.Boolean()),
};

/** The shared fields as a type. */
export const PrincipalBody = Type.Object(principalFields, strict);
export type PrincipalBody = Static<typeof PrincipalBody>;

/** Settable fields of a key. */
export const keyFields = {
  ...principalFields,
  aliases: optional(Type.Record(Type.String({ minLength: 1 }), Type.String({ minLength: 1 }), { description: "Model aliases: alias -> model name." })),
  duration: optional({ ...DurationSchema, description: "The key expires this long after it is set (null: never)." }),
  key_alias: optional(Type.String({ minLength: 1, maxLength: 256 })),
  team_id: optional(Id),
  user_id: optional(Id),
  tags: optional(Names),
};

/** A key or its token (the SHA-256 of the key, as `/key/info` reports it). */
const KeyRef = Type.String({ minLength: 1, description: "The key (sk-...) or its token." });

export const GenerateKeyBody = Type.Object(keyFields, strict);
export type GenerateKeyBody = Static<typeof GenerateKeyBody>;
export type KeyFields = GenerateKeyBody;

export const UpdateKeyBody = Type.Object({ key: KeyRef, ...keyFields }, strict);
export type UpdateKeyBody = Static<typeof UpdateKeyBody>;

export const KeyRefBody = Type.Object({ key: KeyRef }, strict);
export type KeyRefBody = Static<typeof KeyRefBody>;

export const DeleteKeysBody = Type.Object(
  { keys: Type.Optional(Type.Array(KeyRef)), key_aliases: Type.Optional(Type.Array(Type.String({ minLength: 1 }))) },
  strict,
);
export type DeleteKeysBody = Static<typeof DeleteKeysBody>;

/** Settable fields of a team. */
export const teamFields = { ...principalFields, team_alias: optional(Type.String({ minLength: 1, maxLength: 256 })), tags: optional(Names) };
export const NewTeamBody = Type.Object({ team_id: Type.Optional(Id), ...teamFields }, strict);
export type NewTeamBody = Static<typeof NewTeamBody>;
export const UpdateTeamBody = Type.Object({ team_id: Id, ...teamFields }, strict);
export type UpdateTeamBody = Static<typeof UpdateTeamBody>;
export const DeleteTeamsBody = Type.Object({ team_ids: Type.Array(Id, { minItems: 1 }) }, strict);
export type DeleteTeamsBody = Static<typeof DeleteTeamsBody>;

/** Settable fields of a user. */
export const userFields = {
  ...principalFields,
  user_email: optional(Type.String({ minLength: 1, maxLength: 320 })),
  user_alias: optional(Type.String({ minLength: 1, maxLength: 256 })),
  user_role: optional(Type.Union(USER_ROLES.map((role) => Type.Literal(role)), { description: "proxy_admin, proxy_admin_viewer, internal_user (the default) or internal_user_viewer." })),
};

/** LiteLLM user fields accepted on /user/new and /user/update but not applied (named in `warnings`). */
export const UNAPPLIED_USER_FIELDS = [
  "send_invite_email",
  "sso_user_id",
  "organizations",
  "allowed_cache_controls",
  "config",
  "permissions",
  "model_max_budget",
  "model_rpm_limit",
  "model_tpm_limit",
  "guardrails",
  "soft_budget",
  "object_permission",
  "prompts",
  "policies",
  "agent_id",
  "budget_limits",
] as const;

/** A team to join on /user/new: its id, or LiteLLM's object with the member role. */
const NewUserTeam = Type.Union([
  Id,
  Type.Object(
    {
      team_id: Id,
      user_role: Type.Optional(Type.Union([Type.Literal("admin"), Type.Literal("user")])),
      max_budget_in_team: optional(Dollars),
    },
    strict,
  ),
]);

export const NewUserBody = Type.Object(
  {
    user_id: optional(Id),
    ...userFields,
    team_id: optional({ ...Id, description: "A team the user joins as a member (role user); its first key belongs to that team too." }),
    teams: optional(Type.Array(NewUserTeam, { description: "Teams the user joins (ids, or {team_id, user_role})." })),
    auto_create_key: Type.Optional(Type.Boolean({ description: "Create the user's first key and return it (default true)." })),
    key_alias: optional(Type.String({ minLength: 1, maxLength: 256, description: "Alias of the first key." })),
    duration: optional({ ...DurationSchema, description: "The first key expires this long after it is made (null: never)." }),
    aliases: optional(Type.Record(Type.String({ minLength: 1 }), Type.String({ minLength: 1 }), { description: "Model aliases of the first key: alias -> model name." })),
    spend: optional(Type.Literal(0, { description: "A new user's spend is 0 (LiteLLM's default)." })),
    ...unappliedFields(UNAPPLIED_USER_FIELDS),
  },
  strict,
);
export type NewUserBody = Static<typeof NewUserBody>;

export const UpdateUserBody = Type.Object(
  {
    user_id: optional(Id),
    ...userFields,
    spend: optional(Type.Literal(0, { description: "0 resets the spend the user's budget counts now (the ledger keeps its rows); other values are refused." })),
    ...unappliedFields([...UNAPPLIED_USER_FIELDS, "password", "teams", "team_id", "duration", "key_alias", "aliases"]),
  },
  strict,
);
export type UpdateUserBody = Static<typeof UpdateUserBody>;

export const DeleteUsersBody = Type.Object({ user_ids: Type.Array(Id, { minItems: 1 }) }, strict);
export type DeleteUsersBody = Static<typeof DeleteUsersBody>;

const param = (description: string) => Type.Optional(Type.String({ description }));
const whole = (description: string) => Type.Optional(Type.String({ pattern: "^[0-9]{1,9}$", errorMessage: "expected a whole number", description }));

export const KeyInfoQuery = Type.Object({ key: Type.Optional(Type.String({ minLength: 1, description: "The key (sk-...) or its token; absent: the calling key." })) });
export const KeyListQuery = Type.Object({
  team_id: param("Only this team's keys."),
  user_id: param("Only this user's keys."),
  key_alias: param("Only keys with this alias."),
  page: whole("Page number, from 1 (default 1)."),
  size: whole("Keys per page, 1 to 100 (default 10)."),
  return_full_object: Type.Optional(Type.Union([Type.Literal("true"), Type.Literal("false")], { description: "true: return key objects, not tokens." })),
});
export const TeamInfoQuery = Type.Object({ team_id: Type.String({ minLength: 1 }) });
export const UserInfoQuery = Type.Object({ user_id: Type.Optional(Type.String({ minLength: 1, description: "Absent: the calling key's user." })) });
export const UserListQuery = Type.Object({
  role: Type.Optional(Type.Union(USER_ROLES.map((role) => Type.Literal(role)), { description: "Only users with this role." })),
  user_ids: param("Only these users (comma-separated ids)."),
  user_email: param("Only users whose email contains this (case-insensitive)."),
  team: param("Only members of this team."),
  page: whole("Page number, from 1 (default 1)."),
  page_size: whole("Users per page, 1 to 100 (default 25)."),
  sort_by: Type.Optional(Type.Union(["user_id", "user_email", "created_at", "spend", "user_alias", "user_role"].map((c) => Type.Literal(c)), { description: "Sort column (default created_at, newest first)." })),
  sort_order: Type.Optional(Type.Union([Type.Literal("asc"), Type.Literal("desc")])),
});

const dateParam = (what: string) => param(`${what}: YYYY-MM-DD (a UTC day, inclusive) or an ISO 8601 timestamp.`);
export const SpendLogsQuery = Type.Object({
  api_key: param("A key (sk-...) or its token."),
  user_id: param("Only this user's calls."),
  team_id: param("Only this team's calls."),
  model: param("Only calls to this model name (as the client sent it)."),
  start_date: dateParam("From"),
  end_date: dateParam("Until"),
  limit: whole("Rows, 1 to 1000 (default 100)."),
  offset: whole("Rows to skip (default 0)."),
});
export const ReportGroups = ["day", "model", "key", "team", "user"] as const;
export const SpendReportQuery = Type.Object({
  start_date: dateParam("From"),
  end_date: dateParam("Until"),
  group_by: Type.Optional(Type.Union(ReportGroups.map((g) => Type.Literal(g)), { description: "How rows are grouped (default day)." })),
});
