import { describe, expect, it } from 'vitest'
import { useTwoTestApps } from '../../test/app.ts'
import { given } from '../../test/given.ts'

const redisUrl = process.env.TEST_REDIS_URL

describe.skipIf(!redisUrl)('two API instances on one database and one Redis', () => {
  const { a, b } = useTwoTestApps({ RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_USER_PER_MIN: '6' })

  it("counts a user's requests on both instances against one limit", async () => {
    const user = await given.user(a.app)
    const statuses: number[] = []
    for (let i = 0; i < 8; i++) {
      const app = i % 2 ? b.app : a.app
      statuses.push((await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: user.auth })).statusCode)
    }
    expect(statuses.slice(0, 6)).toEqual([200, 200, 200, 200, 200, 200])
    expect(statuses.slice(6)).toEqual([429, 429])
  })

  it('makes a user disabled through one instance lose access on the other within a second', async () => {
    const admin = await given.admin(a.app)
    const user = await given.user(a.app)
    // warm instance B's cache of the user's state
    expect((await b.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: user.auth })).statusCode).toBe(200)
    const disabled = await a.app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/users/${user.id}`,
      headers: admin.auth,
      payload: { disabled: true },
    })
    expect(disabled.statusCode).toBe(200)
    const deadline = Date.now() + 1_000
    let status = 200
    while (Date.now() < deadline && status !== 401) {
      status = (await b.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: user.auth })).statusCode
      if (status !== 401) await new Promise((r) => setTimeout(r, 25))
    }
    expect(status).toBe(401)
  })
})
