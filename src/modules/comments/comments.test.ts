import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'
import { http } from '../../../test/http.ts'

const t = useTestApp()

const { get, post, patch, del } = http(t)
const pathsOf = (body: { errors?: { path: string }[] }) => body.errors?.map((e) => e.path) ?? []

describe('comments', () => {
  it('POST creates a comment: 201, Location, ETag, the comment shape', async () => {
    const user = await given.user(t.app, { name: 'Ada' })
    const task = await given.task(t.app, user)
    const res = await post(`/api/v1/tasks/${task.id}/comments`, user.auth, { body: '  Looks good  ' })
    expect(res.statusCode, res.body).toBe(201)
    const comment = res.json()
    expect(comment).toEqual({
      id: expect.any(String),
      taskId: task.id,
      authorId: user.id,
      author: { id: user.id, name: 'Ada' },
      body: 'Looks good',
      createdAt: expect.any(String),
      updatedAt: comment.createdAt,
      version: 1,
    })
    expect(res.headers.location).toBe(`/api/v1/comments/${comment.id}`)
    expect(res.headers.etag).toBe('"1"')
    const got = await get(res.headers.location as string, user.auth)
    expect(got.json()).toEqual(comment)
    const cached = await get(res.headers.location as string, { ...user.auth, 'if-none-match': '"1"' })
    expect(cached.statusCode).toBe(304)
  })

  it.each([
    ['an empty body', { body: '  ' }],
    ['a body over 10000 characters', { body: 'x'.repeat(10_001) }],
    ['no body', {}],
    ['an unknown field', { body: 'ok', authorId: '01a2168b-7444-7b7a-aa77-fd3c3f8d7007' }],
  ])('rejects %s with 400', async (_, payload) => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    const res = await post(`/api/v1/tasks/${task.id}/comments`, user.auth, payload)
    expect(res.statusCode).toBe(400)
    const { rows } = await t.database.sql.query('select id from comments where task_id = $1', [task.id])
    expect(rows).toHaveLength(0)
  })

  it('POST on a task that does not exist is a 404', async () => {
    const user = await given.user(t.app)
    const res = await post('/api/v1/tasks/01a2168b-7444-7b7a-aa77-fd3c3f8d7007/comments', user.auth, { body: 'hello' })
    expect(res.statusCode).toBe(404)
  })

  it('honours Idempotency-Key', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    const headers = { 'idempotency-key': 'comment-1' }
    const [a, b] = await Promise.all([
      post(`/api/v1/tasks/${task.id}/comments`, { ...user.auth, ...headers }, { body: 'once' }),
      post(`/api/v1/tasks/${task.id}/comments`, { ...user.auth, ...headers }, { body: 'once' }),
    ])
    expect(a.json().id).toBe(b.json().id)
    const { rows } = await t.database.sql.query('select id from comments where task_id = $1', [task.id])
    expect(rows).toHaveLength(1)
  })

  it('GET lists oldest first in keyset pages, stable while comments are added', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    for (let i = 1; i <= 5; i++) await post(`/api/v1/tasks/${task.id}/comments`, user.auth, { body: `c${i}` })
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const res: Awaited<ReturnType<typeof t.app.inject>> = await get(
        `/api/v1/tasks/${task.id}/comments?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        user.auth,
      )
      expect(res.statusCode).toBe(200)
      seen.push(...res.json().items.map((c: { body: string }) => c.body))
      cursor = res.json().nextCursor
      if (seen.length === 2) await post(`/api/v1/tasks/${task.id}/comments`, user.auth, { body: 'late' })
    } while (cursor)
    expect(seen).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'late'])
    const bad = await get(`/api/v1/tasks/${task.id}/comments?cursor=nope`, user.auth)
    expect(bad.statusCode).toBe(400)
    expect(pathsOf(bad.json())).toEqual(['query.cursor'])
    const tooMany = await get(`/api/v1/tasks/${task.id}/comments?limit=101`, user.auth)
    expect(tooMany.statusCode).toBe(400)
  })

  it('PATCH edits the body (author only), honours If-Match; an empty patch changes nothing', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    const comment = (await post(`/api/v1/tasks/${task.id}/comments`, user.auth, { body: 'first' })).json()
    const url = `/api/v1/comments/${comment.id}`
    const edit = (payload: Record<string, unknown>, headers = {}) => patch(url, { ...user.auth, ...headers }, payload)
    const res = await edit({ body: 'second' }, { 'if-match': '"1"' })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ body: 'second', version: 2 })
    expect(res.headers.etag).toBe('"2"')
    expect((await edit({ body: 'third' }, { 'if-match': '"1"' })).statusCode).toBe(412)
    expect((await edit({})).json()).toMatchObject({ body: 'second', version: 2 })
    expect((await edit({ body: '' })).statusCode).toBe(400)
    expect((await edit({ taskId: task.id })).statusCode).toBe(400)
  })

  it('DELETE removes it (204), honours If-Match, then 404', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user)
    const comment = (await post(`/api/v1/tasks/${task.id}/comments`, user.auth, { body: 'bye' })).json()
    const url = `/api/v1/comments/${comment.id}`
    const stale = await del(url, { ...user.auth, 'if-match': '"2"' })
    expect(stale.statusCode).toBe(412)
    const res = await del(url, { ...user.auth, 'if-match': '"1"' })
    expect(res.statusCode).toBe(204)
    expect((await get(url, user.auth)).statusCode).toBe(404)
    expect((await del(url, user.auth)).statusCode).toBe(404)
  })
})
