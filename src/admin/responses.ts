/** Response schemas of the management API, for the OpenAPI document (present.ts builds the values). */
import { Type, type Static, type TSchema } from "@sinclair/typebox";
import { ObjectPermissionObject } from "./object-permission.ts";
import { WarningsProperty } from "./unapplied-fields.ts";

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Time = Type.String({ format: "date-time" });
const Usd = Type.String({ description: "Exact US dollars as a decimal string." });

const principal = {
  models: Type.Array(Type.String()),
  max_budget: nullable(Type.Number({ description: "US dollars." })),
  budget_duration: nullable(Type.String()),
  budget_reset_at: nullable(Time),
  rpm_limit: nullable(Type.Integer()),
  tpm_limit: nullable(Type.Integer()),
  max_parallel_requests: nullable(Type.Integer()),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  blocked: Type.Boolean(),
  spend: Type.Number({ description: "US dollars spent in the current budget window (all time without budget_duration), calls in flight settled included." }),
  spend_usd: Usd,
  total_spend: Type.Number({ description: "US dollars spent over the whole life." }),
  total_spend_usd: Usd,
  created_at: Time,
  updated_at: Time,
};

/** A key without its secret. */
export const KeyObject = Type.Object({
  token: Type.String({ description: "SHA-256 of the key (hex): its id." }),
  key_name: Type.String({ description: "The key masked: sk-...abcd." }),
  key_alias: nullable(Type.String()),
  expires: nullable(Time),
  team_id: nullable(Type.String()),
  user_id: nullable(Type.String()),
  aliases: Type.Record(Type.String(), Type.String()),
  tags: Type.Array(Type.String()),
  object_permission: ObjectPermissionObject,
  ...principal,
});

/** `/key/generate` and `/key/regenerate`: the only answers that carry the key itself. */
export const GeneratedKey = Type.Intersect([
  Type.Object({
    key: Type.String({ description: "The new key. Shown once: store it now." }),
    token_id: Type.String({ description: "The key's token again, under the name LiteLLM's answer gives it." }),
    ...WarningsProperty,
  }),
  KeyObject,
]);
export const KeyInfoResponse = Type.Object({ key: Type.String({ description: "The key's token." }), info: KeyObject });
export const KeyUpdateResponse = Type.Intersect([Type.Object({ key: Type.String({ description: "The key's token." }), ...WarningsProperty }), KeyObject]);
export const KeyListResponse = Type.Object({
  keys: Type.Array(Type.Union([Type.String(), KeyObject]), { description: "Tokens, or key objects with return_full_object=true." }),
  total_count: Type.Integer(),
  current_page: Type.Integer(),
  total_pages: Type.Integer(),
});
export const DeletedKeys = Type.Object({ deleted_keys: Type.Array(Type.String()) });

export const TeamMemberObject = Type.Object({ user_id: Type.String(), user_email: nullable(Type.String()), role: Type.Union([Type.Literal("admin"), Type.Literal("user")]) });
export const TeamObject = Type.Object({
  team_id: Type.String(),
  team_alias: nullable(Type.String()),
  organization_id: nullable(Type.String()),
  tags: Type.Array(Type.String()),
  members_with_roles: Type.Array(TeamMemberObject, { description: "Members in the order they joined." }),
  team_member_permissions: Type.Array(Type.String(), { description: "Management routes a plain member may call on the team's keys." }),
  model_aliases: Type.Record(Type.String(), Type.String(), { description: "Model aliases for the team's keys: alias -> model name." }),
  object_permission: ObjectPermissionObject,
  ...principal,
});
/** A user's membership of a team: its spend with the team's keys, its budget and limits there. */
export const TeamMembershipObject = Type.Object({
  team_id: Type.String(),
  user_id: Type.String(),
  budget_id: Type.Null(),
  spend: Type.Number({ description: "US dollars the member spent with the team's keys (all time), calls in flight settled included." }),
  spend_usd: Usd,
  litellm_budget_table: Type.Object({
    budget_id: Type.Null(),
    max_budget: nullable(Type.Number({ description: "max_budget_in_team, US dollars." })),
    soft_budget: Type.Null(),
    budget_duration: Type.Null(),
    max_parallel_requests: Type.Null(),
    rpm_limit: nullable(Type.Integer()),
    tpm_limit: nullable(Type.Integer()),
    model_max_budget: Type.Null(),
  }),
});
const memberships = Type.Array(TeamMembershipObject);
export const TeamInfoResponse = Type.Object({ team_id: Type.String(), team_info: TeamObject, keys: Type.Array(KeyObject), team_memberships: memberships });
export const TeamListEntry = Type.Intersect([TeamObject, Type.Object({ team_memberships: memberships, keys: Type.Array(KeyObject) })]);
export const TeamUpdateResponse = Type.Object({ team_id: Type.String(), data: TeamObject, ...WarningsProperty });
export const DeletedTeams = Type.Object({ deleted_teams: Type.Array(Type.String()) });

