/**
 * Request schemas of the management API, in LiteLLM's field names. Bodies are strict
 * (`additionalProperties: false`): a field the caller may not set (`spend`, `token`,
 * `created_at`) or a typo is a 400 naming it, never silently ignored. `null` clears a field on
 * update and means "not set" on create, as LiteLLM clients send it.
 */
import { Type, type Static, type TSchema } from "@sinclair/typebox";
import { USER_ROLES } from "../store/types.ts";
import { ObjectPermissionBody } from "./object-permission.ts";
import { refusedFields, unappliedFields } from "./unapplied-fields.ts";

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
  object_permission: optional(ObjectPermissionBody),
};

/** LiteLLM key fields Switchboard accepts without applying them (named in the answer's `warnings`). */
export const KEY_UNAPPLIED = [
  "soft_budget",
  "guardrails",
  "permissions",
  "model_max_budget",
  "model_rpm_limit",
  "model_tpm_limit",
  "allowed_cache_controls",
  "config",
  "send_invite_email",
  "enforced_params",
  "budget_id",
  "prompts",
  "key_type",
  "allowed_routes",
  "auto_rotate",
  "rotation_interval",
] as const;

/** LiteLLM key fields refused with their reason: ignoring them would do something else than asked. */
const keyRefused = refusedFields({
  spend: "a key's spend is the ledger's sum of its calls and cannot be set (a user's budget spend resets with spend: 0 on /user/update)",
  organization_id: "a key belongs to the organisation of its team: give it a team_id of that organisation",
});

/** A key or its token (the SHA-256 of the key, as `/key/info` reports it). */
const KeyRef = Type.String({ minLength: 1, description: "The key (sk-...) or its token." });

export const GenerateKeyBody = Type.Object(
  {
    ...keyFields,
    ...unappliedFields(KEY_UNAPPLIED),
    ...keyRefused,
    ...refusedFields({ key: "switchboard makes every key itself from 256 random bits; a key string of the caller's choosing is refused" }),
  },
  strict,
);
export type GenerateKeyBody = Static<typeof GenerateKeyBody>;
export type KeyFields = GenerateKeyBody;

export const UpdateKeyBody = Type.Object({ key: KeyRef, ...keyFields, ...unappliedFields(KEY_UNAPPLIED), ...keyRefused }, strict);
export type UpdateKeyBody = Static<typeof UpdateKeyBody>;

export const KeyRefBody = Type.Object({ key: KeyRef }, strict);
export type KeyRefBody = Static<typeof KeyRefBody>;

export const DeleteKeysBody = Type.Object(
  { keys: Type.Optional(Type.Array(KeyRef)), key_aliases: Type.Optional(Type.Array(Type.String({ minLength: 1 }))) },
  strict,
);
export type DeleteKeysBody = Static<typeof DeleteKeysBody>;

const Email = Type.String({ minLength: 1, maxLength: 320 });
const MemberRole = Type.Union([Type.Literal("admin"), Type.Literal("user")], { description: "admin: manages the team's keys and members; user: uses the team." });

/** A team member as LiteLLM names one: a user by id, or by email (found, or created when missing). */
export const MemberSchema = Type.Object(
  { role: MemberRole, user_id: optional(Id), user_email: optional(Email) },
  { ...strict, description: "user_id or user_email (or both); an email alone finds the user with it, or creates one." },
);
export type MemberBody = Static<typeof MemberSchema>;

/**
 * Team fields LiteLLM documents that Switchboard does not apply (guardrails, per-model limits,
 * member defaults, ...). `name` is not LiteLLM's either, but its own tests send it and it ignores it.
 */
export const TEAM_UNAPPLIED = [
  "soft_budget",
  "guardrails",
  "policies",
  "prompts",
  "allowed_passthrough_routes",
  "secret_manager_settings",
  "model_rpm_limit",
  "model_tpm_limit",
  "rpm_limit_type",
  "tpm_limit_type",
  "team_member_budget",
  "team_member_budget_duration",
  "team_member_rpm_limit",
  "team_member_tpm_limit",
  "team_member_key_duration",
  "allowed_vector_store_indexes",
  "enforced_batch_output_expires_after",
  "enforced_file_expires_after",
  "router_settings",
  "access_group_ids",
  "budget_limits",
  "default_team_member_models",
] as const;
/** On create only: LiteLLM's deprecated member lists (members_with_roles replaced them) and the stray `name`. */
export const NEW_TEAM_UNAPPLIED = [...TEAM_UNAPPLIED, "admins", "members", "name"] as const;

/** Settable fields of a team. */
export const teamFields = {
  ...principalFields,
  team_alias: optional(Type.String({ minLength: 1, maxLength: 256 })),
  organization_id: optional({ ...Id, description: "The organisation the team belongs to (must exist; the team's models, max_budget and limits must fit within its)." }),
  tags: optional(Names),
  team_member_permissions: optional(Type.Array(Type.String({ minLength: 1 }), { description: "Management routes a plain member may call on the team's keys, e.g. /key/generate." })),
  model_aliases: optional(Type.Record(Type.String({ minLength: 1 }), Type.String({ minLength: 1 }), { description: "Model aliases for the team's keys: alias -> model name." })),
  object_permission: optional(ObjectPermissionBody),
};
export const NewTeamBody = Type.Object(
  { team_id: Type.Optional(Id), ...teamFields, members_with_roles: optional(Type.Array(MemberSchema)), ...unappliedFields(NEW_TEAM_UNAPPLIED) },
  strict,
);
export type NewTeamBody = Static<typeof NewTeamBody>;
export const UpdateTeamBody = Type.Object({ team_id: Id, ...teamFields, ...unappliedFields(TEAM_UNAPPLIED) }, strict);
export type UpdateTeamBody = Static<typeof UpdateTeamBody>;
export const DeleteTeamsBody = Type.Object({ team_ids: Type.Array(Id, { minItems: 1 }) }, strict);
export type DeleteTeamsBody = Static<typeof DeleteTeamsBody>;
export const TeamRefBody = Type.Object({ team_id: Id }, strict);
export type TeamRefBody = Static<typeof TeamRefBody>;

