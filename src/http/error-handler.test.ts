import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { useTestApp } from '../../test/app.ts'
import { conflict } from './problem.ts'

const t = useTestApp({
  routes: (app) => {
    app.post(
      '/test/things',
      {
        schema: {
          body: z.strictObject({ title: z.string().min(1).max(10), count: z.number().int().min(0).max(5).optional() }),
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(100).optional() }),
        },
      },
      async (req) => ({ ok: true, body: req.body }),
    )
    app.get('/test/boom', async () => {
      throw new Error('secret internal detail: password=hunter2')
    })
    app.get('/test/conflict', async () => {
      throw conflict('Email already registered')
    })
    // what PostgreSQL throws at the transaction it picks as a deadlock's victim, wrapped as Drizzle does
    app.post('/test/deadlock', async () => {
      const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01', severity: 'ERROR' })
      throw Object.assign(new Error('Failed query: update tasks set …'), { cause: deadlock })
    })
    // what a query gets while the database restarts: refused, cut, or refused while it starts up
    const lost: Record<string, Error> = {
      refused: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      cut: new Error('Failed query: commit', { cause: new Error('Connection terminated unexpectedly') }),
      starting: Object.assign(new Error('the database system is starting up'), { code: '57P03', severity: 'FATAL' }),
    }
    app.post<{ Params: { how: string } }>('/test/database-away/:how', async (req) => {
      throw lost[req.params.how]
    })
    // a write pointing at rows that are gone, as when a concurrent request deleted them
    app.post('/test/dangling', async () => {
      await app.database.db.execute(
        sql`insert into task_tags (task_id, tag_id) values (gen_random_uuid(), gen_random_uuid())`,
      )
    })
  },
})

const PROBLEM = 'application/problem+json'

describe('problem+json errors', () => {
  it('answers an unknown route with a 404 problem', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here?x=1' })
    expect(res.statusCode).toBe(404)
    expect(res.headers['content-type']).toBe(PROBLEM)
    expect(res.json()).toEqual({
      type: 'urn:tasklane:problem:not-found',
      title: 'Not Found',
      status: 404,
      detail: 'Route GET /api/v1/nothing-here not found',
      resource: 'route',
      instance: '/api/v1/nothing-here',
      requestId: res.headers['x-request-id'],
    })
  })

  it('lists every validation error with a dotted path prefixed by the request part', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/test/things?limit=0', payload: { title: '', count: 9 } })
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toBe(PROBLEM)
    const body = res.json()
    expect(body.status).toBe(400)
    expect(body.requestId).toBe(res.headers['x-request-id'])
    // the body is validated before the query string is reported: Fastify stops at the first failing part
    const paths = body.errors.map((e: { path: string }) => e.path)
    expect(paths.length).toBeGreaterThan(0)
    for (const p of paths) expect(p).toMatch(/^(body|query)\./)
  })

  it('names body fields in errors', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/test/things', payload: { title: '', count: 9 } })
    expect(res.statusCode).toBe(400)
    expect(
      res
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['body.count', 'body.title'])
  })

  it('names query fields in errors', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/test/things?limit=1000', payload: { title: 'ok' } })
    expect(res.statusCode).toBe(400)
    expect(res.json().errors).toEqual([{ path: 'query.limit', message: expect.any(String) }])
  })

  it('rejects unknown fields on writes', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/test/things', payload: { title: 'ok', role: 'admin' } })
    expect(res.statusCode).toBe(400)
    expect(res.json().errors[0].message).toMatch(/role/)
  })

  it('answers a 500 without internals, with the request id, and logs the error', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/test/boom', headers: { 'x-request-id': 'trace-500' } })
    expect(res.statusCode).toBe(500)
    expect(res.headers['content-type']).toBe(PROBLEM)
    expect(res.json()).toEqual({
      type: 'urn:tasklane:problem:internal',
      title: 'Internal Server Error',
      status: 500,
      instance: '/test/boom',
      requestId: 'trace-500',
    })
    expect(res.body).not.toContain('hunter2')
    const logged = t.logs.find((l) => l.reqId === 'trace-500' && l.level === 'error')
    expect(logged?.msg).toBe('request failed')
  })

  it('passes a thrown problem through with its status and detail', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/test/conflict' })
    expect(res.statusCode).toBe(409)
    expect(res.json()).toMatchObject({ type: 'urn:tasklane:problem:conflict', detail: 'Email already registered' })
  })

  it('answers a foreign key violation with a 409 problem, logging the constraint but not the statement', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/test/dangling', headers: { 'x-request-id': 'fk-409' } })
    expect(res.statusCode).toBe(409)
    expect(res.headers['content-type']).toBe(PROBLEM)
    expect(res.json()).toMatchObject({ type: 'urn:tasklane:problem:conflict', status: 409, requestId: 'fk-409' })
    const logged = t.logs.find((l) => l.reqId === 'fk-409' && l.msg === 'request rejected')
    expect(logged).toMatchObject({ code: '23503', constraint: expect.stringMatching(/^task_tags_/) })
    expect(JSON.stringify(t.logs.filter((l) => l.reqId === 'fk-409'))).not.toContain('insert into')
  })

  it('answers malformed JSON with 400', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/things',
      headers: { 'content-type': 'application/json' },
      payload: '{"title":',
    })
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toBe(PROBLEM)
  })

  it('answers a non-JSON body on a JSON route with 415', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/things',
      headers: { 'content-type': 'text/plain' },
      payload: 'title=x',
    })
    expect(res.statusCode).toBe(415)
    expect(res.headers['content-type']).toBe(PROBLEM)
  })

  it('answers a body over the limit with 413', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/things',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ title: 'x'.repeat(t.config.BODY_LIMIT_BYTES) }),
    })
    expect(res.statusCode).toBe(413)
    expect(res.headers['content-type']).toBe(PROBLEM)
  })
})