/** An organisation's budget as LiteLLM nests it (its litellm_budget_table); the same values as the top-level fields. */
const OrganizationBudget = Type.Object({
  max_budget: principal.max_budget,
  budget_duration: principal.budget_duration,
  budget_reset_at: principal.budget_reset_at,
  rpm_limit: principal.rpm_limit,
  tpm_limit: principal.tpm_limit,
  max_parallel_requests: principal.max_parallel_requests,
});

/** An organisation with its teams (LiteLLM's LiteLLM_OrganizationTableWithMembers, without members). */
export const OrganizationObject = Type.Object({
  organization_id: Type.String(),
  organization_alias: nullable(Type.String()),
  object_permission: ObjectPermissionObject,
  ...principal,
  litellm_budget_table: OrganizationBudget,
  teams: Type.Array(TeamObject),
});
export const NewOrganizationResponse = Type.Intersect([OrganizationObject, Type.Object(WarningsProperty)]);
export const OrganizationList = Type.Array(OrganizationObject);

export const UserObject = Type.Object({
  user_id: Type.String(),
  user_email: nullable(Type.String()),
  user_alias: nullable(Type.String()),
  user_role: Type.String({ description: "proxy_admin, proxy_admin_viewer, internal_user or internal_user_viewer." }),
  teams: Type.Array(Type.String(), { description: "Ids of the teams the user is a member of." }),
  ...principal,
});
export const UserInfoResponse = Type.Object({
  user_id: Type.String(),
  user_info: UserObject,
  keys: Type.Array(KeyObject),
  teams: Type.Array(Type.Intersect([TeamObject, Type.Object({ team_memberships: memberships })]), {
    description: "The teams the user is a member of, each with the user's membership (its spend and budget in the team).",
  }),
});
/** `/user/new`: the user, and its first key as `/key/generate` answers it (null with auto_create_key: false). */
export const NewUserResponse = Type.Intersect([
  UserObject,
  Type.Object({
    key: nullable(Type.String({ description: "The user's first key. Shown once: store it now." })),
    token: nullable(Type.String({ description: "The first key's token." })),
    key_name: nullable(Type.String()),
    key_alias: nullable(Type.String()),
    expires: nullable(Time),
    team_id: nullable(Type.String({ description: "The first key's team." })),
    aliases: Type.Record(Type.String(), Type.String()),
  }),
  Type.Object(WarningsProperty),
]);
export const UserUpdateResponse = Type.Object({ user_id: Type.String(), data: UserObject, ...WarningsProperty });
export const DeletedUsers = Type.Object({ deleted_users: Type.Array(Type.String()), deleted_keys: Type.Integer({ description: "How many of their keys were deleted with them." }) });
export const UserListResponse = Type.Object({
  users: Type.Array(Type.Intersect([UserObject, Type.Object({ key_count: Type.Integer() })])),
  total: Type.Integer(),
  page: Type.Integer(),
  page_size: Type.Integer(),
  total_pages: Type.Integer(),
});

