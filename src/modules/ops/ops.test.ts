import { describe, expect, it } from 'vitest'
import { createTestApp, testConfig, useTestApp } from '../../../test/app.ts'
import { freshDatabase } from '../../../test/db.ts'
import { buildApp } from '../../app.ts'
import { openDb } from '../../db/client.ts'
import { openDeps } from '../../deps.ts'
import { createLogger } from '../../logger.ts'

const t = useTestApp()

describe('operations routes', () => {
  it('GET /health answers ok', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ok' })
  })

  it('GET /ready reports the database and storage', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/ready' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      status: 'ok',
      checks: process.env.TEST_REDIS_URL
        ? { database: 'ok', storage: 'ok', redis: 'ok' }
        : { database: 'ok', storage: 'ok' },
    })
  })

  it('GET /ready answers 503 when the database is unreachable: a problem with the checks as an extension', async () => {
    const config = testConfig()
    const database = await openDb({ url: 'postgres://postgres@127.0.0.1:9/none' })
    const app = await buildApp(await openDeps({ config, database, logger: createLogger({ LOG_LEVEL: 'silent' }) }))
    try {
      const res = await app.inject({ method: 'GET', url: '/ready', headers: { 'x-request-id': 'not-ready-1' } })
      expect(res.statusCode).toBe(503)
      expect(res.headers['content-type']).toBe('application/problem+json')
      expect(res.json()).toEqual({
        type: 'urn:tasklane:problem:not-ready',
        title: 'Service Unavailable',
        status: 503,
        instance: '/ready',
        requestId: 'not-ready-1',
        checks: { database: 'down', storage: 'ok' },
      })
    } finally {
      await app.close()
      await database.close()
    }
  })

  it('GET /ready answers 503 once the database is closed, and ok for a live one', async () => {
    const database = await freshDatabase()
    const app = await buildApp(
      await openDeps({ config: testConfig(), database, logger: createLogger({ LOG_LEVEL: 'silent' }) }),
    )
    try {
      expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200)
      await database.close()
      const down = await app.inject({ method: 'GET', url: '/ready' })
      expect(down.statusCode).toBe(503)
      expect(down.json()).toMatchObject({ status: 503, checks: { database: 'down' } })
    } finally {
      await app.close()
    }
  })

  it('reports a non-critical dependency as degraded with 200, and recovers', async () => {
    let mailerUp = false
    const app = await createTestApp({
      checks: [
        {
          name: 'mailer',
          critical: false,
          check: async () => {
            if (!mailerUp) throw new Error('connection refused')
          },
        },
      ],
    })
    try {
      const down = await app.app.inject({ method: 'GET', url: '/ready' })
      expect(down.statusCode).toBe(200)
      expect(down.json()).toMatchObject({ status: 'degraded', checks: { database: 'ok', mailer: 'degraded' } })
      mailerUp = true
      const up = await app.app.inject({ method: 'GET', url: '/ready' })
      expect(up.json()).toMatchObject({ status: 'ok', checks: { database: 'ok', mailer: 'ok' } })
    } finally {
      await app.close()
    }
  })

  it('GET /metrics exposes request counts and latency by route and status, and process metrics', async () => {
    await t.app.inject({ method: 'GET', url: '/health' })
    // under /api: with the web app built, any other unknown GET is the app's shell (200)
    await t.app.inject({ method: 'GET', url: '/api/v1/no-such-route' })
    const res = await t.app.inject({ method: 'GET', url: '/metrics' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/plain/)
    expect(res.body).toMatch(/tasklane_http_requests_total\{method="GET",route="\/health",status="200"\} \d+/)
    expect(res.body).toMatch(/tasklane_http_requests_total\{method="GET",route="unmatched",status="404"\} \d+/)
    expect(res.body).toContain('tasklane_http_request_duration_seconds_bucket')
    expect(res.body).toContain('process_resident_memory_bytes')
  })

  it('names every metric of its own tasklane_*, keeps the Node process metrics standard, reports its build', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics' })
    const names = [...res.body.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!)
    expect(names.length).toBeGreaterThan(20)
    expect(names.filter((n) => !/^(tasklane|process|nodejs)_/.test(n))).toEqual([])
    expect(names).toContain('nodejs_eventloop_lag_seconds')
    expect(names).toContain('tasklane_http_requests_total')
    // the modules register their own (events, tasks' list cache, auth), on the same registry
    expect(names).toEqual(
      expect.arrayContaining([
        'tasklane_event_delivery_lag_seconds',
        'tasklane_sse_open_streams',
        'tasklane_list_cache_lookups_total',
        'tasklane_task_cache_lookups_total',
        'tasklane_list_cache_bytes',
        'tasklane_auth_cache_lookups_total',
      ]),
    )
    const info = res.body.split('\n').find((l) => l.startsWith('tasklane_build_info{'))
    expect(info).toMatch(/^tasklane_build_info\{version="\d+\.\d+\.\d+",commit="[0-9a-f]{12}",node="[\d.]+"\} 1$/)
    expect(info).toContain(`node="${process.versions.node}"`)
  })

  it('guards /metrics with METRICS_TOKEN when set', async () => {
    const app = await createTestApp({ env: { METRICS_TOKEN: 'metrics-token-0123456789' } })
    try {
      const denied = await app.app.inject({ method: 'GET', url: '/metrics' })
      expect(denied.statusCode).toBe(401)
      expect(denied.headers['www-authenticate']).toBe('Bearer')
      const wrong = await app.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer nope' } })
      expect(wrong.statusCode).toBe(401)
      const ok = await app.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: 'Bearer metrics-token-0123456789' },
      })
      expect(ok.statusCode).toBe(200)
      // the scheme is case-insensitive (RFC 9110), as on every API route
      for (const scheme of ['bearer', 'BEARER']) {
        const res = await app.app.inject({
          method: 'GET',
          url: '/metrics',
          headers: { authorization: `${scheme} metrics-token-0123456789` },
        })
        expect(res.statusCode, scheme).toBe(200)
      }
      const basic = await app.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: 'Basic metrics-token-0123456789' },
      })
      expect(basic.statusCode).toBe(401)
    } finally {
      await app.close()
    }
  })

  it('serves an OpenAPI 3.1 document and an offline docs page', async () => {
    const doc = await t.app.inject({ method: 'GET', url: '/openapi.json' })
    expect(doc.statusCode).toBe(200)
    const spec = doc.json()
    expect(spec.openapi).toBe('3.1.0')
    expect(spec.paths['/health'].get.operationId).toBe('health')
    const notReady = spec.paths['/ready'].get.responses['503'].content
    expect(Object.keys(notReady)).toEqual(['application/problem+json'])
    expect(notReady['application/problem+json'].schema.$ref).toBe('#/components/schemas/ReadinessProblem')
    expect(spec.components.schemas.ReadinessProblem.properties).toMatchObject({
      status: { type: 'integer' },
      checks: { type: 'object' },
    })
    expect(spec.components.securitySchemes.bearerAuth.scheme).toBe('bearer')
    const page = await t.app.inject({ method: 'GET', url: '/docs/' })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toMatch(/^text\/html/)
    expect(page.body).toContain('/openapi.json')
    expect(page.body).not.toMatch(/https?:\/\/(cdn|fonts)\./)
    const script = await t.app.inject({ method: 'GET', url: '/docs/js/scalar.js' })
    expect(script.statusCode).toBe(200)
  })
})
