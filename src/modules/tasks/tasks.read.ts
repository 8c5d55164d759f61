import { and, eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { teams } from '../../db/tables/teams.ts'
import type { Actor } from '../../http/auth.ts'
import { notFound } from '../../http/problem.ts'
import { requireVisibleProject, visibleTo } from '../access/index.ts'
import { pageOfTasks } from './tasks.list.ts'
import { findTask, taskFilters, taskRef } from './tasks.queries.ts'
import type { Task, TaskQuery } from './tasks.schema.ts'

/** Reading tasks: one by id, and the filtered, sorted list one keyset page at a time. */

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
