import { and, asc, eq, gt, isNull, lte, or, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import type { Actor } from '../../http/auth.ts'
import { iso } from '../../lib/time.ts'
import { activity } from '../activity/activity.table.ts'
import { visibleTo } from '../teams/access.ts'

/** What a caller may see of the log: their teams' entries, and their own entries that belong to no team. */
export function visibleEntries(actor: Pick<Actor, 'userId' | 'role'>): SQL | undefined {
  const teams = visibleTo(actor as Actor, activity.teamId)
  if (!teams) return undefined
  return or(teams, and(isNull(activity.teamId), eq(activity.actorId, actor.userId)))
}

/** Log entries after `after` up to the safe mark, oldest first. */
export async function entriesAfter(
  db: Db,
  actor: Pick<Actor, 'userId' | 'role'>,
  opts: { after: number; upTo: number; limit: number; teamId?: string },
) {
  return db
    .select()
    .from(activity)
    .where(
      and(
        gt(activity.id, opts.after),
        lte(activity.id, opts.upTo),
        visibleEntries(actor),
        opts.teamId ? eq(activity.teamId, opts.teamId) : undefined,
      ),
    )
    .orderBy(asc(activity.id))
    .limit(opts.limit)
}

export type LogEntry = Awaited<ReturnType<typeof entriesAfter>>[number]

/** The `data:` of an SSE message. */
export const toEvent = (e: LogEntry) => ({
  id: e.id,
  type: e.action,
  entityType: e.entityType,
  entityId: e.entityId,
  teamId: e.teamId,
  projectId: e.projectId,
  taskId: e.taskId,
  actorId: e.actorId,
  changes: e.changes,
  at: iso(e.createdAt),
})
