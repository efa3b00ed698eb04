import type { KeyRecord, OrganizationRecord, Store, TeamMemberRole, TeamMembership, TeamRecord, UserRecord } from "../store/types.ts";
import { SharedReload } from "../store/shared-reload.ts";

/** How long a token that was not found stays known-missing before the store is asked again. */
const MISS_TTL_MS = 2_000;
const MAX_MISSES = 10_000;

/**
 * The in-process copy of keys, teams, users and organisations: every request is authenticated
 * from memory, never by a database read. Management calls reload it after each write; changes made
 * by another process (the CLI, another instance on the same database) are picked up by polling the store's
 * cheap change marker. A token missing from memory is looked up once (a key created elsewhere a
 * moment ago) and then remembered as missing for a short while, so garbage keys cannot turn into
 * a database read each.
 */
export class AccountDirectory {
  private keys = new Map<string, KeyRecord>();
  private teams = new Map<string, TeamRecord>();
  private users = new Map<string, UserRecord>();
  private organizations = new Map<string, OrganizationRecord>();
  /** Each user's teams (as a member), for self-service reads and team roles. */
  private memberships = new Map<string, TeamRecord[]>();
  /** Each team's members by user id: a reload re-bases every member's budget, so lookups must not scan the team. */
  private members = new Map<string, Map<string, TeamMembership>>();
  private readonly misses = new Map<string, number>();
  private marker = -1;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly reloads = new SharedReload(() => this.readAll());
  /** The call ids of spend this process has settled but not seen stored (the spend writer's queue). */
  pendingSpend: (() => readonly { callId: string }[]) | undefined;
  /**
   * Called after each reload with the new records (the budget book re-bases its totals) and which
   * pending calls the rollups read already hold, so none is counted twice: a batch the writer thread
   * committed but whose reply this thread has not handled yet is in both.
   */
  onReload: ((storedCallIds: ReadonlySet<string>) => void) | undefined;

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  /** Loads everything; call once before serving. */
  async load(): Promise<void> {
    await this.reload();
  }

  /**
   * Re-reads keys, teams, users and organisations. Callers during a reload share one follow-up
   * reload that starts after it, so a caller that just wrote always gets a read that began after
   * its write.
   */
  reload(): Promise<void> {
    return this.reloads.run();
  }

  private async readAll(): Promise<void> {
    const pending = this.pendingSpend?.().map((row) => row.callId) ?? [];
    const { marker, keys, teams, users, organizations, storedCallIds } = await this.store.readAccounts(pending);
    this.keys = new Map(keys.map((k) => [k.token, k]));
    this.teams = new Map(teams.map((t) => [t.teamId, t]));
    this.users = new Map(users.map((u) => [u.userId, u]));
    this.organizations = new Map(organizations.map((o) => [o.organizationId, o]));
    this.members = new Map(teams.map((team) => [team.teamId, new Map(team.members.map((member) => [member.userId, member]))]));
    const memberships = new Map<string, TeamRecord[]>();
    for (const team of teams) {
      for (const { userId } of team.members) {
        const list = memberships.get(userId);
        if (list) list.push(team);
        else memberships.set(userId, [team]);
      }
    }
    this.memberships = memberships;
    this.misses.clear();
    this.marker = marker;
    this.onReload?.(storedCallIds);
  }

  /**
   * Polls for changes made elsewhere every `intervalMs`, and re-reads everything every `refreshMs`
   * regardless, so spend recorded by other processes on the same database reaches this one's
   * budgets within that time. Unref'd: it never keeps the process alive.
   */
  watch(intervalMs = 1_000, onError: (error: unknown) => void = () => {}, refreshMs = 10_000): void {
    let lastFull = this.now();
    this.timer = setInterval(() => {
      const due = this.now() - lastFull >= refreshMs;
      void this.store
        .changeMarker()
        .then((marker) => {
          if (marker === this.marker && !due) return undefined;
          lastFull = this.now();
          return this.reload();
        })
        .catch(onError);
    }, intervalMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** A key by token from memory; undefined when unknown (see `find` for the one-time store lookup). */
  cached(token: string): KeyRecord | undefined {
    return this.keys.get(token);
  }

  /** A key by token: memory first, then (rarely) one parameterised store lookup. */
  async find(token: string): Promise<KeyRecord | undefined> {
    const cached = this.keys.get(token);
    if (cached) return cached;
    const missedAt = this.misses.get(token);
    const now = this.now();
    if (missedAt !== undefined && now - missedAt < MISS_TTL_MS) return undefined;
    const found = await this.store.keys.byToken(token);
    if (found) {
      // Created elsewhere since the last reload: fetch its team and user too.
      await this.reload();
      return this.keys.get(token);
    }
    if (this.misses.size >= MAX_MISSES) this.misses.clear();
    this.misses.set(token, now);
    return undefined;
  }

  team(teamId: string | undefined): TeamRecord | undefined {
    return teamId === undefined ? undefined : this.teams.get(teamId);
  }

  user(userId: string | undefined): UserRecord | undefined {
    return userId === undefined ? undefined : this.users.get(userId);
  }

  organization(organizationId: string | undefined): OrganizationRecord | undefined {
    return organizationId === undefined ? undefined : this.organizations.get(organizationId);
  }

  /** The teams `userId` is a member of (none for an unknown user). */
  teamsOf(userId: string | undefined): readonly TeamRecord[] {
    return userId === undefined ? [] : (this.memberships.get(userId) ?? []);
  }

  /** `userId`'s membership of `teamId` (role, budget and spend within the team), or undefined when not a member. */
  membership(teamId: string | undefined, userId: string | undefined): TeamMembership | undefined {
    if (teamId === undefined || userId === undefined) return undefined;
    return this.members.get(teamId)?.get(userId);
  }

  /** `userId`'s role in `teamId`, or undefined when not a member. */
  memberRole(teamId: string | undefined, userId: string | undefined): TeamMemberRole | undefined {
    return this.membership(teamId, userId)?.role;
  }

  /** Counts, for the start banner and readiness. */
  size(): { keys: number; teams: number; users: number } {
    return { keys: this.keys.size, teams: this.teams.size, users: this.users.size };
  }
}
