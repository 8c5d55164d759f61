import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { getDashboard } from '../../../test/dashboard.ts'
import { given } from '../../../test/given.ts'

const t = useTestApp()

describe('dashboard cache', () => {
  it('answers again from the cache until the team changes, and never misses the caller’s own write', async () => {
    const w = await given.taskWorld(t.app)
    const task = await given.task(t.app, w.member, { projectId: w.project.id })
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
    const w = await given.taskWorld(t.app)
    await getDashboard(t.app, w.owner, 'metrics', { teamId: w.team.id })
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/dashboard/metrics?teamId=${w.team.id}`,
      headers: w.outsider.auth,
    })
    expect(res.statusCode).toBe(404)
  })
})

// PostgreSQL: another connection holds an activity entry it has not committed yet
describe.skipIf(!process.env.TEST_DATABASE_URL)('dashboard cache while the activity log is being written', () => {
  it('keeps no answer while an entry with a lower id could still commit, and caches again once it has', async () => {
    const w = await given.taskWorld(t.app)
    const task = await given.task(t.app, w.member, { projectId: w.project.id })
    const todo = async () =>
      (await getDashboard<{ byStatus: Record<string, number> }>(t.app, w.member, 'metrics', { teamId: w.team.id }))
        .byStatus.todo
    const bypass = (status: string) =>
      t.app.database.sql.query('update tasks set status = $2 where id = $1', [task.id, status])

    const other = new pg.Client({ connectionString: t.app.database.url })
    await other.connect()
    try {
      // draws its id now, commits later: an answer cached under a higher id would never see it
      await other.query('begin')
      await other.query(
        `insert into activity (actor_id, action, entity_type, entity_id, team_id) values ($1, 'task.updated', 'task', $2, $3)`,
        [w.member.id, task.id, w.team.id],
      )
      expect(await todo()).toBe(1)
      await bypass('cancelled')
      expect(await todo()).toBe(0) // computed again: nothing was kept
      await other.query('commit')
    } finally {
      await other.end()
    }
    expect(await todo()).toBe(0)
    await bypass('todo')
    expect(await todo()).toBe(0) // kept: no write was in flight
  })
})
