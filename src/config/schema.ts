import { Type, type Static } from "@sinclair/typebox";
import { STRATEGIES } from "../router/types.ts";
import { CREDENTIAL_HEADERS, SECRET } from "./secrets.ts";

const strict = { additionalProperties: false } as const;
/** An http(s) URL; `expected` is what a config error says is wanted. */
const URL_PATTERN = { pattern: "^https?://", expected: "a URL starting with http:// or https://" } as const;

const perMillion = (what: string) => Type.Optional(Type.Number({ minimum: 0, description: `${what}, US dollars per million tokens.` }));

/** Rates of a long-context tier: the whole call is priced at them once its input passes `above` tokens. */
export const PriceTierSchema = Type.Object(
  {
    above: Type.Integer({ minimum: 0, description: "Input tokens (cached included) past which the whole call uses this tier's rates (LiteLLM's `_above_200k_tokens`: 200000)." }),
    input: perMillion("Uncached input in this tier"),
    output: perMillion("Output in this tier"),
    cache_read: perMillion("Input read from the prompt cache in this tier"),
    cache_write: perMillion("Input written to the prompt cache in this tier"),
    cache_write_1h: perMillion("Input written to the 1-hour prompt cache in this tier"),
  },
  strict,
);

/**
 * A deployment's price, laid field by field over the price data's row for its model, or standing
 * alone for a model the data lacks (then `input` and `output` are enough; no token limits needed).
 */
export const PriceSchema = Type.Object(
  {
    input: perMillion("Uncached input"),
    output: perMillion("Output"),
    cache_read: perMillion("Input read from the prompt cache (default: the input rate)"),
    cache_write: perMillion("Input written to the prompt cache, Anthropic's 5-minute writes (default: the input rate)"),
    cache_write_1h: perMillion("Input written to Anthropic's 1-hour prompt cache (default: cache_write)"),
    reasoning: perMillion("Reasoning tokens, where priced apart from output"),
    tiers: Type.Optional(
      Type.Array(PriceTierSchema, { description: "Long-context tiers; replace the price data's (an empty list removes them). A tier's missing rates are the base rates." }),
    ),
    context_window: Type.Optional(Type.Integer({ minimum: 1, description: "Largest prompt plus output, in tokens (bounds budget reservations)." })),
    max_output_tokens: Type.Optional(Type.Integer({ minimum: 1, description: "Largest output, in tokens (bounds budget reservations)." })),
  },
  strict,
);

