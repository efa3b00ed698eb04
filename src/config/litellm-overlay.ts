import { asDict, type Dict, type Translator } from "./litellm-values.ts";
import { formatPath, type PathSegment } from "./paths.ts";

/**
 * Lays settings written in Switchboard's own format (`general_settings.switchboard`,
 * `model_info.switchboard`) over the translated config: mappings merge key by key, anything else
 * replaces what the translation set, with a warning naming both places. Errors in the block are
 * reported at the user's path inside it.
 */
export function overlay(target: Dict, source: Dict, path: readonly PathSegment[], user: readonly PathSegment[], t: Translator): void {
  for (const [key, value] of Object.entries(source)) {
    const here = [...path, key];
    const from = [...user, key];
    const existing = asDict(target[key]);
    const incoming = asDict(value);
    if (existing && incoming) {
      overlay(existing, incoming, here, from, t);
      continue;
    }
    if (target[key] !== undefined) t.warnings.push(`${formatPath(from)} overrides ${t.origins.userPath(here)}`);
    target[key] = value;
    t.origins.add(here, from, true);
  }
}