describe('request ids', () => {
  it('echoes a sane X-Request-Id and puts it on every log line of the request', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/nowhere', headers: { 'x-request-id': 'client-abc.123' } })
    expect(res.headers['x-request-id']).toBe('client-abc.123')
    const lines = t.logs.filter((l) => l.reqId === 'client-abc.123')
    expect(lines.map((l) => l.msg)).toEqual(['request completed'])
  })

  it('replaces an unsafe X-Request-Id with a generated one', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'bad id\twith spaces' },
    })
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('generates a request id when none is sent', async () => {
    const a = await t.app.inject({ method: 'GET', url: '/health' })
    const b = await t.app.inject({ method: 'GET', url: '/health' })
    expect(a.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id'])
  })

  it('never logs the authorization header or cookies', async () => {
    await t.app.inject({
      method: 'GET',
      url: '/health?ticket=sse-ticket-secret',
      headers: { authorization: 'Bearer super-secret-token', cookie: 'sid=cookie-secret' },
    })
    const text = t.logText()
    expect(text).not.toContain('super-secret-token')
    expect(text).not.toContain('cookie-secret')
    expect(text).not.toContain('sse-ticket-secret')
  })
})

describe('a transaction that lost to a concurrent one', () => {
  it('answers 503 with Retry-After (nothing was written; the same request may succeed), logged as a warning', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/test/deadlock' })
    expect(res.statusCode).toBe(503)
    expect(res.headers['content-type']).toBe(PROBLEM)
    expect(res.headers['retry-after']).toBe('1')
    expect(res.json()).toMatchObject({ type: 'urn:tasklane:problem:contention', status: 503 })
    const line = t.logs.find((l) => String(l.msg).includes('concurrent one'))
    expect(line).toMatchObject({ level: 'warn', code: '40P01' })
    expect(t.logs.some((l) => l.msg === 'request failed' && l.reqId === res.headers['x-request-id'])).toBe(false)
  })
})

describe('a request while the database is unreachable', () => {
  it.each(['refused', 'cut', 'starting'])(
    'answers 503 with Retry-After when the connection was %s, logged as one warning line',
    async (how) => {
      const res = await t.app.inject({ method: 'POST', url: `/test/database-away/${how}` })
      expect(res.statusCode).toBe(503)
      expect(res.headers['content-type']).toBe(PROBLEM)
      expect(res.headers['retry-after']).toBe('2')
      expect(res.json()).toEqual({
        type: 'urn:tasklane:problem:unavailable',
        title: 'Service Unavailable',
        status: 503,
        instance: `/test/database-away/${how}`,
        requestId: res.headers['x-request-id'],
      })
      const line = t.logs.find(
        (l) => l.reqId === res.headers['x-request-id'] && l.msg === 'database unavailable; asked to retry',
      )
      expect(line).toMatchObject({ level: 'warn' })
      expect(t.logs.some((l) => l.msg === 'request failed' && l.reqId === res.headers['x-request-id'])).toBe(false)
    },
  )
})