const InTeamBudget = optional({ ...Dollars, description: "US dollars this member may spend with the team's keys (all time)." });

/** `/team/member_add`: one member or several, each joining with `max_budget_in_team` when given. */
export const MemberAddBody = Type.Object({ team_id: Id, member: Type.Union([MemberSchema, Type.Array(MemberSchema, { minItems: 1 })]), max_budget_in_team: InTeamBudget }, strict);
export type MemberAddBody = Static<typeof MemberAddBody>;
/** `/team/member_delete`: a member by user_id or user_email. */
export const MemberDeleteBody = Type.Object({ team_id: Id, user_id: optional(Id), user_email: optional(Email) }, strict);
export type MemberDeleteBody = Static<typeof MemberDeleteBody>;
/** `/team/member_update`: a member's role, budget and limits within the team (null clears a limit). */
export const MemberUpdateBody = Type.Object(
  { team_id: Id, user_id: optional(Id), user_email: optional(Email), role: optional(MemberRole), max_budget_in_team: InTeamBudget, rpm_limit: optional(Count), tpm_limit: optional(Count) },
  strict,
);
export type MemberUpdateBody = Static<typeof MemberUpdateBody>;

/** LiteLLM's organisation fields that Switchboard accepts but does not apply (budgets live on the organisation itself, no budget rows). */
export const ORGANIZATION_UNAPPLIED = ["budget_id", "soft_budget", "model_max_budget", "model_rpm_limit", "model_tpm_limit"] as const;
/** On update LiteLLM also takes who made the change. */
export const ORGANIZATION_UPDATE_UNAPPLIED = [...ORGANIZATION_UNAPPLIED, "updated_by"] as const;

const OrganizationAlias = Type.String({ minLength: 1, maxLength: 256 });
export const NewOrganizationBody = Type.Object(
  { organization_id: Type.Optional(Id), organization_alias: OrganizationAlias, ...principalFields, object_permission: optional(ObjectPermissionBody), ...unappliedFields(ORGANIZATION_UNAPPLIED) },
  strict,
);
export type NewOrganizationBody = Static<typeof NewOrganizationBody>;
export const UpdateOrganizationBody = Type.Object(
  {
    organization_id: Id,
    organization_alias: optional(OrganizationAlias),
    ...principalFields,
    object_permission: optional(ObjectPermissionBody),
    ...unappliedFields(ORGANIZATION_UPDATE_UNAPPLIED),
  },
  strict,
);
export type UpdateOrganizationBody = Static<typeof UpdateOrganizationBody>;
export const DeleteOrganizationsBody = Type.Object({ organization_ids: Type.Array(Id, { minItems: 1 }) }, strict);
export type DeleteOrganizationsBody = Static<typeof DeleteOrganizationsBody>;
/** LiteLLM's older POST form of `/organization/info`: several ids at once. */
export const OrganizationsInfoBody = Type.Object({ organizations: Type.Array(Id, { minItems: 1 }) }, strict);
export type OrganizationsInfoBody = Static<typeof OrganizationsInfoBody>;
export const OrganizationInfoQuery = Type.Object({ organization_id: Type.String({ minLength: 1 }) });

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
export const TeamListQuery = Type.Object({ user_id: param("Only the teams this user is a member of.") });
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
  request_id: param("The id of an answer (chatcmpl-…, msg_…) or a call id (x-switchboard-call-id)."),
  api_key: param("A key (sk-...) or its token."),
  user_id: param("Only this user's calls."),
  team_id: param("Only this team's calls."),
  model: param("Only calls to this model name (as the client sent it)."),
  start_date: dateParam("From"),
  end_date: dateParam("Until"),
  limit: whole("Rows, 1 to 1000 (default 100)."),
  offset: whole("Rows to skip (default 0)."),
  summarize: Type.Optional(
    Type.Literal("false", {
      description: "LiteLLM's switch between rows (false) and a per-day summary (true): only rows are answered; /spend/totals and /global/spend/report summarise.",
      errorMessage: "only 'false' (rows) is answered here; for spend per day use GET /spend/totals or /global/spend/report",
    }),
  ),
});
export const ReportGroups = ["day", "model", "key", "team", "user"] as const;
export const SpendTotalsQuery = Type.Object({
  start_date: dateParam("From"),
  end_date: dateParam("Until"),
  group_by: Type.Optional(Type.Union(ReportGroups.map((g) => Type.Literal(g)), { description: "How rows are grouped (default day)." })),
});
/** LiteLLM's groupings of `/global/spend/report`. */
export const LiteLLMReportGroups = ["team", "customer", "api_key"] as const;
export const SpendReportQuery = Type.Object({
  start_date: dateParam("From"),
  end_date: dateParam("Until"),
  group_by: Type.Optional(
    Type.Union(
      LiteLLMReportGroups.map((g) => Type.Literal(g)),
      {
        description: "team (default), customer or api_key, as LiteLLM groups.",
        errorMessage: 'expected "team", "customer" or "api_key" (LiteLLM\'s groupings); GET /spend/totals groups by day, model, key, team or user',
      },
    ),
  ),
  api_key: param("One key's spend by model (a key sk-... or its token); takes precedence over group_by."),
  internal_user_id: param("One user's keys' spend by model; takes precedence over group_by."),
  team_id: param("With customer_id: that team's spend for that customer, by day."),
  customer_id: param("With team_id: see team_id."),
});
