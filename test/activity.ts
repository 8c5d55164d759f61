import type { FastifyInstance } from 'fastify'

/** The activity rows of an entity, oldest first, straight from the database. */
export async function activityOf(app: FastifyInstance, entityId: string) {
  const { rows } = await app.database.sql.query<{
    action: string
    actor_id: string | null
    team_id: string | null
    project_id: string | null
    changes: Record<string, { from: unknown; to: unknown }>
  }>('select action, actor_id, team_id, project_id, changes from activity where entity_id = $1 order by id', [entityId])
  return rows
}

/** The activity rows about a task (its own and its comments'), oldest first. */
export async function activityOfTask(app: FastifyInstance, taskId: string) {
  const { rows } = await app.database.sql.query<{
    action: string
    actor_id: string | null
    entity_type: string
    entity_id: string
    team_id: string | null
    project_id: string | null
    task_id: string | null
    changes: Record<string, { from: unknown; to: unknown }>
  }>(
    `select action, actor_id, entity_type, entity_id, team_id, project_id, task_id, changes
     from activity where task_id = $1 order by id`,
    [taskId],
  )
  return rows
}
