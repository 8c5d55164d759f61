import { and, eq, sql } from 'drizzle-orm'
import { tasks } from '../../db/tables/tasks.ts'
import type { Actor } from '../../http/auth.ts'
import { notFound } from '../../http/problem.ts'
import { requireRole, visibleTo } from '../access/index.ts'
import { logTaskDeletions, recordActivity, subtreeOf } from '../activity/index.ts'
import { attachmentObjectsOf, type CascadeDeps, removeObjects } from '../files/index.ts'
import { removed, stateOf, taskEntry } from './tasks.activity.ts'
import { requireTaskMatch } from './tasks.etag.ts'
import { tagIdsOf } from './tasks.tags.ts'

/**
 * Deletes a task and, by cascade, its subtasks and comments; each deleted task gets a
 * `task.deleted` entry, and the objects of their attachments a removal job. `asAdmin` (the admin
 * route) skips the team checks, not `If-Match`.
 */
export async function deleteTask(
  { db, queue }: CascadeDeps,
  actor: Actor,
  id: string,
  opts: { expected?: string; asAdmin?: boolean } = {},
): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(tasks)
      .where(and(eq(tasks.id, id), opts.asAdmin ? undefined : visibleTo(actor, tasks.teamId)))
      .for('update')
    if (!row) throw notFound('task', id)
    if (!opts.asAdmin) await requireRole(tx, actor, row.teamId, 'member', 'task', id)
    await requireTaskMatch(tx, id, row.version, opts.expected)
    const tagIds = await tagIdsOf(tx, id)
    await recordActivity(tx, taskEntry(actor, row, 'task.deleted', removed(stateOf(row, tagIds))))
    // logged before the delete, while the cascade has yet to take them: one statement for the whole subtree
    await logTaskDeletions(tx, actor.userId, subtreeOf(id))
    await removeObjects(
      queue,
      tx,
      attachmentObjectsOf(sql`with recursive ${subtreeOf(id)} select ${id}::uuid union all select id from gone`),
    )
    await tx.delete(tasks).where(eq(tasks.id, id))
  })
}
