import type { KeyRecord, OrganizationRecord, TeamRecord, UserRecord } from "../store/types.ts";

/**
 * Who is calling: nobody in particular (no master key configured), the master key, or a virtual
 * key with the team, user and organisation (its team's) it belongs to (as cached when the call was
 * admitted).
 */
export type Caller =
  | { kind: "open" }
  | { kind: "master" }
  | { kind: "key"; key: KeyRecord; team?: TeamRecord; user?: UserRecord; organization?: OrganizationRecord };

export const OPEN_CALLER: Caller = { kind: "open" };
export const MASTER_CALLER: Caller = { kind: "master" };
