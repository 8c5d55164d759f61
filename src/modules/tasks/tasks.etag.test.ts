import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import type { GivenUser } from '../../../test/given.ts'
import { givenTask, givenTaskWorld } from '../../../test/given-tasks.ts'

const t = useTestApp()

const get = (by: GivenUser, id: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url: `/api/v1/tasks/${id}`, headers: { ...by.auth, ...headers } })
const send = (by: GivenUser, method: 'PATCH' | 'DELETE', url: string, payload?: object, headers = {}) =>
  t.app.inject({ method, url, headers: { ...by.auth, ...headers }, ...(payload ? { payload } : {}) })

/** The task's ETag now, and proof that the ETag a client kept no longer answers 304. */
async function etagChanged(by: GivenUser, id: string, kept: string): Promise<string> {
  const res = await get(by, id, { 'if-none-match': kept })
  expect(res.statusCode, 'a stale ETag must not answer 304').toBe(200)
  expect(res.headers.etag).not.toBe(kept)
  return String(res.headers.etag)
}

describe("a task's ETag covers everything its body shows", () => {
  it('changes when a subtask is added or deleted (subtaskCount), though the task itself was not written', async () => {
    const w = await givenTaskWorld(t.app)
    const parent = await givenTask(t.app, w.member, { projectId: w.project.id })
    const first = String((await get(w.member, parent.id)).headers.etag)
    const child = await givenTask(t.app, w.member, { projectId: w.project.id, parentId: parent.id })
    const second = await etagChanged(w.member, parent.id, first)
    expect((await get(w.member, parent.id)).json()).toMatchObject({ subtaskCount: 1, version: parent.version })
    await send(w.member, 'DELETE', `/api/v1/tasks/${child.id}`)
    expect(await etagChanged(w.member, parent.id, second)).toBe(first)
  })

  it("changes when one of its tags is renamed, recoloured or deleted, and when its assignee's name changes", async () => {
    const w = await givenTaskWorld(t.app)
    const task = await givenTask(t.app, w.member, {
      projectId: w.project.id,
      tagIds: [w.tag.id],
      assigneeId: w.member.id,
    })
    let etag = String((await get(w.member, task.id)).headers.etag)
    expect((await send(w.owner, 'PATCH', `/api/v1/tags/${w.tag.id}`, { name: 'renamed' })).statusCode).toBe(200)
    etag = await etagChanged(w.member, task.id, etag)
    expect((await send(w.owner, 'PATCH', `/api/v1/tags/${w.tag.id}`, { color: '#00ff00' })).statusCode).toBe(200)
    etag = await etagChanged(w.member, task.id, etag)
    expect((await send(w.member, 'PATCH', '/api/v1/users/me', { name: 'Someone else' })).statusCode).toBe(200)
    etag = await etagChanged(w.member, task.id, etag)
    expect((await send(w.owner, 'DELETE', `/api/v1/tags/${w.tag.id}`)).statusCode).toBe(204)
    await etagChanged(w.member, task.id, etag)
    expect((await get(w.member, task.id)).json()).toMatchObject({ tags: [], version: task.version })
  })

  it('is the same from create, GET and PATCH for the same state, and unchanged while nothing changes', async () => {
    const w = await givenTaskWorld(t.app)
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tasks',
      headers: w.member.auth,
      payload: { title: 'Same', projectId: w.project.id, tagIds: [w.tag.id] },
    })
    const id = created.json().id
    expect((await get(w.member, id)).headers.etag).toBe(created.headers.etag)
    expect((await get(w.member, id, { 'if-none-match': String(created.headers.etag) })).statusCode).toBe(304)
    const patched = await send(w.member, 'PATCH', `/api/v1/tasks/${id}`, { title: 'Changed' })
    expect(patched.headers.etag).not.toBe(created.headers.etag)
    expect((await get(w.member, id)).headers.etag).toBe(patched.headers.etag)
  })
})

describe('If-Match on task writes, with the new ETag', () => {
  it('accepts the ETag a GET returned, and answers 412 to one made stale by a subtask, writing nothing', async () => {
    const w = await givenTaskWorld(t.app)
    const task = await givenTask(t.app, w.member, { projectId: w.project.id, title: 'Before' })
    const etag = String((await get(w.member, task.id)).headers.etag)
    const ok = await send(w.member, 'PATCH', `/api/v1/tasks/${task.id}`, { title: 'After' }, { 'if-match': etag })
    expect(ok.statusCode, ok.body).toBe(200)
    const current = String(ok.headers.etag)
    await givenTask(t.app, w.member, { projectId: w.project.id, parentId: task.id })
    const stale = await send(w.member, 'PATCH', `/api/v1/tasks/${task.id}`, { title: 'Lost' }, { 'if-match': current })
    expect(stale.statusCode).toBe(412)
    const status = await send(
      w.member,
      'PATCH',
      `/api/v1/tasks/${task.id}/status`,
      { status: 'done' },
      {
        'if-match': current,
      },
    )
    expect(status.statusCode).toBe(412)
    expect(
      (await send(w.member, 'DELETE', `/api/v1/tasks/${task.id}`, undefined, { 'if-match': current })).statusCode,
    ).toBe(412)
    expect((await get(w.member, task.id)).json()).toMatchObject({ title: 'After', status: 'todo' })
    const fresh = String((await get(w.member, task.id)).headers.etag)
    expect(
      (await send(w.member, 'DELETE', `/api/v1/tasks/${task.id}`, undefined, { 'if-match': fresh })).statusCode,
    ).toBe(204)
  })

  it('still takes the bare version (the body’s `version`), which guards the task’s own fields', async () => {
    const w = await givenTaskWorld(t.app)
    const task = await givenTask(t.app, w.member, { projectId: w.project.id })
    await givenTask(t.app, w.member, { projectId: w.project.id, parentId: task.id })
    const ok = await send(w.member, 'PATCH', `/api/v1/tasks/${task.id}`, { title: 'x' }, { 'if-match': '"1"' })
    expect(ok.statusCode, ok.body).toBe(200)
    const stale = await send(w.member, 'PATCH', `/api/v1/tasks/${task.id}`, { title: 'y' }, { 'if-match': '"1"' })
    expect(stale.statusCode).toBe(412)
  })
})
