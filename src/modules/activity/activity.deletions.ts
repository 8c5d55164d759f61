import { type SQL, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { recordActivities } from './activity.service.ts'

/**
 * The tasks a delete is about to take with it, as a WITH item `gone(id, parent_id, title, team_id,
 * project_id)` for `logTaskDeletions`: those of a project or a team (`where` over tasks), or a
 * task's subtree (`subtreeOf`).
 */
export const tasksWhere = (where: SQL): SQL =>
  sql`gone(id, parent_id, title, team_id, project_id) as (
    select id, parent_id, title, team_id, project_id from tasks where ${where}
  )`

export const subtreeOf = (taskId: string): SQL =>
  sql`gone(id, parent_id, title, team_id, project_id) as (
    select id, parent_id, title, team_id, project_id from tasks where parent_id = ${taskId}
    union
    select t.id, t.parent_id, t.title, t.team_id, t.project_id from tasks t join gone g on t.parent_id = g.id
  )`

/**
 * A `task.deleted` entry for every task in `gone`, in one statement however many there are. Call it
 * before the delete whose cascade takes them, in its transaction, so a syncing client learns of every
 * task that goes (a project's, a team's, a parent's subtasks), not only of the container.
 */
export async function logTaskDeletions(tx: Db, actorId: string, gone: SQL): Promise<void> {
  await recordActivities(
    tx,
    gone,
    sql`select ${actorId}::uuid, 'task.deleted', 'task', id, team_id, project_id, id,
      jsonb_build_object('title', jsonb_build_object('from', title, 'to', null),
                         'parentId', jsonb_build_object('from', parent_id, 'to', null))
      from gone order by id`,
  )
}