/** One deployment: what clients call (`model_name`) and where it goes (`model` = `<provider>/<upstream model>`). */
export const ModelEntrySchema = Type.Object(
  {
    model_name: Type.String({ minLength: 1, description: "The name clients send; may end in `*` to match a family (`openai/*`)." }),
    model: Type.String({ minLength: 3, pattern: "^[a-z0-9_]+/.+$", expected: "<provider>/<upstream model>, e.g. openai/gpt-4o", description: "`<provider>/<upstream model>`; `*` is replaced by what a wildcard model_name matched." }),
    id: Type.Optional(Type.String({ minLength: 1, description: "Deployment id reported in x-switchboard-model-id; defaults to model_name + position." })),
    api_key: Type.Optional(Type.String({ ...SECRET, description: "A secret: write `os.environ/NAME`." })),
    api_base: Type.Optional(Type.String({ ...URL_PATTERN, description: "Upstream base URL, e.g. https://api.openai.com/v1." })),
    headers: Type.Optional(Type.Record(Type.String(), Type.String(), { ...CREDENTIAL_HEADERS, description: "Extra headers sent upstream; values of credential headers (Authorization, x-api-key, ...) are secrets." })),
    timeout_seconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: "Total time allowed for one upstream call." })),
    connect_timeout_seconds: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, description: "Time allowed to connect and receive the response headers; a deployment that does not answer is then retried elsewhere." }),
    ),
    first_byte_timeout_seconds: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, description: "Time allowed until the first byte of the answer (LiteLLM's stream_timeout); a slow deployment is then retried elsewhere." }),
    ),
    stream_idle_timeout_seconds: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, description: "Time allowed between two chunks of a stream once it started; the stream then ends with an in-stream timeout error." }),
    ),
    aliases: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: "Other names clients may use for this model." })),
    price: Type.Optional(PriceSchema),
    weight: Type.Optional(Type.Number({ minimum: 0, description: "Share of the group's traffic under simple-shuffle (default 1)." })),
    tags: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), { description: "Requests whose metadata.tags share a tag are routed here; `default` also takes requests without a matching tag." }),
    ),
    region: Type.Optional(Type.String({ minLength: 1, description: "Where the deployment runs (e.g. eu-west-1); reported by GET /health." })),
    order: Type.Optional(Type.Integer({ minimum: 0, description: "Priority under the `priority` strategy: lower first (default 0)." })),
    rpm: Type.Optional(Type.Integer({ minimum: 0, description: "Requests per minute this deployment may take; at the cap it is skipped." })),
    tpm: Type.Optional(Type.Integer({ minimum: 0, description: "Tokens per minute this deployment may take; at the cap it is skipped." })),
    use_in_pass_through: Type.Optional(
      Type.Boolean({
        description:
          "Lend this deployment's api_base and credential to its provider's pass-through route (/anthropic/*, /openai/*, …) for calls no deployment serves by model (LiteLLM's use_in_pass_through); the first such deployment of a provider wins over the provider's environment key.",
      }),
    ),
    api_version: Type.Optional(Type.String({ minLength: 1, description: "Azure OpenAI `api-version` (default: the provider's current GA version; `v1` for the v1 API)." })),
    aws_region_name: Type.Optional(Type.String({ minLength: 1, description: "Bedrock: the AWS region (default AWS_REGION / AWS_DEFAULT_REGION)." })),
    aws_access_key_id: Type.Optional(Type.String({ ...SECRET, minLength: 1, description: "Bedrock: a secret, `os.environ/AWS_ACCESS_KEY_ID` (the default)." })),
    aws_secret_access_key: Type.Optional(Type.String({ ...SECRET, minLength: 1, description: "Bedrock: a secret, `os.environ/AWS_SECRET_ACCESS_KEY` (the default)." })),
    aws_session_token: Type.Optional(Type.String({ ...SECRET, minLength: 1, description: "Bedrock: a secret, `os.environ/AWS_SESSION_TOKEN` (the default) for temporary credentials." })),
    vertex_project: Type.Optional(Type.String({ minLength: 1, description: "Vertex AI: the Google Cloud project (default: the service account's project_id)." })),
    vertex_location: Type.Optional(Type.String({ minLength: 1, description: "Vertex AI: the location, e.g. us-central1 or global (default VERTEXAI_LOCATION, else us-central1)." })),
    vertex_credentials: Type.Optional(
      Type.String({ ...SECRET, minLength: 1, description: "Vertex AI: a service-account JSON document or the path of one (default GOOGLE_APPLICATION_CREDENTIALS)." }),
    ),
  },
  strict,
);

/** The provider-specific settings of a deployment, handed to the provider that serves it. */
export type CloudSettings = Pick<
  Static<typeof ModelEntrySchema>,
  "api_base" | "api_version" | "aws_region_name" | "aws_access_key_id" | "aws_secret_access_key" | "aws_session_token" | "vertex_project" | "vertex_location" | "vertex_credentials" | "region"
>;

const StrategySchema = Type.Union(
  STRATEGIES.map((s) => Type.Literal(s)),
  { description: "How a model group picks a deployment: simple-shuffle (weighted, default), least-busy, latency-based, usage-based, cost-based or priority." },
);

const GroupPolicySchema = {
  strategy: Type.Optional(StrategySchema),
  num_retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 10, description: "Retries after the first attempt (default 2); a retry prefers another deployment." })),
  allowed_fails: Type.Optional(Type.Integer({ minimum: 0, description: "Failures within a minute before a deployment cools down (default 3)." })),
  cooldown_seconds: Type.Optional(Type.Number({ minimum: 0, description: "How long a failing deployment is left out (default 5)." })),
  retry_after_seconds: Type.Optional(
    Type.Number({ minimum: 0, maximum: 60, description: "Least wait before retrying the same deployment (LiteLLM's retry_after; default 0: the backoff alone). Another deployment is tried at once." }),
  ),
};

const FallbackMap = (what: string) =>
  Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 })), { description: `model name -> model names tried in order ${what}.` }));

/** The router: how groups of deployments under one model name are chosen, retried and backed up. */
export const RouterSchema = Type.Object(
  {
    ...GroupPolicySchema,
    health_check_interval_seconds: Type.Optional(
      Type.Number({ minimum: 5, description: "Check every deployment with a minimal real call this often, in the background (default: only on GET /health)." }),
    ),
    latency_buffer: Type.Optional(Type.Number({ minimum: 0, maximum: 10, description: "latency-based: deployments within this fraction of the fastest share the load (default 0.1)." })),
    fallbacks: FallbackMap("when the model's deployments all failed"),
    context_window_fallbacks: FallbackMap("when the prompt is too long for the model"),
    content_policy_fallbacks: FallbackMap("when the model's provider refused the content"),
    groups: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.Object(GroupPolicySchema, strict), { description: "Per model name: overrides of the settings above." })),
  },
  strict,
);

