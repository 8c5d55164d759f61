import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { type GivenUser, given } from '../../../test/given.ts'
import { http } from '../../../test/http.ts'

const t = useTestApp()

const { get, post, patch, del } = http(t)

/** The task's ETag now, and proof that the ETag a client kept no longer answers 304. */
async function etagChanged(by: GivenUser, id: string, kept: string): Promise<string> {
  const res = await get(`/api/v1/tasks/${id}`, { ...by.auth, 'if-none-match': kept })
  expect(res.statusCode, 'a stale ETag must not answer 304').toBe(200)
  expect(res.headers.etag).not.toBe(kept)
  return String(res.headers.etag)
}

describe("a task's ETag covers everything its body shows", () => {
  it('changes when a subtask is added or deleted (subtaskCount), though the task itself was not written', async () => {
    const w = await given.taskWorld(t.app)
    const parent = await given.task(t.app, w.member, { projectId: w.project.id })
    const first = String((await get(`/api/v1/tasks/${parent.id}`, w.member.auth)).headers.etag)
    const child = await given.task(t.app, w.member, { projectId: w.project.id, parentId: parent.id })
    const second = await etagChanged(w.member, parent.id, first)
    expect((await get(`/api/v1/tasks/${parent.id}`, w.member.auth)).json()).toMatchObject({
      subtaskCount: 1,
      version: parent.version,
    })
    await del(`/api/v1/tasks/${child.id}`, w.member.auth)
    expect(await etagChanged(w.member, parent.id, second)).toBe(first)
  })

  it("changes when one of its tags is renamed, recoloured or deleted, and when its assignee's name changes", async () => {
    const w = await given.taskWorld(t.app)
    const task = await given.task(t.app, w.member, {
      projectId: w.project.id,
      tagIds: [w.tag.id],
      assigneeId: w.member.id,
    })
    let etag = String((await get(`/api/v1/tasks/${task.id}`, w.member.auth)).headers.etag)
    expect((await patch(`/api/v1/tags/${w.tag.id}`, w.owner.auth, { name: 'renamed' })).statusCode).toBe(200)
    etag = await etagChanged(w.member, task.id, etag)
    expect((await patch(`/api/v1/tags/${w.tag.id}`, w.owner.auth, { color: '#00ff00' })).statusCode).toBe(200)
    etag = await etagChanged(w.member, task.id, etag)
    expect((await patch('/api/v1/users/me', w.member.auth, { name: 'Someone else' })).statusCode).toBe(200)
    etag = await etagChanged(w.member, task.id, etag)
    expect((await del(`/api/v1/tags/${w.tag.id}`, w.owner.auth)).statusCode).toBe(204)
    await etagChanged(w.member, task.id, etag)
    expect((await get(`/api/v1/tasks/${task.id}`, w.member.auth)).json()).toMatchObject({
      tags: [],
      version: task.version,
    })
  })

  it('is the same from create, GET and PATCH for the same state, and unchanged while nothing changes', async () => {
    const w = await given.taskWorld(t.app)
    const created = await post('/api/v1/tasks', w.member.auth, {
      title: 'Same',
      projectId: w.project.id,
      tagIds: [w.tag.id],
    })
    const id = created.json().id
    expect((await get(`/api/v1/tasks/${id}`, w.member.auth)).headers.etag).toBe(created.headers.etag)
    expect(
      (await get(`/api/v1/tasks/${id}`, { ...w.member.auth, 'if-none-match': String(created.headers.etag) }))
        .statusCode,
    ).toBe(304)
    const patched = await patch(`/api/v1/tasks/${id}`, w.member.auth, { title: 'Changed' })
    expect(patched.headers.etag).not.toBe(created.headers.etag)
    expect((await get(`/api/v1/tasks/${id}`, w.member.auth)).headers.etag).toBe(patched.headers.etag)
  })
})

describe('If-Match on task writes, with the new ETag', () => {
  it('accepts the ETag a GET returned, and answers 412 to one made stale by a subtask, writing nothing', async () => {
    const w = await given.taskWorld(t.app)
    const task = await given.task(t.app, w.member, { projectId: w.project.id, title: 'Before' })
    const etag = String((await get(`/api/v1/tasks/${task.id}`, w.member.auth)).headers.etag)
    const ok = await patch(`/api/v1/tasks/${task.id}`, { ...w.member.auth, 'if-match': etag }, { title: 'After' })
    expect(ok.statusCode, ok.body).toBe(200)
    const current = String(ok.headers.etag)
    await given.task(t.app, w.member, { projectId: w.project.id, parentId: task.id })
    const stale = await patch(`/api/v1/tasks/${task.id}`, { ...w.member.auth, 'if-match': current }, { title: 'Lost' })
    expect(stale.statusCode).toBe(412)
    const status = await patch(
      `/api/v1/tasks/${task.id}/status`,
      { ...w.member.auth, 'if-match': current },
      { status: 'done' },
    )
    expect(status.statusCode).toBe(412)
    expect((await del(`/api/v1/tasks/${task.id}`, { ...w.member.auth, 'if-match': current })).statusCode).toBe(412)
    expect((await get(`/api/v1/tasks/${task.id}`, w.member.auth)).json()).toMatchObject({
      title: 'After',
      status: 'todo',
    })
    const fresh = String((await get(`/api/v1/tasks/${task.id}`, w.member.auth)).headers.etag)
    expect((await del(`/api/v1/tasks/${task.id}`, { ...w.member.auth, 'if-match': fresh })).statusCode).toBe(204)
  })

  it('still takes the bare version (the body’s `version`), which guards the task’s own fields', async () => {
    const w = await given.taskWorld(t.app)
    const task = await given.task(t.app, w.member, { projectId: w.project.id })
    await given.task(t.app, w.member, { projectId: w.project.id, parentId: task.id })
    const ok = await patch(`/api/v1/tasks/${task.id}`, { ...w.member.auth, 'if-match': '"1"' }, { title: 'x' })
    expect(ok.statusCode, ok.body).toBe(200)
    const stale = await patch(`/api/v1/tasks/${task.id}`, { ...w.member.auth, 'if-match': '"1"' }, { title: 'y' })
    expect(stale.statusCode).toBe(412)
  })
})
