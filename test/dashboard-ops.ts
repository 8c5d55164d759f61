import { sql } from 'drizzle-orm'
import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import { type GivenUser, given } from './given.ts'

/*
 * Random task writes through the API, for the dashboard's property and counter tests: creates (with
 * tags, assignees, subtasks, recurrence), status flips (completing a recurring task creates its next
 * occurrence), edits, moves between projects, deletes (with their subtasks), and writes that are
 * rolled back (rejected by validation mid-transaction, or a transaction that throws after its update).
 */

const STATUSES = ['todo', 'in_progress', 'done', 'cancelled'] as const
const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const

export type Op =
  | {
      kind: 'create'
      project: number
      status: (typeof STATUSES)[number]
      priority: (typeof PRIORITIES)[number]
      assignee: number | null
      tags: number[]
      parent: number | null
      recurring: boolean
    }
  | { kind: 'status'; task: number; status: (typeof STATUSES)[number] }
  | { kind: 'edit'; task: number; priority: (typeof PRIORITIES)[number]; assignee: number | null; tags: number[] }
  | { kind: 'move'; task: number; project: number }
  | { kind: 'delete'; task: number }
  | { kind: 'rejected'; task: number }
  | { kind: 'rolledBack'; task: number; status: (typeof STATUSES)[number]; project: number }

const index = fc.nat({ max: 99 })
const status = fc.constantFrom(...STATUSES)
const priority = fc.constantFrom(...PRIORITIES)
const assignee = fc.option(fc.nat({ max: 2 }), { nil: null })
const tagSet = fc.uniqueArray(fc.nat({ max: 1 }), { maxLength: 2 })

const create = fc.record({
  kind: fc.constant('create' as const),
  project: fc.nat({ max: 1 }),
  status,
  priority,
  assignee,
  tags: tagSet,
  parent: fc.option(index, { nil: null, freq: 3 }),
  recurring: fc.boolean(),
})

/** A sequence of writes; `rollbacks` adds the ones that must leave no trace. */
export const opsArb = (opts: { maxLength: number; rollbacks?: boolean }) =>
  fc.array(
    fc.oneof(
      { arbitrary: create, weight: 5 },
      { arbitrary: fc.record({ kind: fc.constant('status' as const), task: index, status }), weight: 3 },
      {
        arbitrary: fc.record({ kind: fc.constant('edit' as const), task: index, priority, assignee, tags: tagSet }),
        weight: 2,
      },
      {
        arbitrary: fc.record({ kind: fc.constant('move' as const), task: index, project: fc.nat({ max: 1 }) }),
        weight: 2,
      },
      { arbitrary: fc.record({ kind: fc.constant('delete' as const), task: index }), weight: 1 },
      ...(opts.rollbacks
        ? [
            { arbitrary: fc.record({ kind: fc.constant('rejected' as const), task: index }), weight: 1 },
            {
              arbitrary: fc.record({
                kind: fc.constant('rolledBack' as const),
                task: index,
                status,
                project: fc.nat({ max: 1 }),
              }),
              weight: 1,
            },
          ]
        : []),
    ),
    { minLength: Math.min(8, opts.maxLength), maxLength: opts.maxLength },
  )

export interface OpsWorld {
  teamId: string
  owner: GivenUser
  /** owner and two members: the assignee choices */
  users: GivenUser[]
  projects: string[]
  tags: string[]
}

/** A new team of the given users (the first owns it) with two projects and two tags. */
export async function givenOpsWorld(app: FastifyInstance, users: GivenUser[]): Promise<OpsWorld> {
  const [owner, ...members] = users as [GivenUser, ...GivenUser[]]
  const team = await given.team(app, owner)
  for (const m of members) await given.membership(app, team, owner, m, 'member')
  const projects = [
    (await given.project(app, team, owner, { name: 'P1' })).id,
    (await given.project(app, team, owner, { name: 'P2' })).id,
  ]
  const tags = [(await given.tag(app, team, owner)).id, (await given.tag(app, team, owner)).id]
  return { teamId: team.id, owner, users, projects, tags }
}

const UNKNOWN_TAG = '0190a000-0000-7000-8000-00000000beef'

/** Runs the writes as the users of the world (in turn), asserting none fails unexpectedly. */
export async function runOps(app: FastifyInstance, world: OpsWorld, ops: Op[]): Promise<void> {
  const ids: string[] = []
  const pick = (i: number) => ids[i % ids.length]
  const call = async (
    method: 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload: unknown,
    by: GivenUser,
    ok: number[],
  ) => {
    const res = await app.inject({ method, url: `/api/v1${url}`, headers: by.auth, payload: payload as object })
    // a task deleted earlier in the run is a 404, a subtask's parent may be in the other project (400)
    expect([...ok, 400, 404], `${method} ${url} ${JSON.stringify(payload)}: ${res.body}`).toContain(res.statusCode)
    return res
  }
  let turn = 0
  for (const op of ops) {
    const by = world.users[turn++ % world.users.length]!
    const tagIds = (tags: number[]) => tags.map((t) => world.tags[t]!)
    const assigneeId = (a: number | null) => (a === null ? null : world.users[a]!.id)
    if (op.kind === 'create') {
      const body: Record<string, unknown> = {
        title: 'Op task',
        projectId: world.projects[op.project],
        status: op.status,
        priority: op.priority,
        assigneeId: assigneeId(op.assignee),
        tagIds: tagIds(op.tags),
      }
      if (op.parent !== null && ids.length) body.parentId = pick(op.parent)
      if (op.recurring) body.recurrence = 'FREQ=DAILY'
      const res = await call('POST', '/tasks', body, by, [201])
      if (res.statusCode === 201) ids.push(res.json().id)
      continue
    }
    if (!ids.length) continue
    const id = pick(op.task)
    if (op.kind === 'status') await call('PATCH', `/tasks/${id}/status`, { status: op.status }, by, [200])
    if (op.kind === 'edit') {
      const body = { priority: op.priority, assigneeId: assigneeId(op.assignee), tagIds: tagIds(op.tags) }
      await call('PATCH', `/tasks/${id}`, body, by, [200])
    }
    if (op.kind === 'move') {
      await call('PATCH', `/tasks/${id}`, { projectId: world.projects[op.project], parentId: null }, by, [200])
    }
    if (op.kind === 'delete') await call('DELETE', `/tasks/${id}`, undefined, by, [204])
    if (op.kind === 'rejected') {
      // checked after the row is locked, inside the transaction: rejected whole
      const res = await call('PATCH', `/tasks/${id}`, { status: 'done', tagIds: [world.tags[0], UNKNOWN_TAG] }, by, [])
      expect([400, 404]).toContain(res.statusCode)
    }
    if (op.kind === 'rolledBack') await rolledBackWrite(app, id!, op.status, world.projects[op.project]!)
  }
}

/** A transaction that changes a task's status, project and tags, then fails: none of it may count. */
async function rolledBackWrite(app: FastifyInstance, id: string, status: string, projectId: string) {
  const failure = new Error('rolled back on purpose')
  await expect(
    app.database.db.transaction(async (tx) => {
      await tx.execute(
        sql`update tasks set status = ${status}, project_id = ${projectId}, parent_id = null where id = ${id}`,
      )
      await tx.execute(sql`delete from task_tags where task_id = ${id}`)
      await tx.execute(sql`delete from tasks where parent_id = ${id}`)
      throw failure
    }),
  ).rejects.toBe(failure)
}
