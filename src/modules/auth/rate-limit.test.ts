import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createTestApp, useTestApp } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'
import { bearer } from '../../../test/http.ts'

const t = useTestApp({
  env: {
    RATE_LIMIT_ENABLED: 'true',
    RATE_LIMIT_LOGIN_PER_MIN: '3',
    RATE_LIMIT_REGISTER_PER_HOUR: '2',
    RATE_LIMIT_USER_PER_MIN: '3',
    RATE_LIMIT_ANON_PER_MIN: '6',
  },
})

// every test sends from addresses of its own, so the per-IP buckets of one test never touch another's
const newIp = () => `10.${randomBytes(3).join('.')}`

type Res = Awaited<ReturnType<typeof t.app.inject>>

const login = (ip: string, email: string, password = given.password) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: ip, payload: { email, password } })
const register = (ip: string, email = given.email()) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    remoteAddress: ip,
    payload: { email, password: given.password, name: 'Limited' },
  })

function expectLimited(res: Res, limit: number, maxRetryAfter: number) {
  expect(res.statusCode, res.body).toBe(429)
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
  expect(res.json()).toMatchObject({ status: 429, type: 'urn:tasklane:problem:rate-limited' })
  const retryAfter = Number(res.headers['retry-after'])
  expect(retryAfter).toBeGreaterThanOrEqual(1)
  expect(retryAfter).toBeLessThanOrEqual(maxRetryAfter)
  expect(res.headers['ratelimit-limit']).toBe(String(limit))
  expect(res.headers['ratelimit-remaining']).toBe('0')
  expect(Number(res.headers['ratelimit-reset'])).toBeLessThanOrEqual(maxRetryAfter)
}

describe('login limits', () => {
  it('answers 429 to the 4th login from one IP within a minute, with RateLimit headers throughout', async () => {
    const ip = newIp()
    const results: Res[] = []
    for (let i = 0; i < 4; i++) results.push(await login(ip, given.email('nobody')))
    expect(results.slice(0, 3).map((r) => r.statusCode)).toEqual([401, 401, 401])
    expect(results.slice(0, 3).map((r) => r.headers['ratelimit-remaining'])).toEqual(['2', '1', '0'])
    expect(results[0]!.headers['ratelimit-limit']).toBe('3')
    expectLimited(results[3]!, 3, 60)
    // another address is not affected
    expect((await login(newIp(), given.email('nobody'))).statusCode).toBe(401)
  })

  it('limits one email across addresses too (the email is normalised first)', async () => {
    const email = given.email('target')
    for (const variant of [email, email.toUpperCase(), ` ${email}`]) {
      expect((await login(newIp(), variant, 'wrong password')).statusCode).toBe(401)
    }
    expectLimited(await login(newIp(), email), 3, 60)
  })
})

describe('register limits', () => {
  it('answers 429 to the 3rd registration from one IP within an hour, and creates nothing', async () => {
    const ip = newIp()
    expect((await register(ip)).statusCode).toBe(201)
    expect((await register(ip)).statusCode).toBe(201)
    const email = given.email('third')
    const third = await register(ip, email)
    expectLimited(third, 2, 3600)
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(60)
    const { rows } = await t.database.sql.query('select id from users where email = $1', [email])
    expect(rows).toHaveLength(0)
    expect((await register(newIp())).statusCode).toBe(201)
  })
})

describe('the general limits', () => {
  it('limits an authenticated user per minute, whatever address they come from', async () => {
    const res = await register(newIp())
    const { accessToken } = res.json()
    const other = (await register(newIp())).json().accessToken
    const me = (token: string) =>
      t.app.inject({ method: 'GET', url: '/api/v1/users/me', remoteAddress: newIp(), headers: bearer(token) })
    for (let i = 0; i < 3; i++) {
      const ok = await me(accessToken)
      expect(ok.statusCode).toBe(200)
      expect(ok.headers['ratelimit-remaining']).toBe(String(2 - i))
    }
    expectLimited(await me(accessToken), 3, 60)
    expect((await me(other)).statusCode).toBe(200)
  })

  it('limits unauthenticated calls per IP', async () => {
    const ip = newIp()
    const refresh = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        remoteAddress: ip,
        payload: { refreshToken: 'not-a-token' },
      })
    for (let i = 0; i < 6; i++) expect((await refresh()).statusCode).toBe(401)
    expectLimited(await refresh(), 6, 60)
  })

  it('counts requests with a refused token against their IP, so tokens cannot be guessed without limit', async () => {
    const ip = newIp()
    const guess = () =>
      t.app.inject({
        method: 'GET',
        url: '/api/v1/users/me',
        remoteAddress: ip,
        headers: bearer(`tl_pat_${randomBytes(16).toString('hex')}`),
      })
    for (let i = 0; i < 6; i++) {
      const res = await guess()
      expect(res.statusCode).toBe(401)
      expect(res.headers['ratelimit-limit']).toBe('6')
    }
    expectLimited(await guess(), 6, 60)
  })

  it('never limits /health', async () => {
    const ip = newIp()
    for (let i = 0; i < 20; i++) {
      const res = await t.app.inject({ method: 'GET', url: '/health', remoteAddress: ip })
      expect(res.statusCode).toBe(200)
      expect(res.headers['ratelimit-limit']).toBeUndefined()
    }
  })
})

describe('RATE_LIMIT_ENABLED=false', () => {
  it('turns every limit off and says so in the log at start', async () => {
    const own = await createTestApp({ env: { RATE_LIMIT_ENABLED: 'false', RATE_LIMIT_LOGIN_PER_MIN: '1' } })
    try {
      expect(own.logs.some((l) => l.level === 'warn' && String(l.msg).includes('rate limits are disabled'))).toBe(true)
      for (let i = 0; i < 3; i++) {
        const res = await own.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: given.email(), password: given.password },
        })
        expect(res.statusCode).toBe(401)
        expect(res.headers['ratelimit-limit']).toBeUndefined()
      }
    } finally {
      await own.close()
    }
  })
})

describe('metrics', () => {
  it('counts each 429 on /metrics by limit', async () => {
    const rejections = async (limit: string) => {
      const text = (await t.app.inject({ url: '/metrics' })).body
      const line = text.split('\n').find((l) => l.startsWith(`tasklane_rate_limit_rejections_total{limit="${limit}"}`))
      return Number(line?.split(' ').pop() ?? 0)
    }
    const before = await rejections('login:ip')
    const ip = newIp()
    for (let i = 0; i < 4; i++) await login(ip, given.email('nobody'))
    expect(await rejections('login:ip')).toBe(before + 1)
  })
})
