import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../test/app.ts'
import { given } from '../../test/given.ts'

const t = useTestApp()

describe('query parameters a route does not declare', () => {
  it('are refused with 400 naming each one, on lists and on single resources', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user, { title: 'Only todo' })
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/tasks?stauts=done&limit=5', headers: user.auth })
    expect(list.statusCode).toBe(400)
    expect(list.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(list.json()).toMatchObject({
      type: 'urn:tasklane:problem:validation',
      requestId: list.headers['x-request-id'],
      errors: [{ path: 'query.stauts', message: 'unknown parameter' }],
    })
    const one = await t.app.inject({ method: 'GET', url: `/api/v1/tasks/${task.id}?a=1&b=2`, headers: user.auth })
    expect(one.statusCode).toBe(400)
    expect(one.json().errors.map((e: { path: string }) => e.path)).toEqual(['query.a', 'query.b'])
    const write = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/tasks/${task.id}?force=true`,
      headers: user.auth,
      payload: { title: 'Changed' },
    })
    expect(write.statusCode).toBe(400)
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/v1/tasks/${task.id}`, headers: user.auth })).json().title,
    ).toBe('Only todo')
  })

  it('leaves declared parameters, the credentials check and the ops routes as they were', async () => {
    const user = await given.user(t.app)
    const ok = await t.app.inject({ method: 'GET', url: '/api/v1/tasks?status=done&limit=5', headers: user.auth })
    expect(ok.statusCode).toBe(200)
    // who is asking comes first: an anonymous caller learns nothing about the parameters
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/tasks?stauts=done' })).statusCode).toBe(401)
    expect((await t.app.inject({ method: 'GET', url: '/health?probe=1' })).statusCode).toBe(200)
  })
})
