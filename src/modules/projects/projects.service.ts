import { and, asc, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type ProjectRow, projects } from '../../db/tables/projects.ts'
import { tasks } from '../../db/tables/tasks.ts'
import { teams } from '../../db/tables/teams.ts'
import type { Actor } from '../../http/auth.ts'
import { page } from '../../http/cursor.ts'
import { decodeAfter } from '../../http/keyset.ts'
import { conflict, notFound, preconditionFailed } from '../../http/problem.ts'
import { newId } from '../../lib/ids.ts'
import { named } from '../../lib/patch.ts'
import { iso } from '../../lib/time.ts'
import { requireRole, requireRoleInBody, visibleTo } from '../access/index.ts'
import { created, diff, logTaskDeletions, recordActivity, tasksWhere } from '../activity/index.ts'
import { attachmentObjectsOf, type CascadeDeps, removeObjects } from '../files/index.ts'
import type { Project } from './projects.schema.ts'

const FIELDS = ['name', 'description', 'archived'] as const

const toProject = (row: ProjectRow): Project => ({
  id: row.id,
  teamId: row.teamId,
  name: row.name,
  description: row.description,
  archived: row.archived,
  createdAt: iso(row.createdAt),
  updatedAt: iso(row.updatedAt),
  version: row.version,
})

/** Projects of the teams the caller sees (or of one team), oldest first; archived ones included unless filtered. */
export async function listProjects(
  db: Db,
  actor: Actor,
  query: { teamId?: string; archived?: boolean; limit: number; cursor?: string },
) {
  if (query.teamId) await requireRole(db, actor, query.teamId, 'viewer')
  const after = decodeAfter(query.cursor, ['timestamptz', 'uuid'])
  const rows = await db
    .select()
    .from(projects)
    .where(
      and(
        visibleTo(actor, projects.teamId),
        query.teamId ? eq(projects.teamId, query.teamId) : undefined,
        query.archived === undefined ? undefined : eq(projects.archived, query.archived),
        after
          ? sql`(${projects.createdAt}, ${projects.id}) > (${after[0]}::timestamptz, ${after[1]}::uuid)`
          : undefined,
      ),
    )
    .orderBy(asc(projects.createdAt), asc(projects.id))
    .limit(query.limit + 1)
  const result = page(rows, query.limit, (r) => [iso(r.createdAt), r.id])
  return { items: result.items.map(toProject), nextCursor: result.nextCursor }
}

export async function getProject(db: Db, actor: Actor, id: string): Promise<Project> {
  const [row] = await db
    .select()
    .from(projects)
    .where(and(eq(projects.id, id), visibleTo(actor, projects.teamId)))
  if (!row) throw notFound('project', id)
  return toProject(row)
}

/** Checks the caller's role in the project's team (404 when not visible); tells whether it is a personal Inbox. */
async function requireProjectRole(db: Db, actor: Actor, id: string) {
  const [row] = await db
    .select({ teamId: projects.teamId, personal: teams.personal })
    .from(projects)
    .innerJoin(teams, eq(teams.id, projects.teamId))
    .where(eq(projects.id, id))
  if (!row) throw notFound('project', id)
  await requireRole(db, actor, row.teamId, 'admin', 'project', id)
  return { personalTeam: row.personal }
}

// tasks created without a projectId land in the personal team's Inbox, found by its name
/** The project every personal team starts with, where a task created without a projectId lands. */
export const INBOX = 'Inbox'
const KEEP_INBOX = 'The Inbox of a personal team cannot be deleted, renamed or archived'
const isInbox = (row: ProjectRow, personalTeam: boolean) => personalTeam && row.name === INBOX

export async function createProject(
  db: Db,
  actor: Actor,
  input: { teamId: string; name: string; description?: string | null },
): Promise<Project> {
  await requireRoleInBody(db, actor, input.teamId, 'admin')
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(projects)
      .values({ id: newId(), teamId: input.teamId, name: input.name, description: input.description ?? null })
      .returning()
    await recordActivity(tx, {
      actorId: actor.userId,
      action: 'project.created',
      entityType: 'project',
      entityId: row!.id,
      teamId: row!.teamId,
      projectId: row!.id,
      changes: created(row!, ['name', 'description']),
    })
    return toProject(row!)
  })
}

const versionIs = (expected: number | undefined) =>
  expected === undefined ? undefined : eq(projects.version, expected)

/** Merge-patches a project (admin+); archiving is recorded as project.archived. */
export async function updateProject(
  db: Db,
  actor: Actor,
  id: string,
  input: { name?: string; description?: string | null; archived?: boolean },
  expected?: number,
): Promise<Project> {
  const { personalTeam } = await requireProjectRole(db, actor, id)
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(projects).where(eq(projects.id, id)).for('update')
    if (!before) throw notFound('project', id)
    if (expected !== undefined && before.version !== expected) throw preconditionFailed()
    const changes = diff(before, { ...before, ...named(input) }, FIELDS)
    if (!Object.keys(changes).length) return toProject(before)
    if (isInbox(before, personalTeam) && (changes.name || changes.archived)) throw conflict(KEEP_INBOX)
    const [after] = await tx
      .update(projects)
      .set({ ...named(input), updatedAt: new Date(), version: sql`${projects.version} + 1` })
      .where(and(eq(projects.id, id), versionIs(expected)))
      .returning()
    if (!after) throw preconditionFailed()
    await recordActivity(tx, {
      actorId: actor.userId,
      action: changes.archived?.to === true ? 'project.archived' : 'project.updated',
      entityType: 'project',
      entityId: id,
      teamId: after.teamId,
      projectId: id,
      changes,
    })
    return toProject(after)
  })
}

/** Deletes a project and its tasks (admin+), each with its entry on the log; their attachments' objects go by job. */
export async function deleteProject(
  { db, queue }: CascadeDeps,
  actor: Actor,
  id: string,
  expected?: number,
): Promise<void> {
  const { personalTeam } = await requireProjectRole(db, actor, id)
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(projects).where(eq(projects.id, id)).for('update')
    if (!row) throw notFound('project', id)
    if (isInbox(row, personalTeam)) throw conflict(KEEP_INBOX)
    if (expected !== undefined && row.version !== expected) throw preconditionFailed()
    await recordActivity(tx, {
      actorId: actor.userId,
      action: 'project.deleted',
      entityType: 'project',
      entityId: id,
      teamId: row.teamId,
      projectId: id,
      changes: { name: { from: row.name, to: null } },
    })
    // logged before the delete, while the cascade has yet to take them
    await logTaskDeletions(tx, actor.userId, tasksWhere(eq(tasks.projectId, id)))
    await removeObjects(queue, tx, attachmentObjectsOf(sql`select id from ${tasks} where ${eq(tasks.projectId, id)}`))
    await tx.delete(projects).where(eq(projects.id, id)) // locked above: the version check still holds
  })
}
