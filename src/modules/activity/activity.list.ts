import { and, desc, eq, lt } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { activity } from '../../db/tables/activity.ts'
import { tasks } from '../../db/tables/tasks.ts'
import { users } from '../../db/tables/users.ts'
import type { Actor } from '../../http/auth.ts'
import { page } from '../../http/cursor.ts'
import { decodeAfter } from '../../http/keyset.ts'
import { notFound } from '../../http/problem.ts'
import { iso } from '../../lib/time.ts'
import { requireRole, requireVisibleProject, visibleTo } from '../access/index.ts'
import { coveredBy } from './activity.catalog.ts'
import type { ActivityEntry, ActivityQuery } from './activity.schema.ts'
import { visibleEntries } from './activity.visibility.ts'

/** Entries with their actor's name, joined in the same statement (never one query per entry). */
export const selectEntries = (db: Db) =>
  db
    .select({ entry: activity, actorName: users.name })
    .from(activity)
    .leftJoin(users, eq(users.id, activity.actorId))
    .$dynamic()

type EntryRow = Awaited<ReturnType<ReturnType<typeof selectEntries>['execute']>>[number]

export const toActivityEntry = ({ entry, actorName }: EntryRow): ActivityEntry => ({
  id: entry.id,
  action: entry.action,
  actor: entry.actorId && actorName !== null ? { id: entry.actorId, name: actorName } : null,
  entityType: entry.entityType,
  entityId: entry.entityId,
  teamId: entry.teamId,
  projectId: entry.projectId,
  taskId: entry.taskId,
  changes: entry.changes,
  createdAt: iso(entry.createdAt),
})

/** A filter naming a container the caller cannot see is a 404, like any invisible resource. */
async function requireVisibleFilters(db: Db, actor: Actor, query: ActivityQuery) {
  if (query.teamId) await requireRole(db, actor, query.teamId, 'viewer')
  if (query.projectId) await requireVisibleProject(db, actor, query.projectId)
  if (query.taskId) {
    const [row] = await db
      .select({ id: tasks.id })
      .from(tasks)
      .where(and(eq(tasks.id, query.taskId), visibleTo(actor, tasks.teamId)))
    if (!row) throw notFound('task', query.taskId)
  }
}

/** The audit trail the caller can see, newest first, keyset-paginated on the id; filters combine. */
export async function listActivity(db: Db, actor: Actor, query: ActivityQuery) {
  await requireVisibleFilters(db, actor, query)
  const before = decodeAfter(query.cursor, ['int8'])?.[0]
  const rows = await selectEntries(db)
    .where(
      and(
        visibleEntries(actor.userId),
        coveredBy(actor.scopes),
        query.teamId ? eq(activity.teamId, query.teamId) : undefined,
        query.projectId ? eq(activity.projectId, query.projectId) : undefined,
        query.taskId ? eq(activity.taskId, query.taskId) : undefined,
        before === undefined ? undefined : lt(activity.id, before),
      ),
    )
    .orderBy(desc(activity.id))
    .limit(query.limit + 1)
  const result = page(rows, query.limit, (r) => [r.entry.id])
  return { items: result.items.map(toActivityEntry), nextCursor: result.nextCursor }
}
