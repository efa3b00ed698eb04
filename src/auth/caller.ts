import type { KeyRecord, TeamRecord, UserRecord } from "../store/types.ts";

/**
 * Who is calling: nobody in particular (no master key configured), the master key, or a virtual
 * key with the team and user it belongs to (as cached when the call was admitted).
 */
export type Caller =
  | { kind: "open" }
  | { kind: "master" }
  | { kind: "key"; key: KeyRecord; team?: TeamRecord; user?: UserRecord };

export const OPEN_CALLER: Caller = { kind: "open" };
export const MASTER_CALLER: Caller = { kind: "master" };
