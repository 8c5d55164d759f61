import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import type { GivenUser, Task } from './given.ts'

/** Archives a project (straight in the database: the projects API is not under test here). */
export async function archiveProject(app: FastifyInstance, projectId: string): Promise<void> {
  await app.database.sql.query('update projects set archived = true where id = $1', [projectId])
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
