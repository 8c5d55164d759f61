import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { tasks } from '../../db/tables/tasks.ts'
import { teams } from '../../db/tables/teams.ts'
import type { Actor } from '../../http/auth.ts'
import { notFound } from '../../http/problem.ts'
import { requireRole, requireVisibleProject, visibleTo } from '../access/index.ts'
import { logTaskDeletions, recordActivity, subtreeOf } from '../activity/index.ts'
import { attachmentObjectsOf, type CascadeDeps, removeObjects } from '../files/index.ts'
import { requireTaskMatch } from './tasks.etag.ts'
import { pageOfTasks } from './tasks.list.ts'
import { findTask, taskFilters, taskRef } from './tasks.queries.ts'
import type { Task, TaskQuery } from './tasks.schema.ts'
import { removed, stateOf, tagIdsOf } from './tasks.state.ts'

export async function getTask(db: Db, actor: Actor, id: string): Promise<Task> {
  const task = await findTask(db, actor, id)
  if (!task) throw notFound('task', id)
  return task
}

/**
 * Tasks the caller can see, filtered and sorted as the query says, one keyset page. A project or
 * team named in the query that the caller cannot see is a 404, not an empty list. Only an empty page
 * asks: a task on the page is one the caller sees, in the team or project the query names, so it
 * proves that one visible (and spares the common request a statement).
 */
export async function listTasks(db: Db, actor: Actor, query: TaskQuery, now = new Date()) {
  const page = await pageOfTasks(db, taskFilters(actor, query, now), query)
  if (page.items.length === 0) await requireVisibleScope(db, actor, query)
  return page
}

async function requireVisibleScope(db: Db, actor: Actor, query: TaskQuery) {
  if (query.projectId) await requireVisibleProject(db, actor, query.projectId)
  // the subtasks of a task the caller cannot see: a 404, as for any container
  if (query.parentId && query.parentId !== 'none') await taskRef(db, actor, query.parentId)
  if (query.teamId) {
    const [team] = await db
      .select({ id: teams.id })
      .from(teams)
      .where(and(eq(teams.id, query.teamId), visibleTo(actor, teams.id)))
    if (!team) throw notFound('team', query.teamId)
  }
}

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
    await recordActivity(tx, {
      actorId: actor.userId,
      action: 'task.deleted',
      entityType: 'task',
      entityId: id,
      teamId: row.teamId,
      projectId: row.projectId,
      taskId: id,
      changes: removed(stateOf(row, tagIds)),
    })
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