/** OpenInference traces over OTLP (HTTP/protobuf); the standard OTEL_* variables work too. */
export const TracingSchema = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean({ description: "Export a span per call (default: on when an endpoint is set here or in OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT)." })),
    endpoint: Type.Optional(
      Type.String({ ...URL_PATTERN, description: "OTLP/HTTP traces URL, e.g. http://localhost:6006/v1/traces (Phoenix) or https://otlp.arize.com/v1/traces." }),
    ),
    headers: Type.Optional(Type.Record(Type.String(), Type.String(SECRET), { description: "Sent with every export (e.g. Arize space and API keys: write os.environ/NAME)." })),
    service_name: Type.Optional(Type.String({ minLength: 1, description: "service.name of the spans (default switchboard; OTEL_SERVICE_NAME wins)." })),
    redact_messages: Type.Optional(
      Type.Boolean({ description: "Replace prompt and completion text, tool arguments and images in spans with a placeholder (LiteLLM's turn_off_message_logging); counts, model, cost and timing stay." }),
    ),
    max_queue: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: "Calls held for export at most; past it new ones are dropped and counted (default 10000)." })),
    sample_rate: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 1,
        description: "Share of new traces exported, decided by trace id (default 1: every call); a caller's traceparent decides for its own trace. OTEL_TRACES_SAMPLER(_ARG) are read too.",
      }),
    ),
  },
  strict,
);

/** LiteLLM's auth_type values Switchboard sends (oauth2: a client-credentials token from token_url, as a bearer). */
export const MCP_AUTH_TYPES = ["none", "bearer_token", "api_key", "basic", "authorization", "token", "oauth2"] as const;

/** An HTTP header name (RFC 9110 token). */
export const MCP_HEADER_NAME = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";

/** One upstream MCP server, in LiteLLM's `mcp_servers:` format. */
export const McpServerSchema = Type.Object(
  {
    url: Type.Optional(
      Type.String({
        ...URL_PATTERN,
        description: "The server's MCP endpoint, e.g. https://mcp.example.com/mcp; for an OpenAPI server (spec_path or spec), the API's base URL, which wins over the document's servers.",
      }),
    ),
    spec_path: Type.Optional(
      Type.String({ minLength: 1, description: "An OpenAPI 3.x or Swagger 2.0 document (JSON or YAML) by file path or http(s) URL: each operation becomes a tool." }),
    ),
    spec: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: "An OpenAPI 3.x or Swagger 2.0 document inline, instead of spec_path." })),
    allow_private_hosts: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description:
          "Hosts (as written in URLs: a name or an IP) this OpenAPI server's document URL, API URL and redirects, and an oauth2 server's token_url, may reach although they are loopback, private, link-local or metadata addresses, which are refused otherwise.",
      }),
    ),
    transport: Type.Optional(
      Type.Union([Type.Literal("http"), Type.Literal("sse"), Type.Literal("stdio")], {
        description: "http (Streamable HTTP, the default), sse (the older HTTP+SSE transport), or stdio (the gateway runs command and speaks MCP over its stdin and stdout).",
      }),
    ),
    command: Type.Optional(
      Type.String({ minLength: 1, description: "transport stdio: the program the gateway runs (e.g. npx, uvx, node), found on the gateway's PATH; started on first use, one process shared by every caller." }),
    ),
    args: Type.Optional(Type.Array(Type.String(), { description: "transport stdio: the command's arguments, passed as they are (no shell)." })),
    env: Type.Optional(
      Type.Record(Type.String(), Type.String({ ...SECRET }), {
        description:
          "transport stdio: the process's environment, besides PATH, HOME, LOGNAME, SHELL, TERM and USER (nothing else of the gateway's environment reaches it); values are secrets: write `os.environ/NAME`.",
      }),
    ),
    auth_type: Type.Optional(
      Type.Union(
        MCP_AUTH_TYPES.map((t) => Type.Literal(t)),
        { description: "How auth_value is sent: bearer_token (Authorization: Bearer), api_key (X-API-Key), basic (Authorization: Basic), authorization (Authorization as is), token (Authorization: token), none; oauth2 sends a bearer it gets from token_url with client_id and client_secret (the client credentials grant)." },
      ),
    ),
    auth_value: Type.Optional(Type.String({ ...SECRET, minLength: 1, description: "The server's credential, a secret: write `os.environ/NAME`." })),
    client_id: Type.Optional(Type.String({ minLength: 1, description: "auth_type oauth2: the gateway's OAuth2 client id at the server's authorization server." })),
    client_secret: Type.Optional(Type.String({ ...SECRET, minLength: 1, description: "auth_type oauth2: the client secret, a secret: write `os.environ/NAME`." })),
    token_url: Type.Optional(
      Type.String({
        ...URL_PATTERN,
        description: "auth_type oauth2: the token endpoint; the client authenticates with HTTP Basic. Loopback, private, link-local and metadata hosts are refused unless allow_private_hosts names them.",
      }),
    ),
    scopes: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: "auth_type oauth2: the scopes requested (sent space-separated)." })),
    static_headers: Type.Optional(
      Type.Record(Type.String(), Type.String(), { ...CREDENTIAL_HEADERS, description: "Headers sent with every request to the server; values of credential headers are secrets." }),
    ),
    extra_headers: Type.Optional(
      Type.Array(Type.String({ pattern: MCP_HEADER_NAME }), {
        description:
          "Names of headers passed from the caller's request to /mcp on to this server, per request (e.g. x-user-token). Never the Switchboard key's headers, hop-by-hop or transport headers, nor Authorization when it carried the key; the server's own static_headers and credential win.",
      }),
    ),
    allowed_tools: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: "Only these tools (the server's own names) are listed and callable." })),
    disallowed_tools: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: "These tools (the server's own names) are never listed nor callable." })),
    description: Type.Optional(Type.String({ description: "What the server offers, for people." })),
    access_groups: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description: "LiteLLM's MCP access groups this server is in: keys, teams and organisations whose object_permission.mcp_access_groups names one of them may use it.",
      }),
    ),
    price_per_call: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1_000_000, description: "US dollars charged to the caller's spend for each tools/call to this server (default 0: free, and then budgets do not hold the call back)." }),
    ),
    tool_prices: Type.Optional(
      Type.Record(Type.String({ minLength: 1 }), Type.Number({ minimum: 0, maximum: 1_000_000 }), {
        description: "US dollars per call of one tool (the server's own name), instead of price_per_call.",
      }),
    ),
  },
  strict,
);

