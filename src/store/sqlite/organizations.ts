import type { Database } from "bun:sqlite";
import type { DeletedOrganizations, NewOrganization, OrganizationPatch, OrganizationRecord, OrganizationStore } from "../types.ts";
import { type Bindings, nullable, patched } from "./columns.ts";
import { objectPermissionColumn, objectPermissionOf, patchObjectPermission } from "./object-permission.ts";
import { principalTable } from "./principal-table.ts";
import { newPrincipal, patchPrincipal, type PrincipalRow, type PrincipalSettings, principalBindings, principalFromRow } from "./principal.ts";

interface OrganizationRow extends PrincipalRow {
  organization_id: string;
  organization_alias: string | null;
  object_permission: string | null;
}

type OrganizationSettings = PrincipalSettings & Pick<OrganizationRecord, "organizationAlias" | "objectPermission">;

function organizationFromRow(row: OrganizationRow): OrganizationRecord {
  const organization: OrganizationRecord = { ...principalFromRow(row), organizationId: row.organization_id };
  if (row.organization_alias !== null) organization.organizationAlias = row.organization_alias;
  const objectPermission = objectPermissionOf(row.object_permission);
  if (objectPermission) organization.objectPermission = objectPermission;
  return organization;
}

function patchOrganization(current: OrganizationSettings, patch: OrganizationPatch, now: number): OrganizationSettings {
  return {
    ...patchPrincipal(current, patch, now),
    organizationAlias: patched(current.organizationAlias, patch.organizationAlias, undefined),
    objectPermission: patchObjectPermission(current.objectPermission, patch.objectPermission),
  };
}

function organizationBindings(settings: OrganizationSettings): Bindings {
  return { ...principalBindings(settings), organization_alias: nullable(settings.organizationAlias), object_permission: objectPermissionColumn(settings.objectPermission) };
}

/** The OrganizationStore over `db`. */
export function sqliteOrganizationStore(db: Database): OrganizationStore {
  const organizations = principalTable<OrganizationRow, OrganizationRecord, OrganizationSettings, OrganizationPatch>(db, {
    table: "organizations",
    idColumn: "organization_id",
    what: "organization",
    columns: ["organization_alias", "object_permission"],
    fromRow: organizationFromRow,
    bindings: organizationBindings,
    fresh: (now) => newPrincipal({}, now),
    patch: patchOrganization,
  });
  const teamsOf = db.query<{ team_id: string }, Bindings>("SELECT team_id FROM teams WHERE organization_id = $organization_id");
  const keysOf = db.query<{ token: string }, Bindings>("SELECT token FROM keys WHERE team_id = $team_id");
  const deleteKey = db.query<unknown, Bindings>("DELETE FROM keys WHERE token = $token");
  const deleteTeam = db.query<unknown, Bindings>("DELETE FROM teams WHERE team_id = $team_id");
  const deleteOrganization = db.query<unknown, Bindings>("DELETE FROM organizations WHERE organization_id = $organization_id");

  // LiteLLM deletes an organisation's teams and keys with it; here in one transaction, so a failure
  // leaves all of them in place. Keys go first (they reference teams), then teams (their members
  // cascade), then the organisation.
  const remove = db.transaction((organizationIds: string[]): DeletedOrganizations => {
    const deleted: DeletedOrganizations = { organizationIds: [], teamIds: [], tokens: [] };
    for (const organizationId of new Set(organizationIds)) {
      for (const { team_id: teamId } of teamsOf.all({ organization_id: organizationId })) {
        for (const { token } of keysOf.all({ team_id: teamId })) {
          deleteKey.run({ token });
          deleted.tokens.push(token);
        }
        deleteTeam.run({ team_id: teamId });
        deleted.teamIds.push(teamId);
      }
      if (deleteOrganization.run({ organization_id: organizationId }).changes === 1) deleted.organizationIds.push(organizationId);
    }
    return deleted;
  });

  return {
    insert: async (organization: NewOrganization) => organizations.insert(organization.organizationId, organization),
    byId: async (organizationId) => organizations.byId(organizationId),
    all: async () => organizations.all(),
    update: async (organizationId, patch) => organizations.update(organizationId, patch),
    // IMMEDIATE: take the write lock up front, so a read-then-write never fails to upgrade its lock.
    delete: async (organizationIds) => remove.immediate(organizationIds),
  };
}
