import { describe, expect, it } from 'vitest'
import { type TestApp, useTestApp } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'
import { bearer } from '../../../test/http.ts'

// the per-request auth lookups: a user's state (role, disabled, signed-out sessions) and a token's row
const STATE_QUERY = /^select "role", "disabled" from "users"/
const TOKEN_QUERY = /from "api_tokens"/

async function lookupsOver(t: TestApp, requests: number, auth: { authorization: string }) {
  t.queries.length = 0
  for (let i = 0; i < requests; i++) {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: auth })
    expect(res.statusCode).toBe(200)
  }
  return {
    state: t.queries.filter((q) => STATE_QUERY.test(q)).length,
    token: t.queries.filter((q) => TOKEN_QUERY.test(q)).length,
  }
}

const scrape = async (t: TestApp) => (await t.app.inject({ method: 'GET', url: '/metrics' })).body

describe('per-request auth caches (AUTH_CACHE_TTL, default 30 s)', () => {
  const t = useTestApp()

  it('answer repeated requests without loading the user state or the token again', async () => {
    const user = await given.user(t.app)
    expect((await lookupsOver(t, 5, user.auth)).state).toBeLessThanOrEqual(1)
    const pat = await given.token(t.app, user, ['tasks:read'])
    const lookups = await lookupsOver(t, 5, bearer(pat))
    expect(lookups.token).toBeLessThanOrEqual(1)
    expect(lookups.state).toBe(0)
    const metrics = await scrape(t)
    expect(metrics).toMatch(/tasklane_auth_cache_lookups_total\{cache="user",result="hit"\} [1-9]/)
    expect(metrics).toMatch(/tasklane_auth_cache_lookups_total\{cache="jwt",result="hit"\} [4-9]/)
    expect(metrics).toMatch(/tasklane_auth_cache_lookups_total\{cache="pat",result="hit"\} [4-9]/)
  })
})

describe('AUTH_CACHE_TTL=0', () => {
  const t = useTestApp({ env: { AUTH_CACHE_TTL: '0' } })

  it('loads the user state once per request, and the token too', async () => {
    const user = await given.user(t.app)
    expect((await lookupsOver(t, 3, user.auth)).state).toBe(3)
    const pat = await given.token(t.app, user, ['tasks:read'])
    expect(await lookupsOver(t, 3, bearer(pat))).toEqual({ state: 3, token: 3 })
    const metrics = await scrape(t)
    expect(metrics).toMatch(/tasklane_auth_cache_lookups_total\{cache="user",result="hit"\} 0\n/)
    expect(metrics).toMatch(/tasklane_auth_cache_lookups_total\{cache="jwt",result="hit"\} 0\n/)
  })

  it('sees a change made behind the API at once (nothing is cached)', async () => {
    const user = await given.user(t.app)
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: user.auth })).statusCode).toBe(200)
    await t.database.sql.query('update users set disabled = true where id = $1', [user.id])
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: user.auth })).statusCode).toBe(401)
  })
})
