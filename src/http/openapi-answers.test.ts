import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { recordUndocumentedAnswers, takeUndocumentedAnswers } from '../../test/answers.ts'
import { useTestApp } from '../../test/app.ts'
import { impliedAnswers } from './openapi-answers.ts'

const t = useTestApp()

describe('the answers every route documents (issue 15 item 9)', () => {
  it.each([
    ['a public read', { method: 'GET', url: '/health', config: {} }, { api: false }, [429, 431, 500, 503]],
    [
      'a secured read by id',
      { method: 'GET', url: '/api/v1/tasks/:id', config: { scope: 'tasks:read' } },
      { api: true },
      [400, 401, 403, 404, 414, 429, 431, 500, 503],
    ],
    [
      'a public write',
      { method: 'POST', url: '/api/v1/auth/login', config: { public: true } },
      { api: true },
      [400, 413, 415, 429, 431, 500, 503],
    ],
    [
      'a secured write without a scope',
      { method: 'DELETE', url: '/api/v1/things/:id', config: {} },
      { api: true },
      [400, 401, 403, 404, 414, 413, 415, 429, 431, 500, 503],
    ],
  ])('implies the answers of %s', (_, route, where, codes) => {
    expect(impliedAnswers(route, where).sort()).toEqual(codes.sort())
  })

  it('lists what sign-in and refresh answer: 401 and 415 (they listed only 200, 400, 429, 500)', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    const codes = (path: string) => Object.keys(doc.paths[path].post.responses)
    expect(codes('/api/v1/auth/login')).toEqual(expect.arrayContaining(['200', '400', '401', '413', '415', '503']))
    expect(codes('/api/v1/auth/refresh')).toEqual(expect.arrayContaining(['401', '415']))
    expect(codes('/api/v1/auth/login/second-factor')).toContain('401')
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'nobody@example.test', password: 'not the password' },
    })
    expect(login.statusCode).toBe(401)
    const text = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'text/plain' },
      payload: 'hello',
    })
    expect(text.statusCode).toBe(415)
  })

  it('records an answer whose status the route does not document, naming route and status', async () => {
    const app = Fastify()
    app.get('/teapot', { schema: { response: { 200: { type: 'string' } } } }, async (_, reply) =>
      reply.code(418 as never).send(),
    )
    recordUndocumentedAnswers(app)
    await app.ready()
    await app.inject({ method: 'GET', url: '/teapot' })
    await app.inject({ method: 'GET', url: '/teapot' })
    await app.close()
    expect(takeUndocumentedAnswers()).toEqual([expect.stringMatching(/^GET \/teapot → 418 \(in "/)])
  })
})