/** The HTTP methods a config pass-through endpoint may serve. */
export const PASS_THROUGH_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** A route path of plain segments (`/bria`, `/v1/rerank`): no parameters, wildcards, dot segments or trailing `/`. */
export const PASS_THROUGH_PATH = "^(/(?!\\.\\.?(/|$))[A-Za-z0-9._~-]+)+$";

/** One pass-through endpoint, in LiteLLM's `general_settings.pass_through_endpoints` format. */
export const PassThroughEndpointSchema = Type.Object(
  {
    path: Type.String({
      pattern: PASS_THROUGH_PATH,
      expected: "a path like /bria or /v1/rerank (segments of letters, digits, - . _ ~; no trailing /)",
      description: "Where the gateway serves the endpoint; it must not be (or lie under) a route the gateway serves itself.",
    }),
    target: Type.String({
      ...URL_PATTERN,
      expected: "an http:// or https:// URL (LiteLLM's Python adapters are not supported)",
      description: "The URL calls of `path` go to, as written (its query included); a subpath is joined under it. May be a private address: it is the admin's.",
    }),
    headers: Type.Optional(
      Type.Record(Type.String(), Type.String({ ...SECRET, embeddedRefs: true }), {
        description: "Headers set on every call (the upstream credential), over the client's; values are secrets: `os.environ/NAME`, or a scheme word and a reference (`Bearer os.environ/NAME`).",
      }),
    ),
    forward_headers: Type.Optional(
      Type.Boolean({
        description:
          "Forward the client's headers too (default false: only Content-Type and Content-Encoding, which describe the body). Credential headers, cookies, hop-by-hop headers and the client's address are never forwarded.",
      }),
    ),
    include_subpath: Type.Optional(Type.Boolean({ description: "Serve the paths under `path` too (`/bria/v1/x` -> `<target>/v1/x`); default false: `path` only." })),
    auth: Type.Optional(
      Type.Boolean({
        description: "Require a virtual key (default true): its limits and budgets apply and the call is in its spend. false: a public route, no key needed nor read, the call logged without one.",
      }),
    ),
    cost_per_request: Type.Optional(Type.Number({ minimum: 0, maximum: 1_000_000, description: "US dollars charged for each call the target answers with a 2xx (default 0)." })),
    methods: Type.Optional(
      Type.Array(
        Type.Union(PASS_THROUGH_METHODS.map((m) => Type.Literal(m))),
        { minItems: 1, description: "The methods served (default all five); two endpoints may share a path with different methods." },
      ),
    ),
    default_query_params: Type.Optional(
      Type.Record(Type.String({ minLength: 1 }), Type.String(), { description: "Query parameters sent when neither the client nor the target URL sets them." }),
    ),
    timeout_seconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: "Total time allowed for one call (default settings.request_timeout_seconds, else 600)." })),
  },
  strict,
);

