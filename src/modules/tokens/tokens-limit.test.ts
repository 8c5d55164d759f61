import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { type GivenUser, given } from '../../../test/given.ts'
import { MAX_ACTIVE_TOKENS } from './tokens.service.ts'

const t = useTestApp()

const create = (user: GivenUser, name = 'one more') =>
  t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: user.auth, payload: { name, scopes: ['tasks:read'] } })

/** Stores `count` tokens of the user straight in the database (their secrets are never used). */
async function insertTokens(user: GivenUser, count: number, opts: { expired?: boolean; revoked?: boolean } = {}) {
  await t.database.sql.query(
    `insert into api_tokens (id, user_id, name, token_hash, scopes, expires_at, revoked_at)
     select gen_random_uuid(), $1, 'bulk ' || g, md5(random()::text) || g, '{tasks:read}',
            case when $3 then now() - interval '1 day' end, case when $4 then now() end
     from generate_series(1, $2::int) g`,
    [user.id, count, opts.expired ?? false, opts.revoked ?? false],
  )
}

const tokenCount = async (user: GivenUser) =>
  (await t.database.sql.query<{ n: number }>('select count(*)::int as n from api_tokens where user_id = $1', [user.id]))
    .rows[0]!.n

describe('the limit on personal access tokens', () => {
  it(`allows ${MAX_ACTIVE_TOKENS} active tokens per user, answers 409 for one more and stores nothing`, async () => {
    const user = await given.user(t.app)
    await insertTokens(user, MAX_ACTIVE_TOKENS - 1)
    expect((await create(user)).statusCode).toBe(201)
    const before = await tokenCount(user)
    const res = await create(user)
    expect(res.statusCode, res.body).toBe(409)
    expect(res.headers['content-type']).toBe('application/problem+json')
    expect(res.json()).toMatchObject({
      type: 'urn:tasklane:problem:conflict',
      detail: expect.stringContaining(String(MAX_ACTIVE_TOKENS)),
    })
    expect(await tokenCount(user)).toBe(before)
    // another user is not affected
    expect((await create(await given.user(t.app))).statusCode).toBe(201)
  })

  it('does not count revoked or expired tokens, and a revoke makes room', async () => {
    const user = await given.user(t.app)
    await insertTokens(user, 5, { revoked: true })
    await insertTokens(user, 5, { expired: true })
    await insertTokens(user, MAX_ACTIVE_TOKENS - 1)
    const last = await create(user)
    expect(last.statusCode).toBe(201)
    expect((await create(user)).statusCode).toBe(409)
    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${last.json().id}`,
      headers: user.auth,
    })
    expect(revoked.statusCode).toBe(204)
    expect((await create(user)).statusCode).toBe(201)
  })

  it('holds under concurrent creates: never more than the limit', async () => {
    const user = await given.user(t.app)
    await insertTokens(user, MAX_ACTIVE_TOKENS - 3)
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => create(user, `racer ${i}`)))
    expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 201, 201, 409, 409, 409, 409, 409])
    expect(await tokenCount(user)).toBe(MAX_ACTIVE_TOKENS)
  })

  it('is documented: 409 on POST /tokens, with the limit in its description', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    const op = doc.paths['/api/v1/tokens'].post
    expect(op.responses['409']).toBeDefined()
    expect(op.description).toContain(String(MAX_ACTIVE_TOKENS))
  })
})
