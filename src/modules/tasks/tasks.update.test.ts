import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'
import { http } from '../../../test/http.ts'
import { archiveProject } from '../../../test/tasks.ts'

const t = useTestApp()

const { get, post, patch, del } = http(t)
const pathsOf = (body: { errors?: { path: string }[] }) => body.errors?.map((e) => e.path) ?? []

describe('PATCH /tasks/:id', () => {
  it('changes only the fields it names, clears those set to null, and bumps version and ETag', async () => {
    const w = await given.taskWorld(t.app)
    const task = await given.task(t.app, w.member, {
      projectId: w.project.id,
      title: 'Original',
      description: 'Keep me',
      dueAt: '2030-01-01T00:00:00.000Z',
      remindAt: '2029-12-31T00:00:00.000Z',
      assigneeId: w.member.id,
      tagIds: [w.tag.id],
      recurrence: 'FREQ=DAILY',
      priority: 'high',
    })
    const res = await patch(`/api/v1/tasks/${task.id}`, w.member.auth, {
      title: 'Renamed',
      dueAt: null,
      tagIds: null,
      recurrence: null,
    })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.headers.etag).toMatch(/^"2-[\w-]+"$/)
    expect(res.json()).toEqual({
      ...task,
      title: 'Renamed',
      dueAt: null,
      tags: [],
      recurrence: null,
      version: 2,
      updatedAt: expect.any(String),
    })
    expect(res.json().updatedAt > task.updatedAt).toBe(true)
    const cleared = await patch(`/api/v1/tasks/${task.id}`, w.member.auth, {
      description: null,
      assigneeId: null,
      remindAt: null,
    })
    expect(cleared.json()).toMatchObject({ description: null, assignee: null, assigneeId: null, remindAt: null })
    expect(cleared.json()).toMatchObject({ title: 'Renamed', priority: 'high', version: 3 })
  })

  it('sets every settable field', async () => {
    const w = await given.taskWorld(t.app)
    const parent = await given.task(t.app, w.member, { projectId: w.project.id })
    const task = await given.task(t.app, w.member, { projectId: w.project.id })
    const other = await given.tag(t.app, w.team, w.owner, { name: 'zeta' })
    const res = await patch(`/api/v1/tasks/${task.id}`, w.member.auth, {
      title: 'All of it',
      description: 'Text',
      priority: 'low',
      status: 'in_progress',
      dueAt: '2031-02-03T04:05:06.789Z',
      remindAt: '2031-02-03T00:00:00.000Z',
      assigneeId: w.viewer.id,
      tagIds: [other.id, w.tag.id],
      parentId: parent.id,
      position: -2.5,
      recurrence: 'FREQ=MONTHLY;INTERVAL=2',
    })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({
      title: 'All of it',
      description: 'Text',
      priority: 'low',
      status: 'in_progress',
      dueAt: '2031-02-03T04:05:06.789Z',
      remindAt: '2031-02-03T00:00:00.000Z',
      assignee: { id: w.viewer.id, name: w.viewer.name },
      parentId: parent.id,
      position: -2.5,
      recurrence: 'FREQ=MONTHLY;INTERVAL=2',
    })
    expect(
      res
        .json()
        .tags.map((tag: { id: string }) => tag.id)
        .sort(),
    ).toEqual([other.id, w.tag.id].sort())
  })

  it('answers an empty patch with the task unchanged (same version)', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    const res = await patch(`/api/v1/tasks/${task.id}`, user.auth, {})
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual(task)
    const same = await patch(`/api/v1/tasks/${task.id}`, user.auth, { title: task.title, priority: task.priority })
    expect(same.json().version).toBe(1)
  })

  it.each([
    ['a null title', { title: null }, 'body.title'],
    ['a null status', { status: null }, 'body.status'],
    ['a position that is no number', { position: 'first' }, 'body.position'],
    ['a bad recurrence', { recurrence: 'FREQ=DAILY;INTERVAL=0' }, 'body.recurrence'],
  ])('rejects %s with 400', async (_, payload, path) => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    const res = await patch(`/api/v1/tasks/${task.id}`, user.auth, payload)
    expect(res.statusCode, res.body).toBe(400)
    expect(pathsOf(res.json())).toContain(path)
  })

  it('rejects fields the client may not set', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    for (const payload of [{ teamId: task.id }, { version: 9 }, { completedAt: null }, { subtaskCount: 3 }]) {
      const res = await patch(`/api/v1/tasks/${task.id}`, user.auth, payload)
      expect(res.statusCode, res.body).toBe(400)
    }
    expect((await get(`/api/v1/tasks/${task.id}`, user.auth)).json()).toEqual(task)
  })

  it('answers 400 naming the field for an assignee, tag or parent the task cannot have', async () => {
    const w = await given.taskWorld(t.app)
    const task = await given.task(t.app, w.member, { projectId: w.project.id })
    const foreignTag = await given.tag(t.app, w.outsiderTeam, w.outsider)
    const foreignTask = await given.task(t.app, w.outsider)
    const cases: [Record<string, unknown>, string][] = [
      [{ assigneeId: w.outsider.id }, 'body.assigneeId'],
      [{ tagIds: [foreignTag.id] }, 'body.tagIds'],
      [{ parentId: foreignTask.id }, 'body.parentId'],
      [{ parentId: task.id }, 'body.parentId'],
      [{ projectId: foreignTask.projectId }, 'body.projectId'],
    ]
    for (const [payload, path] of cases) {
      const res = await patch(`/api/v1/tasks/${task.id}`, w.member.auth, payload)
      expect(res.statusCode, res.body).toBe(400)
      expect(pathsOf(res.json())).toEqual([path])
    }
    expect((await get(`/api/v1/tasks/${task.id}`, w.member.auth)).json().version).toBe(1)
  })

  it('refuses a parent that would make a cycle (walking up the ancestors)', async () => {
    const w = await given.taskWorld(t.app)
    const a = await given.task(t.app, w.member, { projectId: w.project.id, title: 'A' })
    const b = await given.task(t.app, w.member, { projectId: w.project.id, title: 'B', parentId: a.id })
    const c = await given.task(t.app, w.member, { projectId: w.project.id, title: 'C', parentId: b.id })
    const res = await patch(`/api/v1/tasks/${a.id}`, w.member.auth, { parentId: c.id })
    expect(res.statusCode, res.body).toBe(400)
    expect(pathsOf(res.json())).toEqual(['body.parentId'])
    const ok = await patch(`/api/v1/tasks/${c.id}`, w.member.auth, { parentId: a.id })
    expect(ok.statusCode).toBe(200)
    const top = await patch(`/api/v1/tasks/${b.id}`, w.member.auth, { parentId: null })
    expect(top.json().parentId).toBeNull()
  })

  it('moves a task to another project of its team: at the end, with its subtasks', async () => {
    const w = await given.taskWorld(t.app)
    const target = await given.project(t.app, w.team, w.owner, { name: 'Target' })
    const there = await given.task(t.app, w.member, { projectId: target.id })
    const task = await given.task(t.app, w.member, { projectId: w.project.id })
    const sub = await given.task(t.app, w.member, { projectId: w.project.id, parentId: task.id })
    const subsub = await given.task(t.app, w.member, { projectId: w.project.id, parentId: sub.id })
    const res = await patch(`/api/v1/tasks/${task.id}`, w.member.auth, { projectId: target.id })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ projectId: target.id, subtaskCount: 1 })
    expect(res.json().position).toBeGreaterThan(there.position)
    for (const id of [sub.id, subsub.id])
      expect((await get(`/api/v1/tasks/${id}`, w.member.auth)).json().projectId).toBe(target.id)
  })

  it('moves a subtask only together with a new parent (or none)', async () => {
    const w = await given.taskWorld(t.app)
    const target = await given.project(t.app, w.team, w.owner, { name: 'Target' })
    const parent = await given.task(t.app, w.member, { projectId: w.project.id })
    const sub = await given.task(t.app, w.member, { projectId: w.project.id, parentId: parent.id })
    const alone = await patch(`/api/v1/tasks/${sub.id}`, w.member.auth, { projectId: target.id })
    expect(alone.statusCode).toBe(400)
    expect(pathsOf(alone.json())).toEqual(['body.parentId'])
    const detached = await patch(`/api/v1/tasks/${sub.id}`, w.member.auth, { projectId: target.id, parentId: null })
    expect(detached.json()).toMatchObject({ projectId: target.id, parentId: null })
  })

  it('answers 409 for a move into an archived project', async () => {
    const w = await given.taskWorld(t.app)
    const archived = await given.project(t.app, w.team, w.owner, { name: 'Old' })
    await archiveProject(t.app, archived.id)
    const task = await given.task(t.app, w.member, { projectId: w.project.id })
    const res = await patch(`/api/v1/tasks/${task.id}`, w.member.auth, { projectId: archived.id })
    expect(res.statusCode).toBe(409)
    expect((await get(`/api/v1/tasks/${task.id}`, w.member.auth)).json().projectId).toBe(w.project.id)
  })
})

