import { sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { tasks } from '../../db/tables/tasks.ts'
import type { Actor } from '../../http/auth.ts'
import { recordActivities } from '../activity/index.ts'

/**
 * Unassigns a user's tasks in a team they are leaving, in the caller's transaction (the one that
 * removes the membership, with the team's member rows locked). One statement, however many tasks:
 * each gets a new version and the `task.updated` entry a PATCH of its assigneeId would have written.
 */
export async function unassignInTeam(tx: Db, actor: Actor, teamId: string, userId: string): Promise<void> {
  await recordActivities(
    tx,
    sql`unassigned as (
      update ${tasks} set assignee_id = null, updated_at = now(), version = version + 1
      where team_id = ${teamId} and assignee_id = ${userId}
      returning id, project_id
    )`,
    sql`select ${actor.userId}::uuid, 'task.updated', 'task', id, ${teamId}::uuid, project_id, id,
      jsonb_build_object('assigneeId', jsonb_build_object('from', ${userId}::text, 'to', null))
      from unassigned order by id`,
  )
}
