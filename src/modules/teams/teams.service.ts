import { and, asc, eq, getTableColumns, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { projects } from '../../db/tables/projects.ts'
import { tasks } from '../../db/tables/tasks.ts'
import { type TeamRow, teamMembers, teams } from '../../db/tables/teams.ts'
import type { Actor } from '../../http/auth.ts'
import { page } from '../../http/cursor.ts'
import { etagOf } from '../../http/etag.ts'
import { decodeAfter } from '../../http/keyset.ts'
import { conflict, notFound, preconditionFailed } from '../../http/problem.ts'
import { newId } from '../../lib/ids.ts'
import { named } from '../../lib/patch.ts'
import { iso } from '../../lib/time.ts'
import { requireRole, type TeamRole, visibleTo } from '../access/index.ts'
import {
  created,
  diff,
  keepDeletionVisible,
  logTaskDeletions,
  recordActivities,
  recordActivity,
  tasksWhere,
} from '../activity/index.ts'
import { attachmentObjectsOf, type CascadeDeps, removeObjects } from '../files/index.ts'
import type { Team } from './teams.schema.ts'

const toTeam = (row: TeamRow, role: TeamRole | null): Team => ({
  id: row.id,
  name: row.name,
  personal: row.personal,
  role,
  createdAt: iso(row.createdAt),
  updatedAt: iso(row.updatedAt),
  version: row.version,
})

/**
 * A team's body shows the caller's role, which changes without the team's version (membership
 * changes), so its ETag is made from both: a 304 never confirms a stale role, and If-Match names both.
 */
export const teamEtag = (team: { version: number; role: TeamRole | null }) => etagOf(team.version, team.role ?? 'none')

/** Teams with the caller's role (null when a global admin is not a member), scoped by the one visibility rule. */
const teamsSeenBy = (db: Db, actor: Actor) =>
  db
    .select({ ...getTableColumns(teams), role: teamMembers.role })
    .from(teams)
    .leftJoin(teamMembers, and(eq(teamMembers.teamId, teams.id), eq(teamMembers.userId, actor.userId)))

/** The teams the caller is a member of (a global admin: every team), oldest first. */
export async function listTeams(db: Db, actor: Actor, query: { limit: number; cursor?: string }) {
  const after = decodeAfter(query.cursor, ['timestamptz', 'uuid'])
  const rows = await teamsSeenBy(db, actor)
    .where(
      and(
        visibleTo(actor, teams.id),
        after ? sql`(${teams.createdAt}, ${teams.id}) > (${after[0]}::timestamptz, ${after[1]}::uuid)` : undefined,
      ),
    )
    .orderBy(asc(teams.createdAt), asc(teams.id))
    .limit(query.limit + 1)
  const result = page(rows, query.limit, (r) => [iso(r.createdAt), r.id])
  return { items: result.items.map((r) => toTeam(r, r.role)), nextCursor: result.nextCursor }
}

export async function getTeam(db: Db, actor: Actor, id: string): Promise<Team> {
  const [row] = await teamsSeenBy(db, actor).where(and(eq(teams.id, id), visibleTo(actor, teams.id)))
  if (!row) throw notFound('team', id)
  return toTeam(row, row.role)
}

/** Creates a team; the caller becomes its owner. */
export async function createTeam(db: Db, actor: Actor, input: { name: string }): Promise<Team> {
  return db.transaction(async (tx) => {
    const [row] = await tx.insert(teams).values({ id: newId(), name: input.name }).returning()
    await tx.insert(teamMembers).values({ teamId: row!.id, userId: actor.userId, role: 'owner' })
    await recordActivity(tx, {
      actorId: actor.userId,
      action: 'team.created',
      entityType: 'team',
      entityId: row!.id,
      teamId: row!.id,
      changes: created(row!, ['name']),
    })
    return toTeam(row!, 'owner')
  })
}

/** Whether an If-Match ETag (`expected`) names the team as this caller sees it; checked under the row lock. */
const matches = (expected: string | undefined, row: TeamRow, role: TeamRole) =>
  expected === undefined || expected === teamEtag({ version: row.version, role })

/** Renames a team (admin+). `expected` is the If-Match ETag (version and the caller's role). */
export async function updateTeam(
  db: Db,
  actor: Actor,
  id: string,
  input: { name?: string },
  expected?: string,
): Promise<Team> {
  const role = await requireRole(db, actor, id, 'admin')
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(teams).where(eq(teams.id, id)).for('update')
    if (!before) throw notFound('team', id)
    if (!matches(expected, before, role)) throw preconditionFailed()
    const changes = diff(before, { ...before, ...named(input) }, ['name'])
    if (!Object.keys(changes).length) return toTeam(before, role)
    const [after] = await tx
      .update(teams)
      .set({ ...named(input), updatedAt: new Date(), version: sql`${teams.version} + 1` })
      .where(eq(teams.id, id)) // locked above: the If-Match check still holds
      .returning()
    await recordActivity(tx, {
      actorId: actor.userId,
      action: 'team.updated',
      entityType: 'team',
      entityId: id,
      teamId: id,
      changes,
    })
    return toTeam(after!, role)
  })
}

/**
 * Deletes a team and everything in it (owner only); a personal team cannot be deleted. `expected` as
 * for updateTeam. The log gets `team.deleted`, then a `project.deleted` and a `task.deleted` for each
 * project and task the cascade takes, so a syncing client drops them all; the objects of its
 * attachments go by job (notes shared with its projects stay, personal again).
 */
export async function deleteTeam(
  { db, queue }: CascadeDeps,
  actor: Actor,
  id: string,
  expected?: string,
): Promise<void> {
  const role = await requireRole(db, actor, id, 'owner')
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(teams).where(eq(teams.id, id)).for('update')
    if (!row) throw notFound('team', id)
    if (row.personal) throw conflict('A personal team cannot be deleted')
    if (!matches(expected, row, role)) throw preconditionFailed()
    const deleted = await recordActivity(tx, {
      actorId: actor.userId,
      action: 'team.deleted',
      entityType: 'team',
      entityId: id,
      teamId: id,
      changes: { name: { from: row.name, to: null } },
    })
    // logged before the delete, while the cascade has yet to take them: one statement per kind
    await recordActivities(
      tx,
      sql`gone_projects as (select id, name from ${projects} where team_id = ${id})`,
      sql`select ${actor.userId}::uuid, 'project.deleted', 'project', id, ${id}::uuid, id, null::uuid,
        jsonb_build_object('name', jsonb_build_object('from', name, 'to', null))
        from gone_projects order by id`,
    )
    await logTaskDeletions(tx, actor.userId, tasksWhere(eq(tasks.teamId, id)))
    await removeObjects(queue, tx, attachmentObjectsOf(sql`select id from ${tasks} where ${eq(tasks.teamId, id)}`))
    // its members are members no more once it is gone: they keep reading what told them so
    await keepDeletionVisible(tx, id, deleted)
    await tx.delete(teams).where(eq(teams.id, id))
  })
}
