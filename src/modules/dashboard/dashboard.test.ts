import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import {
  expectedExplorer,
  expectedLeaderboard,
  expectedMetrics,
  getDashboard,
  placeTask,
  readTeamTasks,
} from '../../../test/dashboard.ts'
import { type GivenProject, given, type TaskWorld } from '../../../test/given.ts'
import { bearer } from '../../../test/http.ts'

const t = useTestApp()
const DAY = 86_400_000
const HOUR = 3_600_000

describe('dashboard', () => {
  let w: TaskWorld
  let other: GivenProject
  const now = Date.now()
  const at = (days: number) => new Date(now + days * DAY)
  const range = { from: at(-14).toISOString(), to: at(0).toISOString() }

  beforeAll(async () => {
    w = await given.taskWorld(t.app)
    other = await given.project(t.app, w.team, w.owner, { name: 'Other' })
    const work = w.project.id
    const task = async (body: Record<string, unknown>, times: Parameters<typeof placeTask>[2], by = w.owner) => {
      const created = await given.task(t.app, by, { projectId: work, ...body })
      await placeTask(t.app, created.id, times)
    }
    // A: overdue; B: due soon, tagged; C: done on time; D: done late, unassigned (owner completes it)
    await task({ title: 'A', priority: 'high', assigneeId: w.member.id }, { createdAt: at(-20), dueAt: at(-2) })
    await task(
      { title: 'B', status: 'in_progress', priority: 'urgent', tagIds: [w.tag.id] },
      { createdAt: at(-5), dueAt: at(3) },
    )
    await task(
      { title: 'C', status: 'done', assigneeId: w.member.id },
      { createdAt: at(-10), completedAt: at(-4), dueAt: at(-3) },
    )
    await task(
      { title: 'D', status: 'done', priority: 'low' },
      { createdAt: at(-30), completedAt: at(-1), dueAt: at(-2) },
    )
    // E, F in the other project; G completed before the range
    await task({ title: 'E', projectId: other.id, status: 'cancelled', tagIds: [w.tag.id] }, { createdAt: at(-2) })
    await task({ title: 'F', projectId: other.id, assigneeId: w.admin.id }, { createdAt: at(-1), dueAt: at(10) })
    await task({ title: 'G', status: 'done', priority: 'high' }, { createdAt: at(-25), completedAt: at(-20) })
  })

  it('gives every metric of the team as its definition says', async () => {
    const m = await getDashboard(t.app, w.viewer, 'metrics', { teamId: w.team.id, ...range })
    expect(m).toMatchObject({
      byStatus: { todo: 2, in_progress: 1, done: 3, cancelled: 1 },
      byPriority: { low: 1, medium: 3, high: 2, urgent: 1 },
      overdue: 1,
      dueSoon: 1,
      createdInRange: 4,
      completedInRange: 2,
      completionRate: 0.5,
      medianCycleTimeHours: (144 + 696) / 2,
    })
    const weeks = m.weeklyThroughput as { weekStart: string; created: number; completed: number }[]
    expect(weeks.reduce((s, x) => s + x.created, 0)).toBe(4)
    expect(weeks.reduce((s, x) => s + x.completed, 0)).toBe(2)
    expect(new Date(weeks[0]!.weekStart).getUTCDay()).toBe(1)
    expect(m).toEqual(expectedMetrics(await readTeamTasks(t.app, w.team.id), new Date(now), at(-14), at(0)))
  })

  it('narrows every figure to one project', async () => {
    const m = await getDashboard(t.app, w.owner, 'metrics', { teamId: w.team.id, projectId: other.id, ...range })
    expect(m).toMatchObject({
      byStatus: { todo: 1, in_progress: 0, done: 0, cancelled: 1 },
      overdue: 0,
      dueSoon: 0,
      createdInRange: 2,
      completedInRange: 0,
      completionRate: 0,
      medianCycleTimeHours: null,
    })
    const e = await getDashboard(t.app, w.owner, 'explorer', {
      teamId: w.team.id,
      projectId: other.id,
      groupBy: 'project',
    })
    expect(e.items).toEqual([{ key: other.id, label: 'Other', count: 2 }])
  })

  it('defaults the range to the last 30 days', async () => {
    const m = await getDashboard<{ createdInRange: number; completedInRange: number }>(t.app, w.owner, 'metrics', {
      teamId: w.team.id,
    })
    // every task but D (created 30 days ago, a moment before the default range starts)
    expect(m.createdInRange).toBe(6)
    expect(m.completedInRange).toBe(3)
  })

  it('credits the assignee, else the completer, and counts on-time completions', async () => {
    const l = await getDashboard(t.app, w.member, 'leaderboard', { teamId: w.team.id, ...range })
    expect(l.items).toEqual([
      { user: { id: w.member.id, name: w.member.name }, completed: 1, completedOnTime: 1 },
      { user: { id: w.owner.id, name: w.owner.name }, completed: 1, completedOnTime: 0 },
    ])
    const top = await getDashboard(t.app, w.member, 'leaderboard', { teamId: w.team.id, ...range, limit: 1 })
    expect(top.items).toEqual(expectedLeaderboard(await readTeamTasks(t.app, w.team.id), at(-14), at(0), 1))
  })

  it('groups the current tasks by status, priority, assignee, project and tag', async () => {
    const tasks = await readTeamTasks(t.app, w.team.id)
    const m = await getDashboard<{ byStatus: Record<string, number> }>(t.app, w.owner, 'metrics', { teamId: w.team.id })
    for (const groupBy of ['status', 'priority', 'assignee', 'project', 'tag']) {
      const e = await getDashboard(t.app, w.owner, 'explorer', { teamId: w.team.id, groupBy, ...range })
      expect(e.items, groupBy).toEqual(expectedExplorer(tasks, groupBy))
    }
    const byStatus = await getDashboard<{ items: { key: string; count: number }[] }>(t.app, w.owner, 'explorer', {
      teamId: w.team.id,
      groupBy: 'status',
    })
    expect(Object.fromEntries(byStatus.items.map((i) => [i.key, i.count]))).toEqual(m.byStatus)
    const byAssignee = await getDashboard(t.app, w.owner, 'explorer', { teamId: w.team.id, groupBy: 'assignee' })
    expect(byAssignee.items).toEqual([
      { key: null, label: 'Unassigned', count: 4 },
      { key: w.member.id, label: w.member.name, count: 2 },
      { key: w.admin.id, label: w.admin.name, count: 1 },
    ])
    const byTag = await getDashboard(t.app, w.owner, 'explorer', { teamId: w.team.id, groupBy: 'tag' })
    expect(byTag.items).toEqual([
      { key: null, label: 'No tag', count: 5 },
      { key: w.tag.id, label: w.tag.name, count: 2 },
    ])
  })

  it('rounds the median cycle time to 2 decimals', async () => {
    const { team, owner } = await given.taskWorld(t.app)
    const made = await given.task(t.app, owner, {
      projectId: (await given.project(t.app, team, owner)).id,
      status: 'done',
    })
    await placeTask(t.app, made.id, {
      createdAt: new Date(now - HOUR / 3 - 10 * HOUR),
      completedAt: new Date(now - HOUR),
    })
    const m = await getDashboard(t.app, owner, 'metrics', { teamId: team.id })
    expect(m.medianCycleTimeHours).toBe(9.33)
  })

  describe('bad input', () => {
    const cases: [string, string, string][] = [
      ['metrics', 'from=yesterday', 'query.from'],
      [
        'metrics',
        `from=${encodeURIComponent(new Date(now).toISOString())}&to=${encodeURIComponent(new Date(now - DAY).toISOString())}`,
        'query.from',
      ],
      [
        'metrics',
        `from=${encodeURIComponent(new Date(now - 400 * DAY).toISOString())}&to=${encodeURIComponent(new Date(now).toISOString())}`,
        'query.from',
      ],
      ['metrics', `from=${encodeURIComponent(new Date(now + DAY).toISOString())}`, 'query.from'],
      ['metrics', 'to=2026-13-01T00:00:00Z', 'query.to'],
      ['explorer', 'groupBy=colour', 'query.groupBy'],
      ['explorer', '', 'query.groupBy'],
      ['leaderboard', 'limit=0', 'query.limit'],
      ['leaderboard', 'limit=101', 'query.limit'],
      ['metrics', 'projectId=nope', 'query.projectId'],
    ]
    it.each(cases)('%s?%s → 400 naming %s', async (path, qs, field) => {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/v1/dashboard/${path}?teamId=${w.team.id}&${qs}`,
        headers: w.owner.auth,
      })
      expect(res.statusCode, res.body).toBe(400)
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(field)
    })

    it('requires teamId', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/dashboard/metrics', headers: w.owner.auth })
      expect(res.statusCode).toBe(400)
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain('query.teamId')
    })
  })

  describe('access', () => {
    it.each(['metrics', 'leaderboard', 'explorer?groupBy=tag'])(
      '%s: 404 for a team the caller is not in',
      async (path) => {
        const sep = path.includes('?') ? '&' : '?'
        const res = await t.app.inject({
          method: 'GET',
          url: `/api/v1/dashboard/${path}${sep}teamId=${w.team.id}`,
          headers: w.outsider.auth,
        })
        expect(res.statusCode).toBe(404)
      },
    )

    it('404 for a project of another team, or none', async () => {
      const foreign = await given.project(t.app, w.outsiderTeam, w.outsider)
      for (const projectId of [foreign.id, '0190a000-0000-7000-8000-000000000000']) {
        const res = await t.app.inject({
          method: 'GET',
          url: `/api/v1/dashboard/metrics?teamId=${w.team.id}&projectId=${projectId}`,
          headers: w.owner.auth,
        })
        expect(res.statusCode).toBe(404)
      }
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/v1/dashboard/metrics?teamId=${w.outsiderTeam.id}&projectId=${foreign.id}`,
        headers: w.owner.auth,
      })
      expect(res.statusCode).toBe(404)
    })

    it('lets viewers and global admins read', async () => {
      for (const user of [w.viewer, w.globalAdmin]) {
        await getDashboard(t.app, user, 'explorer', { teamId: w.team.id, groupBy: 'status' })
      }
    })

    it('needs the tasks:read scope on a personal access token', async () => {
      const reader = await given.token(t.app, w.viewer, ['tasks:read'])
      const other = await given.token(t.app, w.viewer, ['teams:read', 'projects:read'])
      const url = `/api/v1/dashboard/metrics?teamId=${w.team.id}`
      expect((await t.app.inject({ method: 'GET', url, headers: bearer(reader) })).statusCode).toBe(200)
      expect((await t.app.inject({ method: 'GET', url, headers: bearer(other) })).statusCode).toBe(403)
      expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(401)
    })
  })
})
