import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { getDashboard } from '../../../test/given-dashboard.ts'
import { givenTask, givenTaskWorld } from '../../../test/given-tasks.ts'

const t = useTestApp()

describe('dashboard cache', () => {
  it('answers again from the cache until the team changes, and never misses the caller’s own write', async () => {
    const w = await givenTaskWorld(t.app)
    const task = await givenTask(t.app, w.member, { projectId: w.project.id })
    const metrics = () =>
      getDashboard<{ byStatus: Record<string, number> }>(t.app, w.member, 'metrics', { teamId: w.team.id })
    const leaderboard = () => getDashboard<{ items: unknown[] }>(t.app, w.member, 'leaderboard', { teamId: w.team.id })
    expect((await metrics()).byStatus.todo).toBe(1)
    expect((await leaderboard()).items).toEqual([])

    // a change that bypasses the API appends no activity: the cached answers stand
    await t.app.database.sql.query(`update tasks set status = 'cancelled' where id = $1`, [task.id])
    expect((await metrics()).byStatus.todo).toBe(1)

    // the caller's own write moves the key: the next answer sees it (and the bypassing change)
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/tasks/${task.id}/status`,
      headers: w.member.auth,
      payload: { status: 'done' },
    })
    expect(res.statusCode, res.body).toBe(200)
    expect((await metrics()).byStatus).toMatchObject({ todo: 0, done: 1, cancelled: 0 })
    expect((await leaderboard()).items).toEqual([
      { user: { id: w.member.id, name: w.member.name }, completed: 1, completedOnTime: 0 },
    ])
  })

  it('is checked after access: another team’s cached answer is still a 404', async () => {
    const w = await givenTaskWorld(t.app)
    await getDashboard(t.app, w.owner, 'metrics', { teamId: w.team.id })
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/dashboard/metrics?teamId=${w.team.id}`,
      headers: w.outsider.auth,
    })
    expect(res.statusCode).toBe(404)
  })
})