describe('If-Match', () => {
  it('answers 412 for a stale ETag and changes nothing; a current one passes', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    await patch(`/api/v1/tasks/${task.id}`, user.auth, { title: 'v2' })
    const stale = await patch(`/api/v1/tasks/${task.id}`, { ...user.auth, 'if-match': '"1"' }, { title: 'lost update' })
    expect(stale.statusCode).toBe(412)
    expect((await get(`/api/v1/tasks/${task.id}`, user.auth)).json().title).toBe('v2')
    const current = await patch(`/api/v1/tasks/${task.id}`, { ...user.auth, 'if-match': '"2"' }, { title: 'v3' })
    expect(current.statusCode).toBe(200)
    const garbage = await patch(`/api/v1/tasks/${task.id}`, { ...user.auth, 'if-match': 'yesterday' }, { title: 'x' })
    expect(garbage.statusCode).toBe(412)
    const stalestatus = await patch(
      `/api/v1/tasks/${task.id}/status`,
      { ...user.auth, 'if-match': '"2"' },
      { status: 'done' },
    )
    expect(stalestatus.statusCode).toBe(412)
    const staleDelete = await del(`/api/v1/tasks/${task.id}`, { ...user.auth, 'if-match': '"1"' })
    expect(staleDelete.statusCode).toBe(412)
    expect((await get(`/api/v1/tasks/${task.id}`, user.auth)).statusCode).toBe(200)
  })

  it('compares strongly (RFC 9110): a weak ETag never matches, even of the current version, and changes nothing', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user, { title: 'Kept' })
    const etag = String((await get(`/api/v1/tasks/${task.id}`, user.auth)).headers.etag)
    const weak = { 'if-match': `W/${etag}` }
    const res = await patch(`/api/v1/tasks/${task.id}`, { ...user.auth, ...weak }, { title: 'weakly matched' })
    expect(res.statusCode).toBe(412)
    expect(res.headers['content-type']).toBe('application/problem+json')
    expect(
      (await patch(`/api/v1/tasks/${task.id}/status`, { ...user.auth, ...weak }, { status: 'done' })).statusCode,
    ).toBe(412)
    const deleted = await del(`/api/v1/tasks/${task.id}`, { ...user.auth, ...weak })
    expect(deleted.statusCode).toBe(412)
    expect((await get(`/api/v1/tasks/${task.id}`, user.auth)).json()).toMatchObject({
      title: 'Kept',
      status: 'todo',
      version: 1,
    })
    // If-None-Match compares weakly: the same weak tag is a 304
    const unchanged = await get(`/api/v1/tasks/${task.id}`, { ...user.auth, 'if-none-match': `W/${etag}` })
    expect(unchanged.statusCode).toBe(304)
  })

  it('lets one of two concurrent updates with the same If-Match win; the other gets 412', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    const headers = { 'if-match': '"1"' }
    const results = await Promise.all([
      patch(`/api/v1/tasks/${task.id}`, { ...user.auth, ...headers }, { title: 'first' }),
      patch(`/api/v1/tasks/${task.id}`, { ...user.auth, ...headers }, { title: 'second' }),
    ])
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 412])
    const winner = results.find((r) => r.statusCode === 200)!.json()
    expect((await get(`/api/v1/tasks/${task.id}`, user.auth)).json()).toMatchObject({ title: winner.title, version: 2 })
  })
})

