/** Response schemas of the management API, for the OpenAPI document (present.ts builds the values). */
import { Type, type Static, type TSchema } from "@sinclair/typebox";
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
  ...principal,
});

/** `/key/generate` and `/key/regenerate`: the only answers that carry the key itself. */
export const GeneratedKey = Type.Intersect([Type.Object({ key: Type.String({ description: "The new key. Shown once: store it now." }) }), KeyObject]);
export const KeyInfoResponse = Type.Object({ key: Type.String({ description: "The key's token." }), info: KeyObject });
export const KeyUpdateResponse = Type.Intersect([Type.Object({ key: Type.String({ description: "The key's token." }) }), KeyObject]);
export const KeyListResponse = Type.Object({
  keys: Type.Array(Type.Union([Type.String(), KeyObject]), { description: "Tokens, or key objects with return_full_object=true." }),
  total_count: Type.Integer(),
  current_page: Type.Integer(),
  total_pages: Type.Integer(),
});
export const DeletedKeys = Type.Object({ deleted_keys: Type.Array(Type.String()) });

export const TeamObject = Type.Object({ team_id: Type.String(), team_alias: nullable(Type.String()), tags: Type.Array(Type.String()), ...principal });
export const TeamInfoResponse = Type.Object({ team_id: Type.String(), team_info: TeamObject, keys: Type.Array(KeyObject) });
export const DeletedTeams = Type.Object({ deleted_teams: Type.Array(Type.String()) });

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
  teams: Type.Array(TeamObject, { description: "The teams the user is a member of." }),
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

const count = Type.Integer({ minimum: 0 });
export const SpendLog = Type.Object({
  request_id: Type.String(),
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
  end_user: nullable(Type.String({ description: "The request's `user` field." })),
  request_tags: Type.Array(Type.String()),
  status: Type.Union([Type.Literal("success"), Type.Literal("failure")]),
  http_status: Type.Integer(),
  outcome: Type.Union([Type.Literal("ok"), Type.Literal("error"), Type.Literal("cancelled")]),
  error_code: nullable(Type.String()),
  stream: Type.Boolean(),
});
export const SpendLogs = Type.Array(SpendLog, { description: "Newest first." });

export const SpendReport = Type.Object({
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

/** JSON types of the answers, for clients in TypeScript (and the tests). */
export type KeyObjectJson = Static<typeof KeyObject>;
export type GeneratedKeyJson = Static<typeof GeneratedKey>;
export type KeyInfoJson = Static<typeof KeyInfoResponse>;
export type KeyListJson = Static<typeof KeyListResponse>;
export type TeamObjectJson = Static<typeof TeamObject>;
export type TeamInfoJson = Static<typeof TeamInfoResponse>;
export type UserObjectJson = Static<typeof UserObject>;
export type UserInfoJson = Static<typeof UserInfoResponse>;
export type NewUserJson = Static<typeof NewUserResponse>;
export type UserListJson = Static<typeof UserListResponse>;
export type SpendLogJson = Static<typeof SpendLog>;
export type SpendReportJson = Static<typeof SpendReport>;
