import type { Resolved } from "./models.ts";

/** The tag a deployment carries to serve requests that send no tags (LiteLLM's convention). */
export const DEFAULT_TAG = "default";

/**
 * The deployments of a group that may serve a request with `tags` (its `metadata.tags`), for
 * groups whose deployments carry tags (say, a paid and a free tier): those sharing a tag with the
 * request, else those tagged `default`. A request without tags goes to the `default` ones when there
 * are any, else to all. A group without tags is returned as is. An empty result means no
 * deployment may serve these tags.
 */
export function byTags(group: readonly Resolved[], tags: readonly string[] | undefined): readonly Resolved[] {
  if (!group.some((r) => r.deployment.tags !== undefined)) return group;
  const tagged = (tag: string) => group.filter((r) => r.deployment.tags?.includes(tag));
  if (!tags || tags.length === 0) {
    const defaults = tagged(DEFAULT_TAG);
    return defaults.length > 0 ? defaults : group;
  }
  const matching = group.filter((r) => r.deployment.tags?.some((t) => tags.includes(t)));
  return matching.length > 0 ? matching : tagged(DEFAULT_TAG);
}