describe('PATCH /tasks/:id/status', () => {
  it('sets completedAt and completedBy on done and clears them when reopened or cancelled', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    const done = await patch(`/api/v1/tasks/${task.id}/status`, user.auth, { status: 'done' })
    expect(done.statusCode, done.body).toBe(200)
    expect(done.json()).toMatchObject({ status: 'done', completedAt: done.json().updatedAt, version: 2 })
    const completedBy = async () =>
      (
        await t.database.sql.query<{ completed_by: string | null }>('select completed_by from tasks where id = $1', [
          task.id,
        ])
      ).rows[0]!.completed_by
    expect(await completedBy()).toBe(user.id)
    const again = await patch(`/api/v1/tasks/${task.id}/status`, user.auth, { status: 'done' })
    expect(again.json()).toMatchObject({ completedAt: done.json().completedAt, version: 2 })
    const reopened = await patch(`/api/v1/tasks/${task.id}/status`, user.auth, { status: 'in_progress' })
    expect(reopened.json()).toMatchObject({ status: 'in_progress', completedAt: null })
    expect(await completedBy()).toBeNull()
    await patch(`/api/v1/tasks/${task.id}/status`, user.auth, { status: 'done' })
    const cancelled = await patch(`/api/v1/tasks/${task.id}/status`, user.auth, { status: 'cancelled' })
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', completedAt: null })
  })

  it('rejects an unknown status or another field', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    const bad = await patch(`/api/v1/tasks/${task.id}/status`, user.auth, { status: 'finished' })
    expect(bad.statusCode).toBe(400)
    expect(pathsOf(bad.json())).toEqual(['body.status'])
    const extra = await patch(`/api/v1/tasks/${task.id}/status`, user.auth, { status: 'done', title: 'sneaky' })
    expect(extra.statusCode).toBe(400)
  })
})

describe('DELETE /tasks/:id', () => {
  it('deletes the task with its subtasks and comments: 204, then 404', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    const sub = await given.task(t.app, user, { parentId: task.id })
    const comment = await post(`/api/v1/tasks/${task.id}/comments`, user.auth, { body: 'Bye' })
    expect(comment.statusCode).toBe(201)
    const res = await del(`/api/v1/tasks/${task.id}`, { ...user.auth, 'if-match': '"1"' })
    expect(res.statusCode).toBe(204)
    expect(res.body).toBe('')
    expect((await get(`/api/v1/tasks/${task.id}`, user.auth)).statusCode).toBe(404)
    expect((await get(`/api/v1/tasks/${sub.id}`, user.auth)).statusCode).toBe(404)
    const { rows } = await t.database.sql.query('select id from comments where id = $1', [comment.json().id])
    expect(rows).toHaveLength(0)
    const twice = await del(`/api/v1/tasks/${task.id}`, user.auth)
    expect(twice.statusCode).toBe(404)
  })
})
