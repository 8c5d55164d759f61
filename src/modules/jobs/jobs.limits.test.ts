import type { LightMyRequestResponse } from 'fastify'
import { describe, expect, it } from 'vitest'
import { type TestApp, useTwoTestApps } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'
import { postImport } from '../../../test/jobs.ts'

const redisUrl = process.env.TEST_REDIS_URL
const PER_MINUTE = 3

function expectLimited(res: LightMyRequestResponse) {
  expect(res.statusCode, res.body).toBe(429)
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
  expect(res.json()).toMatchObject({ status: 429, type: 'urn:tasklane:problem:rate-limited' })
  const retryAfter = Number(res.headers['retry-after'])
  expect(retryAfter).toBeGreaterThanOrEqual(1)
  expect(retryAfter).toBeLessThanOrEqual(60)
}

/**
 * JOBS_PER_MINUTE: exports, reports and imports together, per user. With Redis (the PostgreSQL
 * mode's tests) two instances sharing it count against one limit; without, each instance counts.
 */
describe('the limit on starting jobs', () => {
  const { a, b, database } = useTwoTestApps({ RATE_LIMIT_ENABLED: 'true', JOBS_PER_MINUTE: String(PER_MINUTE) })

  const exportFrom = (t: TestApp, by: { auth: Record<string, string> }, teamId: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/exports', headers: by.auth, payload: { teamId, format: 'csv' } })
  const jobsOf = async (userId: string) =>
    (await database.sql.query<{ n: number }>('select count(*)::int as n from jobs where created_by = $1', [userId]))
      .rows[0]!.n

  it('answers the (N+1)th create within a minute 429 with Retry-After, whatever the kind; others are not held', async () => {
    const owner = await given.user(a.app)
    const team = await given.team(a.app, owner)
    const report = await a.app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: owner.auth,
      payload: { teamId: team.id, from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z' },
    })
    expect(report.statusCode, report.body).toBe(202)
    const imported = await postImport(a.app, owner, { teamId: team.id, format: 'csv' }, 'title\r\nx\r\n')
    expect(imported.statusCode, imported.body).toBe(202)
    expect((await exportFrom(a, owner, team.id)).statusCode).toBe(202)

    expectLimited(await exportFrom(a, owner, team.id))
    expectLimited(await postImport(a.app, owner, { teamId: team.id, format: 'csv' }, 'title\r\nx\r\n'))
    expect(await jobsOf(owner.id)).toBe(PER_MINUTE)

    // another user has a count of their own
    const other = await given.user(a.app)
    const theirs = await given.team(a.app, other)
    expect((await exportFrom(a, other, theirs.id)).statusCode).toBe(202)
  })

  it.skipIf(!redisUrl)('counts on every instance that shares the Redis', async () => {
    const owner = await given.user(a.app)
    const team = await given.team(a.app, owner)
    const statuses: number[] = []
    for (let i = 0; i < PER_MINUTE + 2; i++) statuses.push((await exportFrom(i % 2 ? b : a, owner, team.id)).statusCode)
    expect(statuses).toEqual([...Array(PER_MINUTE).fill(202), 429, 429])
    expectLimited(await exportFrom(b, owner, team.id))
    expect(await jobsOf(owner.id)).toBe(PER_MINUTE)
  })
})
