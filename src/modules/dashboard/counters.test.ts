import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { countersAndRecount } from '../../../test/dashboard.ts'
import { givenOpsWorld, opsArb, runOps } from '../../../test/dashboard-ops.ts'
import { type GivenUser, given } from '../../../test/given.ts'
import { http } from '../../../test/http.ts'

const t = useTestApp()
const { del } = http(t)

async function expectNoDrift(teamId: string) {
  const { kept, recount } = await countersAndRecount(t.app, teamId)
  expect(kept).toEqual(recount)
}

const rowsOfTeam = async (teamId: string) =>
  (await t.app.database.sql.query('select * from task_counters where team_id = $1', [teamId])).rows

describe('task counters', () => {
  let users: GivenUser[]
  beforeAll(async () => {
    users = [
      await given.user(t.app, { name: 'Owner' }),
      await given.user(t.app, { name: 'Ann' }),
      await given.user(t.app, { name: 'Bo' }),
    ]
  })

  it('equal a recount from scratch after any sequence of writes, rolled-back ones included', async () => {
    await fc.assert(
      fc.asyncProperty(opsArb({ maxLength: 25, rollbacks: true }), async (ops) => {
        const world = await givenOpsWorld(t.app, users)
        await runOps(t.app, world, ops)
        await expectNoDrift(world.teamId)
      }),
      { numRuns: 15 },
    )
  })

  it('stay exact under concurrent writes to one project (one at a time on the embedded database)', async () => {
    const world = await givenOpsWorld(t.app, users)
    const [p1, p2] = world.projects as [string, string]
    const tasks = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        given.task(t.app, users[i % 3]!, {
          projectId: p1,
          tagIds: i % 2 ? [world.tags[0]] : [],
          recurrence: i % 4 ? undefined : 'FREQ=DAILY',
        }),
      ),
    )
    const write = (i: number) => {
      const id = tasks[i % tasks.length]!.id
      const by = users[i % 3]!.auth
      const kinds = [
        {
          method: 'PATCH',
          url: `/api/v1/tasks/${id}/status`,
          payload: { status: ['done', 'todo', 'in_progress', 'cancelled'][i % 4] },
        },
        { method: 'PATCH', url: `/api/v1/tasks/${id}`, payload: { projectId: i % 2 ? p1 : p2, priority: 'urgent' } },
        {
          method: 'PATCH',
          url: `/api/v1/tasks/${id}`,
          payload: { tagIds: world.tags.slice(i % 2), assigneeId: users[i % 3]!.id },
        },
        {
          method: 'POST',
          url: '/api/v1/tasks',
          payload: { title: 'more', projectId: i % 2 ? p1 : p2, tagIds: [world.tags[1]] },
        },
      ] as const
      return t.app.inject({ ...kinds[i % kinds.length]!, headers: by })
    }
    const answers = await Promise.all(Array.from({ length: 98 }, (_, i) => write(i)))
    for (const res of answers) expect([200, 201], res.body).toContain(res.statusCode)
    await expectNoDrift(world.teamId)
  })

  it('follow the deletion of a tag, a project and a team to nothing', async () => {
    const world = await givenOpsWorld(t.app, users)
    const [p1, p2] = world.projects as [string, string]
    const owner = world.owner
    const parent = await given.task(t.app, owner, { projectId: p1, tagIds: world.tags })
    await given.task(t.app, owner, { projectId: p1, parentId: parent.id, tagIds: [world.tags[0]] })
    await given.task(t.app, owner, { projectId: p2, tagIds: [world.tags[1]], assigneeId: users[1]!.id })
    await expectNoDrift(world.teamId)

    expect((await del(`/api/v1/tags/${world.tags[1]}`, owner.auth)).statusCode).toBe(204)
    await expectNoDrift(world.teamId)
    expect((await del(`/api/v1/projects/${p1}`, owner.auth)).statusCode).toBe(204)
    await expectNoDrift(world.teamId)
    expect((await rowsOfTeam(world.teamId)).filter((r) => r.project_id === p1)).toEqual([])
    expect((await del(`/api/v1/teams/${world.teamId}`, owner.auth)).statusCode).toBe(204)
    expect(await rowsOfTeam(world.teamId)).toEqual([])
  })

  it('are backfilled for the tasks that exist when the migration runs', async () => {
    const world = await givenOpsWorld(t.app, users)
    await runOps(t.app, world, [
      {
        kind: 'create',
        project: 0,
        status: 'done',
        priority: 'high',
        assignee: 1,
        tags: [0, 1],
        parent: null,
        recurring: false,
      },
      {
        kind: 'create',
        project: 1,
        status: 'todo',
        priority: 'low',
        assignee: null,
        tags: [],
        parent: null,
        recurring: false,
      },
      {
        kind: 'create',
        project: 0,
        status: 'in_progress',
        priority: 'low',
        assignee: 2,
        tags: [1],
        parent: 0,
        recurring: false,
      },
    ])
    const migration = (suffix: string) =>
      readFileSync(new URL(`../../../drizzle/0006_dashboard_counters${suffix}`, import.meta.url), 'utf8')
        .split('--> statement-breakpoint')
        .map((s) => s.trim())
        .filter(Boolean)
    for (const statement of [...migration('.down.sql'), ...migration('.sql')]) {
      await t.app.database.sql.query(statement)
    }
    await expectNoDrift(world.teamId)
    expect((await rowsOfTeam(world.teamId)).length).toBeGreaterThan(0)
  })
})
