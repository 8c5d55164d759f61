import { describe, expect, it } from 'vitest'
import { activityOfTask } from '../../../test/activity.ts'
import { useTestApp } from '../../../test/app.ts'
import { type GivenUser, given, type Task } from '../../../test/given.ts'
import { http } from '../../../test/http.ts'
import { walkTasks } from '../../../test/tasks.ts'

const t = useTestApp()
const { get, patch, del } = http(t)

const DAY = 86_400_000
type Auth = { authorization: string }
const complete = (auth: Auth, id: string) => patch(`/api/v1/tasks/${id}/status`, auth, { status: 'done' })

/** The open tasks of a project with this title (the next occurrence among them). */
async function openTitled(by: GivenUser, projectId: string, title: string): Promise<Task[]> {
  const list = await walkTasks(t.app, by, `projectId=${projectId}&status=todo,in_progress`)
  return list.filter((x) => x.title === title)
}

describe('completing a recurring task', () => {
  it('creates the next occurrence in the same transaction: same fields, status todo, next dueAt, shifted reminder', async () => {
    const w = await given.taskWorld(t.app)
    const parent = await given.task(t.app, w.member, { projectId: w.project.id, title: 'Parent' })
    const dueAt = new Date(Date.now() + 2 * DAY)
    dueAt.setUTCHours(9, 30, 0, 0)
    const task = await given.task(t.app, w.member, {
      projectId: w.project.id,
      parentId: parent.id,
      title: 'Water the plants',
      description: 'All of them',
      priority: 'high',
      assigneeId: w.admin.id,
      tagIds: [w.tag.id],
      dueAt: dueAt.toISOString(),
      remindAt: new Date(dueAt.getTime() - 3_600_000).toISOString(),
      recurrence: 'FREQ=DAILY;INTERVAL=2',
    })
    const res = await complete(w.member.auth, task.id)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ status: 'done', recurrence: 'FREQ=DAILY;INTERVAL=2' })
    const [next, ...more] = await openTitled(w.member, w.project.id, 'Water the plants')
    expect(more).toEqual([])
    const nextDue = new Date(dueAt.getTime() + 2 * DAY)
    expect(next).toMatchObject({
      projectId: w.project.id,
      parentId: parent.id,
      description: 'All of them',
      status: 'todo',
      priority: 'high',
      assigneeId: w.admin.id,
      tags: task.tags,
      recurrence: 'FREQ=DAILY;INTERVAL=2',
      dueAt: nextDue.toISOString(),
      remindAt: new Date(nextDue.getTime() - 3_600_000).toISOString(),
      completedAt: null,
      version: 1,
    })
    expect(next!.id).not.toBe(task.id)
    expect(next!.position).toBeGreaterThan(task.position)
    expect((await activityOfTask(t.app, next!.id)).map((r) => [r.action, r.actor_id])).toEqual([
      ['task.created', w.member.id],
    ])
  })

  it('skips occurrences already in the past: the first one after now, on the rule’s weekdays', async () => {
    const user = await given.user(t.app)
    // a Monday 10:00 years ago, weekly on Mondays and Thursdays
    const task = await given.task(t.app, user, {
      title: 'Standup',
      dueAt: '2020-01-06T10:00:00.000Z',
      recurrence: 'FREQ=WEEKLY;BYDAY=MO,TH',
    })
    const before = Date.now()
    await complete(user.auth, task.id)
    const [next] = await openTitled(user, task.projectId, 'Standup')
    const due = new Date(next!.dueAt!)
    expect(due.getTime()).toBeGreaterThan(before)
    expect(due.getTime() - before).toBeLessThanOrEqual(4 * DAY)
    expect([1, 4]).toContain(due.getUTCDay())
    expect(due.toISOString().slice(11)).toBe('10:00:00.000Z')
  })

  it('without a dueAt: the first occurrence after the completion time', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user, { title: 'Daily', recurrence: 'FREQ=DAILY' })
    const done = (await complete(user.auth, task.id)).json()
    const [next] = await openTitled(user, task.projectId, 'Daily')
    expect(new Date(next!.dueAt!).getTime() - new Date(done.completedAt).getTime()).toBe(DAY)
  })

  it('also when completed through PATCH /tasks/:id, but not when cancelled, re-saved as done, or not recurring', async () => {
    const user = await given.user(t.app)
    const recurring = await given.task(t.app, user, { title: 'Monthly', recurrence: 'FREQ=MONTHLY' })
    const save = (id: string, payload: Record<string, unknown>) => patch(`/api/v1/tasks/${id}`, user.auth, payload)
    expect((await save(recurring.id, { status: 'done' })).statusCode).toBe(200)
    expect(await openTitled(user, recurring.projectId, 'Monthly')).toHaveLength(1)
    await save(recurring.id, { status: 'done', title: 'Monthly' })
    expect(await openTitled(user, recurring.projectId, 'Monthly')).toHaveLength(1)

    const cancelled = await given.task(t.app, user, { title: 'Cancelled', recurrence: 'FREQ=DAILY' })
    await save(cancelled.id, { status: 'cancelled' })
    expect(await openTitled(user, cancelled.projectId, 'Cancelled')).toHaveLength(0)

    const once = await given.task(t.app, user, { title: 'Once' })
    await complete(user.auth, once.id)
    expect(await openTitled(user, once.projectId, 'Once')).toHaveLength(0)
  })

  it('creates the next occurrence once: reopening and completing again leaves the one it spawned', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user, { title: 'Weekly report', recurrence: 'FREQ=WEEKLY' })
    await complete(user.auth, task.id)
    const [next, ...more] = await openTitled(user, task.projectId, 'Weekly report')
    expect(more).toEqual([])
    for (const status of ['todo', 'done', 'in_progress', 'done']) {
      const res = await patch(`/api/v1/tasks/${task.id}/status`, user.auth, { status })
      expect(res.statusCode, res.body).toBe(200)
    }
    expect((await openTitled(user, task.projectId, 'Weekly report')).map((x) => x.id)).toEqual([next!.id])
    // the next occurrence itself spawns its own, once
    await complete(user.auth, next!.id)
    await patch(`/api/v1/tasks/${next!.id}`, user.auth, { status: 'todo' })
    await complete(user.auth, next!.id)
    expect(await openTitled(user, task.projectId, 'Weekly report')).toHaveLength(1)
  })

  it('creates it once under concurrent reopen/complete toggles', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user, { title: 'Toggled', recurrence: 'FREQ=DAILY' })
    const set = (status: string) => patch(`/api/v1/tasks/${task.id}/status`, user.auth, { status })
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => set(i % 2 ? 'todo' : 'done')))
    expect(answers.map((r) => r.statusCode)).toEqual(Array(12).fill(200))
    await set('done')
    expect(await openTitled(user, task.projectId, 'Toggled')).toHaveLength(1)
  })

  it('creates it anew when the one it spawned was deleted; deleting either occurrence keeps the other', async () => {
    const user = await given.user(t.app)
    const parent = await given.task(t.app, user, { title: 'Chores' })
    const task = await given.task(t.app, user, { title: 'Dishes', recurrence: 'FREQ=DAILY', parentId: parent.id })
    const remove = (id: string) => del(`/api/v1/tasks/${id}`, user.auth)
    await complete(user.auth, task.id)
    const [first] = await openTitled(user, task.projectId, 'Dishes')
    expect((await remove(first!.id)).statusCode).toBe(204)
    await patch(`/api/v1/tasks/${task.id}`, user.auth, { status: 'todo' })
    await complete(user.auth, task.id)
    const [second, ...more] = await openTitled(user, task.projectId, 'Dishes')
    expect(more).toEqual([])
    expect(second!.id).not.toBe(first!.id)
    // the completed one goes, the next stays; then the parent takes both generations with it
    expect((await remove(task.id)).statusCode).toBe(204)
    expect((await get(`/api/v1/tasks/${second!.id}`, user.auth)).statusCode).toBe(200)
    await complete(user.auth, second!.id)
    expect((await remove(parent.id)).statusCode).toBe(204)
    expect(await openTitled(user, task.projectId, 'Dishes')).toEqual([])
  })

  it('creates none while the project is archived; completing it again once unarchived resumes the series', async () => {
    const w = await given.taskWorld(t.app)
    const task = await given.task(t.app, w.member, {
      projectId: w.project.id,
      title: 'Weekly report',
      recurrence: 'FREQ=WEEKLY',
    })
    const archive = (archived: boolean) => patch(`/api/v1/projects/${w.project.id}`, w.owner.auth, { archived })
    expect((await archive(true)).statusCode).toBe(200)
    const res = await complete(w.member.auth, task.id)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().status).toBe('done')
    // a new task there is a 409, and so no occurrence appears either
    expect(await openTitled(w.member, w.project.id, 'Weekly report')).toEqual([])
    expect(
      (await t.database.sql.query('select id from tasks where previous_occurrence_id = $1', [task.id])).rows,
    ).toEqual([])
    expect((await activityOfTask(t.app, task.id)).map((r) => r.action)).toEqual(['task.created', 'task.status_changed'])

    expect((await archive(false)).statusCode).toBe(200)
    expect((await patch(`/api/v1/tasks/${task.id}`, w.member.auth, { status: 'todo' })).statusCode).toBe(200)
    expect((await complete(w.member.auth, task.id)).statusCode).toBe(200)
    const [next, ...more] = await openTitled(w.member, w.project.id, 'Weekly report')
    expect(more).toEqual([])
    expect(next).toMatchObject({ projectId: w.project.id, recurrence: 'FREQ=WEEKLY', status: 'todo' })
  })
})
