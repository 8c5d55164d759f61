import { and, asc, eq, gt, lte } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { activity } from '../../db/tables/activity.ts'
import type { Scope } from '../../http/auth.ts'
import { iso } from '../../lib/time.ts'
import { coveredBy, visibleEntries } from '../activity/index.ts'
import { type Credential, credentialLive } from '../auth/index.ts'

/**
 * The log entries a stream's viewer may see after `after` up to the safe mark, oldest first, of the
 * kinds its scopes cover; none once the session or token it was opened with is signed out or revoked.
 */
export async function entriesAfter(
  db: Db,
  viewer: Credential & { scopes: readonly Scope[] },
  opts: { after: number; upTo: number; limit: number; teamId?: string },
) {
  return db
    .select()
    .from(activity)
    .where(
      and(
        gt(activity.id, opts.after),
        lte(activity.id, opts.upTo),
        visibleEntries(viewer.userId),
        coveredBy(viewer.scopes),
        credentialLive(viewer),
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
