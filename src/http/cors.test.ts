import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../test/app.ts'
import { given } from '../../test/given.ts'
import { CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS } from './cors.ts'

const origin = 'https://app.example.test'
const t = useTestApp({ env: { CORS_ORIGINS: origin } })

const preflight = (method: string, headers: string, from = origin) =>
  t.app.inject({
    method: 'OPTIONS',
    url: '/api/v1/tasks/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
    headers: { origin: from, 'access-control-request-method': method, 'access-control-request-headers': headers },
  })

const list = (value: unknown) =>
  String(value ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)

describe('CORS', () => {
  it.each(['PATCH', 'PUT', 'DELETE', 'POST', 'GET'])(
    'allows %s from an allowed origin, with every header the API reads',
    async (method) => {
      const res = await preflight(method, 'authorization, content-type, if-match, idempotency-key, last-event-id')
      expect(res.statusCode).toBe(204)
      expect(res.headers['access-control-allow-origin']).toBe(origin)
      expect(list(res.headers['access-control-allow-methods'])).toContain(method.toLowerCase())
      expect(list(res.headers['access-control-allow-headers'])).toEqual(
        expect.arrayContaining([
          'authorization',
          'content-type',
          'if-match',
          'if-none-match',
          'idempotency-key',
          'last-event-id',
          'x-request-id',
        ]),
      )
      expect(list(res.headers['access-control-allow-headers'])).toEqual(CORS_ALLOWED_HEADERS)
    },
  )

  it('gives an origin that is not configured no access', async () => {
    const res = await preflight('PATCH', 'authorization', 'https://evil.example.test')
    expect(res.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('exposes the headers the API sets to a script on an allowed origin', async () => {
    const user = await given.user(t.app)
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: { ...user.auth, origin } })
    expect(res.statusCode).toBe(200)
    expect(res.headers['access-control-allow-origin']).toBe(origin)
    expect(list(res.headers['access-control-expose-headers'])).toEqual(
      expect.arrayContaining([
        'etag',
        'location',
        'ratelimit-limit',
        'ratelimit-remaining',
        'ratelimit-reset',
        'retry-after',
        'x-request-id',
        'idempotent-replayed',
      ]),
    )
    expect(list(res.headers['access-control-expose-headers'])).toEqual(CORS_EXPOSED_HEADERS)
  })
})
