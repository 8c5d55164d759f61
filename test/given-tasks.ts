import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import type { Task } from '../src/modules/tasks/tasks.schema.ts'
import type { GivenUser } from './given.ts'
import {
  type GivenProject,
  type GivenTag,
  givenProject,
  givenTag,
  givenTeamWithRoles,
  type TeamWithRoles,
} from './given-teams.ts'

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

/** Archives a project (straight in the database: the projects API is not under test here). */
export async function archiveProject(app: FastifyInstance, projectId: string): Promise<void> {
  await app.database.sql.query('update projects set archived = true where id = $1', [projectId])
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

/** GET a path as a user, expecting 200; returns the body. */
export async function getJson<T = Record<string, unknown>>(app: FastifyInstance, by: GivenUser, url: string) {
  const res = await app.inject({ method: 'GET', url, headers: by.auth })
  expect(res.statusCode, res.body).toBe(200)
  return res.json() as T
}

/** Every item of a task list, following nextCursor to the end. */
export async function walkTasks(app: FastifyInstance, by: GivenUser, query: string): Promise<Task[]> {
  const items: Task[] = []
  let cursor: string | null = null
  do {
    const sep = query ? '&' : ''
    const page: { items: Task[]; nextCursor: string | null } = await getJson(
      app,
      by,
      `/api/v1/tasks?${query}${sep}limit=100${cursor ? `&cursor=${cursor}` : ''}`,
    )
    items.push(...page.items)
    cursor = page.nextCursor
  } while (cursor)
  return items
}

/**
 * Sends a read (expecting 200) until the answer comes from the list cache (`hits` counts up): what a
 * stale or unauthorised answer would then be served from. Returns that answer.
 */
export async function untilCached<R extends { statusCode: number; body: string }>(
  hits: () => number,
  send: () => Promise<R>,
  what: string,
): Promise<R> {
  for (let i = 0; i < 5; i++) {
    const before = hits()
    const res = await send()
    expect(res.statusCode, res.body).toBe(200)
    if (hits() > before) return res
  }
  throw new Error(`${what} never came from the cache`)
}