export const TeamWithWarnings = Type.Intersect([TeamObject, Type.Object(WarningsProperty)]);
/** `/team/member_add`: the team, and the users and memberships the call touched. */
export const MemberAddResponse = Type.Intersect([
  TeamObject,
  Type.Object({
    updated_users: Type.Array(Type.Union([UserObject, Type.Object({ user_id: Type.String(), user_email: nullable(Type.String()) })]), {
      description: "The users added: whole user objects for proxy admins and viewers, their ids and emails for a team's admin.",
    }),
    updated_team_memberships: memberships,
  }),
]);
export const MemberUpdateResponse = Type.Object({
  team_id: Type.String(),
  user_id: Type.String(),
  user_email: nullable(Type.String()),
  max_budget_in_team: nullable(Type.Number()),
  rpm_limit: nullable(Type.Integer()),
  tpm_limit: nullable(Type.Integer()),
});

const count = Type.Integer({ minimum: 0 });
export const SpendLog = Type.Object({
  request_id: Type.String({ description: "The id of the answer as its client saw it (chatcmpl-…, msg_…), as LiteLLM's request_id; the call id when the answer had none." }),
  call_id: Type.String({ description: "The gateway's call id (the x-switchboard-call-id header)." }),
  call_type: Type.String(),
  api_key: Type.String({ description: "The key's token; '' for the master key." }),
  key_alias: nullable(Type.String()),
  spend: nullable(Type.Number({ description: "US dollars; null when the cost is unknown (the deployment's model has no price)." })),
  spend_usd: nullable(Usd),
  total_tokens: count,
  prompt_tokens: count,
  completion_tokens: count,
  cache_read_input_tokens: count,
  cache_creation_input_tokens: count,
  reasoning_tokens: count,
  startTime: Time,
  endTime: Time,
  completionStartTime: nullable(Time),
  ttft_ms: nullable(count),
  model: Type.String({ description: "The model name the client sent." }),
  model_id: nullable(Type.String({ description: "The deployment that served it." })),
  upstream_model: nullable(Type.String()),
  custom_llm_provider: nullable(Type.String()),
  user: Type.String({ description: "The key's user id; '' when none." }),
  team_id: nullable(Type.String()),
  organization_id: nullable(Type.String({ description: "The organisation of the key's team." })),
  end_user: nullable(Type.String({ description: "The request's `user` field." })),
  request_tags: Type.Array(Type.String()),
  status: Type.Union([Type.Literal("success"), Type.Literal("failure")]),
  http_status: Type.Integer(),
  outcome: Type.Union([Type.Literal("ok"), Type.Literal("error"), Type.Literal("cancelled")]),
  error_code: nullable(Type.String()),
  stream: Type.Boolean(),
  metadata: Type.Object(
    {
      user_api_key: nullable(Type.String()),
      user_api_key_alias: nullable(Type.String()),
      user_api_key_team_id: nullable(Type.String()),
      user_api_key_org_id: nullable(Type.String()),
      user_api_key_user_id: nullable(Type.String()),
    },
    { description: "Who made the call, in the names LiteLLM's spend-log metadata uses." },
  ),
});
export const SpendLogs = Type.Array(SpendLog, { description: "Newest first." });

/** `/spend/totals`: Switchboard's report, one grouping at a time, money exact and unpriced calls counted apart. */
export const SpendTotals = Type.Object({
  group_by: Type.String(),
  start_date: nullable(Type.String()),
  end_date: nullable(Type.String()),
  rows: Type.Array(
    Type.Object({
      group: Type.String({ description: "The day (YYYY-MM-DD, UTC), model, key token, team id or user id; '' for calls without one." }),
      spend: Type.Number({ description: "US dollars of the calls whose cost is known." }),
      spend_usd: Usd,
      requests: count,
      unpriced_requests: Type.Integer({ minimum: 0, description: "Calls whose cost is unknown (their model has no price): not in `spend`." }),
      prompt_tokens: count,
      completion_tokens: count,
      cache_read_input_tokens: count,
      cache_creation_input_tokens: count,
    }),
  ),
});

