import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import type { Task } from '../../src/modules/tasks/tasks.schema.ts'
import {
  type GivenProject,
  type GivenTag,
  givenProject,
  givenTag,
  givenTeamWithRoles,
  type TeamWithRoles,
} from './teams.ts'
import type { GivenUser } from './users.ts'

export type { Task }

/** Creates a task through the API as `by` (in `by`'s Inbox unless the body names a project). */
export async function givenTask(
  app: FastifyInstance,
  by: GivenUser,
  body: Record<string, unknown> = {},
): Promise<Task> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/tasks',
    headers: by.auth,
    payload: { title: 'A task', ...body },
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json()
}

export interface TaskWorld extends TeamWithRoles {
  project: GivenProject
  tag: GivenTag
}

/** A team with one user of every role (plus an outsider and a global admin), a project and a tag. */
export async function givenTaskWorld(app: FastifyInstance): Promise<TaskWorld> {
  const world = await givenTeamWithRoles(app, { name: 'Task team' })
  const project = await givenProject(app, world.team, world.owner, { name: 'Work' })
  const tag = await givenTag(app, world.team, world.owner, { name: `urgent-${project.id.slice(-6)}`, color: '#ff0000' })
  return { ...world, project, tag }
}

/**
 * Inserts `count` tasks into a project in one statement (for lists, pagination and EXPLAIN), with
 * varied priorities, positions and due dates (a quarter without one). Returns their ids.
 */
export async function insertTasks(
  app: FastifyInstance,
  project: { id: string; teamId: string },
  count: number,
  opts: { title?: string } = {},
): Promise<string[]> {
  const { rows } = await app.database.sql.query<{ id: string }>(
    `insert into tasks (id, team_id, project_id, title, priority_rank, status, due_at, position)
     select gen_random_uuid(), $1, $2, $3 || ' ' || g, 1 + g % 4,
            (array['todo', 'in_progress', 'done', 'cancelled'])[1 + (g / 4) % 4],
            case when g % 4 = 0 then null else now() + ((g * 7919) % 1000 - 500) * interval '1 hour' end,
            (g * 104729) % 100003
     from generate_series(1, $4::int) g
     returning id`,
    [project.teamId, project.id, opts.title ?? 'Bulk task', count],
  )
  return rows.map((r) => r.id)
}
