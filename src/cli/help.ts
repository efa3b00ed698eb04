import { MOCK_MODELS } from "../providers/mock/catalogue.ts";
import { VERSION } from "../version.ts";

/** `switchboard --help`. */
export function helpText(): string {
  return `switchboard ${VERSION} — an OpenAI-compatible LLM gateway in one executable

Usage:
  switchboard [options]                 start the gateway
  switchboard config check FILE [--print]
                                        validate a config (Switchboard or LiteLLM format) without
                                        starting: every problem at its path (FILE:LINE:COLUMN for
                                        a syntax error); --print shows it with secrets redacted
  switchboard keys create [--alias A] [--models m1,m2] [--max-budget USD] [--budget-duration 30d]
                          [--rpm N] [--tpm N] [--max-parallel N] [--duration 30d] [--team T] [--user U]
                                        create a virtual key; prints the key once, and its token
  switchboard keys list [--team T] [--user U]
                                        list keys (token prefix, name, alias, spend, budget, ...)
  switchboard keys info KEY|TOKEN|ALIAS a key's settings and spend (a token prefix from list works)
  switchboard keys revoke KEY|TOKEN|ALIAS
                                        delete a key (its spend rows stay)
                                        keys commands take --data-dir DIR or --config FILE (its
                                        store.data_dir) and --json (machine output); a running
                                        gateway on the same data directory sees changes within
                                        about a second

Options:
  -c, --config FILE      YAML or JSON config (env SWITCHBOARD_CONFIG); see config/ for examples.
                         Any value may be os.environ/NAME, whatever its type (port, booleans)
  -m, --model P/MODEL    serve just this model, e.g. openai/gpt-4o (env SWITCHBOARD_MODEL)
      --host HOST        address to bind (default 127.0.0.1; env SWITCHBOARD_HOST)
  -p, --port PORT        port (default 4000; env SWITCHBOARD_PORT or PORT)
      --data-dir DIR     where keys, teams, users and the spend ledger are stored (SQLite file
                         switchboard.db): --data-dir, else env SWITCHBOARD_DATA_DIR, else the
                         config's store.data_dir, else ./data. One server per data directory
      --drop-params      drop parameters an upstream cannot take instead of answering 400
      --access-log       one JSON line per call on stdout (no prompt text)
      --allow-unauthenticated-public
                         allow a non-loopback --host without a master key (not recommended)
  -h, --help             this text
  -v, --version          print the version

Environment:
  SWITCHBOARD_MASTER_KEY  clients must send 'Authorization: Bearer <key>'; without it the
                          gateway binds to loopback only. It is also the key for the
                          management API (/key/generate, /key/info, /team/new, /spend/logs, ...)
  SWITCHBOARD_DATA_DIR    as --data-dir
  SWITCHBOARD_PRICES_FILE a newer genai-prices data.json, read at start (config pricing.file);
                          its rows win over the prices embedded in this binary
  OPENAI_API_KEY, ANTHROPIC_API_KEY, GROQ_API_KEY, MISTRAL_API_KEY, ...
                          each provider whose key is set is served as <provider>/<model>

Built-in mock models (no key, no network; a nominal $1 per 1,000 tokens, answers of at most 100):
${MOCK_MODELS.map((m) => `  ${m.id.padEnd(22)} ${m.does}`).join("\n")}
`;
}