const dollars = (what: string) => Type.Number({ description: `US dollars ${what} (calls whose model has no price count 0).` });
/** Spend of one model through one key, inside a team's or customer's day. */
const ReportLine = Type.Object({
  model: Type.String(),
  api_key: Type.String({ description: "The key's token; '' for the master key." }),
  spend: dollars("of these calls"),
  spend_usd: Usd,
  total_tokens: count,
});
const spendOf = { total_spend: dollars("in total"), total_spend_usd: Usd, metadata: Type.Array(ReportLine) };
const teamName = Type.String({ description: "The team's alias, else its id; 'Unassigned Team' for calls without a team." });
const day = Type.String({ description: "The UTC day, as LiteLLM writes it: 2025-01-31T00:00:00+00:00." });
const TeamDay = Type.Object({ group_by_day: day, teams: Type.Array(Type.Object({ team_name: teamName, team_id: nullable(Type.String()), ...spendOf })) });
const CustomerDay = Type.Object({
  group_by_day: day,
  customers: Type.Array(Type.Object({ customer: nullable(Type.String({ description: "The request's `user`; null for calls without one." })), ...spendOf })),
});
const TeamCustomerDay = Type.Object({
  group_by_day: day,
  teams_customers: Type.Array(Type.Object({ team_name: teamName, team_id: nullable(Type.String()), customer: nullable(Type.String()), ...spendOf })),
});
const modelCost = { total_cost: dollars("in total"), total_cost_usd: Usd, total_input_tokens: count, total_output_tokens: count };
const KeySpend = Type.Object({
  api_key: Type.String({ description: "The key's token; '' for the master key." }),
  ...modelCost,
  model_details: Type.Array(Type.Object({ model: Type.String(), ...modelCost })),
});
/**
 * `/global/spend/report` in LiteLLM's shapes: days of teams (group_by=team, the default), of
 * customers (group_by=customer) or of one team's customer (team_id with customer_id); keys with
 * their models (group_by=api_key, api_key=, internal_user_id=). Each dollar figure has an exact `*_usd` twin.
 */
export const SpendReport = Type.Array(Type.Union([TeamDay, CustomerDay, TeamCustomerDay, KeySpend]));

/** JSON types of the answers, for clients in TypeScript (and the tests). */
export type KeyObjectJson = Static<typeof KeyObject>;
export type GeneratedKeyJson = Static<typeof GeneratedKey>;
export type KeyInfoJson = Static<typeof KeyInfoResponse>;
export type KeyListJson = Static<typeof KeyListResponse>;
export type TeamObjectJson = Static<typeof TeamObject>;
export type TeamInfoJson = Static<typeof TeamInfoResponse>;
export type OrganizationObjectJson = Static<typeof OrganizationObject>;
export type NewOrganizationJson = Static<typeof NewOrganizationResponse>;
export type TeamMembershipJson = Static<typeof TeamMembershipObject>;
export type TeamListEntryJson = Static<typeof TeamListEntry>;
export type TeamUpdateJson = Static<typeof TeamUpdateResponse>;
export type MemberAddJson = Static<typeof MemberAddResponse>;
export type MemberUpdateJson = Static<typeof MemberUpdateResponse>;
export type UserObjectJson = Static<typeof UserObject>;
export type UserInfoJson = Static<typeof UserInfoResponse>;
export type NewUserJson = Static<typeof NewUserResponse>;
export type UserListJson = Static<typeof UserListResponse>;
export type SpendLogJson = Static<typeof SpendLog>;
export type SpendTotalsJson = Static<typeof SpendTotals>;
export type SpendReportJson = Static<typeof SpendReport>;
