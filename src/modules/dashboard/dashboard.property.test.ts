import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import {
  countersAndRecount,
  expectedExplorer,
  expectedLeaderboard,
  expectedMetrics,
  getDashboard,
  placeTask,
  readTeamTasks,
} from '../../../test/dashboard.ts'
import { givenOpsWorld, opsArb, runOps } from '../../../test/dashboard-ops.ts'
import { type GivenUser, given } from '../../../test/given.ts'

const t = useTestApp()
const HOUR = 3_600_000
const DAY = 24 * HOUR

/** Where a task sits in time, in hours from now; due dates half an hour off every boundary of "now". */
const placement = fc.record({
  created: fc.integer({ min: -70 * 24, max: 0 }),
  cycle: fc.integer({ min: 0, max: 40 * 24 }),
  due: fc.option(fc.integer({ min: -20 * 24, max: 20 * 24 }), { nil: null }),
})

const range = fc.record({ fromDaysAgo: fc.integer({ min: 0, max: 75 }), spanDays: fc.integer({ min: 0, max: 80 }) })

describe('dashboard figures', () => {
  let users: GivenUser[]
  beforeAll(async () => {
    users = [
      await given.user(t.app, { name: 'Owner' }),
      await given.user(t.app, { name: 'Ann' }),
      await given.user(t.app, { name: 'Bo' }),
    ]
  })

  it('equal a plain computation over the same rows, after any writes, at any range', async () => {
    await fc.assert(
      fc.asyncProperty(
        opsArb({ maxLength: 20 }),
        fc.array(placement, { minLength: 40, maxLength: 40 }),
        range,
        async (ops, placements, { fromDaysAgo, spanDays }) => {
          const world = await givenOpsWorld(t.app, users)
          await runOps(t.app, world, ops)
          const now = Date.now()
          const placed = await readTeamTasks(t.app, world.teamId)
          for (const [i, task] of placed.entries()) {
            const p = placements[i % placements.length]!
            const createdAt = new Date(now + p.created * HOUR)
            await placeTask(t.app, task.id, {
              createdAt,
              completedAt: task.status === 'done' ? new Date(createdAt.getTime() + p.cycle * HOUR) : null,
              dueAt: p.due === null ? null : new Date(now + (p.due + 0.5) * HOUR),
            })
          }
          const tasks = await readTeamTasks(t.app, world.teamId)
          const from = new Date(now - fromDaysAgo * DAY)
          const to = new Date(from.getTime() + spanDays * DAY)
          const query = { teamId: world.teamId, from: from.toISOString(), to: to.toISOString() }

          for (const projectId of [undefined, ...world.projects]) {
            const scoped = projectId ? tasks.filter((x) => x.projectId === projectId) : tasks
            const q = { ...query, projectId }
            const { medianCycleTimeHours, ...metrics } = await getDashboard(t.app, world.owner, 'metrics', q)
            const expected = expectedMetrics(scoped, new Date(now), from, to)
            expect(metrics).toEqual({ ...expected, medianCycleTimeHours: undefined })
            if (expected.medianCycleTimeHours === null) expect(medianCycleTimeHours).toBeNull()
            else expect(medianCycleTimeHours as number).toBeCloseTo(expected.medianCycleTimeHours, 1)

            const leaderboard = await getDashboard(t.app, world.owner, 'leaderboard', { ...q, limit: 2 })
            expect(leaderboard.items).toEqual(expectedLeaderboard(scoped, from, to, 2))
            for (const groupBy of ['status', 'priority', 'assignee', 'project', 'tag']) {
              const explorer = await getDashboard(t.app, world.owner, 'explorer', { ...q, groupBy })
              expect(explorer.items, groupBy).toEqual(expectedExplorer(scoped, groupBy))
            }
          }
          const { kept, recount } = await countersAndRecount(t.app, world.teamId)
          expect(kept).toEqual(recount)
        },
      ),
      { numRuns: 20 },
    )
  }, 180_000)
})