export const ConfigSchema = Type.Object(
  {
    server: Type.Optional(
      Type.Object(
        {
          host: Type.Optional(Type.String({ minLength: 1 })),
          port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
          max_request_body_mb: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1024 })),
          shutdown_grace_seconds: Type.Optional(Type.Number({ minimum: 0, maximum: 3600 })),
          idle_timeout_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 255, description: "Idle keep-alive connections close after this; proxied calls are exempt." })),
          allow_unauthenticated_public: Type.Optional(Type.Boolean({ description: "Allow binding a non-loopback address with no master key." })),
          access_log: Type.Optional(Type.Boolean({ description: "Write one JSON line per call to stdout, batched off the request path." })),
          access_log_level: Type.Optional(
            Type.Union([Type.Literal("info"), Type.Literal("warn"), Type.Literal("error")], {
              description: "Lowest level written: info (every call), warn (4xx and 5xx), error (5xx only). Default info.",
            }),
          ),
          metrics: Type.Optional(Type.Boolean({ description: "Serve Prometheus metrics at GET /metrics (default true; no secrets or per-user labels)." })),
        },
        strict,
      ),
    ),
    auth: Type.Optional(
      Type.Object({ master_key: Type.Optional(Type.String({ ...SECRET, minLength: 1, description: "A secret: write `os.environ/NAME`." })) }, strict),
    ),
    settings: Type.Optional(
      Type.Object(
        {
          drop_params: Type.Optional(Type.Boolean({ description: "Drop parameters an upstream cannot take instead of answering 400." })),
          request_timeout_seconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: "Default total time for one upstream call." })),
          mock_models: Type.Optional(Type.Boolean({ description: "Serve the built-in mock/* models (default true)." })),
          env_provider_models: Type.Optional(Type.Boolean({ description: "Serve <provider>/* for every provider whose key is in the environment (default true)." })),
        },
        strict,
      ),
    ),
    store: Type.Optional(
      Type.Object({ data_dir: Type.Optional(Type.String({ minLength: 1, description: "Where the SQLite database lives (default ./data; --data-dir and SWITCHBOARD_DATA_DIR win)." })) }, strict),
    ),
    budgets: Type.Optional(
      Type.Object(
        {
          mode: Type.Optional(
            Type.Union([Type.Literal("strict"), Type.Literal("soft")], {
              description: "strict (default; a LiteLLM-format file defaults to soft): reserve each call's worst-case cost at admission, so concurrent calls cannot overrun a budget. soft: LiteLLM's behaviour, admit while spend is under budget.",
            }),
          ),
        },
        strict,
      ),
    ),
    pricing: Type.Optional(
      Type.Object(
        {
          file: Type.Optional(
            Type.String({
              minLength: 1,
              description: "A price file in genai-prices' data.json format, read at start; its rows win over the embedded ones (SWITCHBOARD_PRICES_FILE wins over this).",
            }),
          ),
        },
        strict,
      ),
    ),
    models: Type.Optional(Type.Array(ModelEntrySchema)),
    router: Type.Optional(RouterSchema),
    tracing: Type.Optional(TracingSchema),
    pass_through_endpoints: Type.Optional(
      Type.Array(PassThroughEndpointSchema, { description: "Routes of the gateway that forward to a configured URL (LiteLLM's general_settings.pass_through_endpoints)." }),
    ),
    mcp_servers: Type.Optional(
      Type.Record(Type.String(), McpServerSchema, {
        description: "Upstream MCP servers served at /mcp, by name (letters, digits, _ and -; the name prefixes their tools: <name>-<tool>).",
      }),
    ),
  },
  strict,
);

export type Config = Static<typeof ConfigSchema>;
export type ModelEntry = Static<typeof ModelEntrySchema>;
export type PriceEntry = Static<typeof PriceSchema>;
export type RouterConfig = Static<typeof RouterSchema>;
export type McpServerEntry = Static<typeof McpServerSchema>;
export type PassThroughEndpoint = Static<typeof PassThroughEndpointSchema>;
