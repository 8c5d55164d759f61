import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { type GivenUser, given } from '../../../test/given.ts'
import { bearer } from '../../../test/http.ts'

const t = useTestApp()

const createToken = (user: GivenUser, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: user.auth, payload })
const listTokens = (headers: Record<string, string>, query = '') =>
  t.app.inject({ method: 'GET', url: `/api/v1/tokens${query}`, headers })
const revoke = (headers: Record<string, string>, id: string) =>
  t.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${id}`, headers })
const me = (secret: string) => t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(secret) })

async function tokenIdOf(user: GivenUser, secret: string): Promise<string> {
  const { rows } = await t.database.sql.query<{ id: string }>(
    `select id from api_tokens where user_id = $1 and token_hash = encode(sha256(convert_to($2, 'utf8')), 'hex')`,
    [user.id, secret],
  )
  return rows[0]!.id
}

describe('POST /tokens', () => {
  it('creates a token and shows its secret only in that response', async () => {
    const user = await given.user(t.app)
    const res = await createToken(user, { name: 'ci', scopes: ['tasks:read', 'tasks:write'] })
    expect(res.statusCode, res.body).toBe(201)
    const body = res.json()
    expect(body).toEqual({
      id: expect.any(String),
      name: 'ci',
      scopes: ['tasks:read', 'tasks:write'],
      expiresAt: null,
      createdAt: expect.any(String),
      lastUsedAt: null,
      secret: expect.stringMatching(/^tl_pat_[A-Za-z0-9_-]{40,}$/),
    })

    const list = await listTokens(user.auth)
    expect(list.statusCode).toBe(200)
    const { secret, ...shown } = body
    expect(list.json()).toEqual({ items: [shown], nextCursor: null })
    expect(list.body).not.toContain(secret)
    expect(list.body).not.toMatch(/secret|hash/i)

    // stored hashed: the secret is nowhere in the database
    const { rows } = await t.database.sql.query('select * from api_tokens where id = $1', [body.id])
    expect(JSON.stringify(rows)).not.toContain(secret)
  })

  it('takes an expiry in the future and refuses one in the past', async () => {
    const user = await given.user(t.app)
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString()
    const ok = await createToken(user, { name: 'later', scopes: ['tasks:read'], expiresAt })
    expect(ok.statusCode).toBe(201)
    expect(ok.json().expiresAt).toBe(expiresAt)
    const past = await createToken(user, {
      name: 'past',
      scopes: ['tasks:read'],
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    })
    expect(past.statusCode).toBe(400)
    expect(past.json().errors).toEqual([expect.objectContaining({ path: 'body.expiresAt' })])
  })

  it.each([
    ['an unknown scope', { name: 'x', scopes: ['everything'] }],
    ['no scopes', { name: 'x', scopes: [] }],
    ['no name', { scopes: ['tasks:read'] }],
    ['an unknown field', { name: 'x', scopes: ['tasks:read'], userId: '01900000-0000-7000-8000-000000000000' }],
  ])('answers 400 for %s', async (_, payload) => {
    const user = await given.user(t.app)
    expect((await createToken(user, payload)).statusCode).toBe(400)
    expect((await listTokens(user.auth)).json().items).toEqual([])
  })

  it('refuses the admin scope to a user who is not an admin (400 naming body.scopes)', async () => {
    const user = await given.user(t.app)
    const res = await createToken(user, { name: 'sneaky', scopes: ['tasks:read', 'admin'] })
    expect(res.statusCode).toBe(400)
    expect(res.json().errors).toEqual([expect.objectContaining({ path: 'body.scopes' })])
    expect((await listTokens(user.auth)).json().items).toEqual([])
  })
})

describe('GET /tokens', () => {
  it('pages newest first with limit and cursor, each token once, only the live tokens of the caller', async () => {
    const user = await given.user(t.app)
    const other = await given.user(t.app)
    await given.token(t.app, other, ['tasks:read'])
    for (let i = 0; i < 5; i++) {
      const res = await createToken(user, { name: `token ${i}`, scopes: ['tasks:read'] })
      if (i === 2) expect((await revoke(user.auth, res.json().id)).statusCode).toBe(204)
    }
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const res = await listTokens(user.auth, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      expect(res.statusCode, res.body).toBe(200)
      seen.push(...res.json().items.map((x: { name: string }) => x.name))
      cursor = res.json().nextCursor
    } while (cursor && seen.length < 10)
    expect(seen).toEqual(['token 4', 'token 3', 'token 1', 'token 0'])
    expect((await listTokens(user.auth, '?limit=101')).statusCode).toBe(400)
    expect((await listTokens(user.auth, '?cursor=Zm9yZ2Vk')).statusCode).toBe(400)
  })
})

describe('using a personal access token', () => {
  it('authenticates as its owner and records lastUsedAt', async () => {
    const user = await given.user(t.app)
    const secret = await given.token(t.app, user, ['tasks:read'])
    const res = await me(secret)
    expect(res.statusCode).toBe(200)
    expect(res.json().id).toBe(user.id)
    await expect
      .poll(async () => (await listTokens(user.auth)).json().items[0].lastUsedAt, { timeout: 2_000, interval: 20 })
      .toEqual(expect.any(String))
  })

  it('is limited by its scopes: a tasks:read token reads tasks but cannot write them', async () => {
    const user = await given.user(t.app)
    const reader = await given.token(t.app, user, ['tasks:read'])
    const writer = await given.token(t.app, user, ['tasks:write'])
    const read = await t.app.inject({ method: 'GET', url: '/api/v1/tasks', headers: bearer(reader) })
    expect(read.statusCode, read.body).toBe(200)
    const denied = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tasks',
      headers: bearer(reader),
      payload: { title: 'not allowed' },
    })
    expect(denied.statusCode).toBe(403)
    expect(denied.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(denied.json().detail).toContain('tasks:write')
    const written = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tasks',
      headers: bearer(writer),
      payload: { title: 'allowed' },
    })
    expect(written.statusCode, written.body).toBe(201)
    const tasks = (await t.app.inject({ method: 'GET', url: '/api/v1/tasks', headers: bearer(reader) })).json()
    expect(tasks.items.map((x: { title: string }) => x.title)).toEqual(['allowed'])
  })

  it('cannot manage tokens, sessions or the password, whatever its scopes (403)', async () => {
    const admin = await given.admin(t.app)
    const secret = await given.token(t.app, admin, ['tasks:read', 'tasks:write', 'admin'])
    const headers = bearer(secret)
    const calls = [
      t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers, payload: { name: 'x', scopes: ['tasks:read'] } }),
      listTokens(headers),
      revoke(headers, await tokenIdOf(admin, secret)),
      t.app.inject({
        method: 'POST',
        url: '/api/v1/users/me/password',
        headers,
        payload: { currentPassword: admin.password, newPassword: 'a brand new passphrase' },
      }),
      t.app.inject({ method: 'POST', url: '/api/v1/auth/logout-all', headers }),
    ]
    for (const res of await Promise.all(calls)) expect(res.statusCode, res.body).toBe(403)
    expect((await me(secret)).statusCode).toBe(200)
    expect((await listTokens(admin.auth)).json().items).toHaveLength(1)
  })

  it("gives an admin's token admin rights only with the admin scope", async () => {
    const admin = await given.admin(t.app)
    const without = await given.token(t.app, admin, ['tasks:read'])
    const withAdmin = await given.token(t.app, admin, ['admin'])
    const list = (secret: string) =>
      t.app.inject({ method: 'GET', url: '/api/v1/admin/users', headers: bearer(secret) })
    expect((await list(without)).statusCode).toBe(403)
    expect((await list(withAdmin)).statusCode).toBe(200)
  })

  it('loses the admin scope when its owner is demoted', async () => {
    const [admin, other] = [await given.admin(t.app), await given.admin(t.app)]
    const secret = await given.token(t.app, admin, ['admin'])
    const list = () => t.app.inject({ method: 'GET', url: '/api/v1/admin/users', headers: bearer(secret) })
    expect((await list()).statusCode).toBe(200)
    const demote = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/users/${admin.id}`,
      headers: other.auth,
      payload: { role: 'user' },
    })
    expect(demote.statusCode).toBe(200)
    expect((await list()).statusCode).toBe(403)
  })

  it('answers 401 for an unknown token and for an expired one', async () => {
    const user = await given.user(t.app)
    expect((await me('tl_pat_doesnotexist')).statusCode).toBe(401)
    const secret = await given.token(t.app, user, ['tasks:read'])
    await t.database.sql.query(`update api_tokens set expires_at = now() - interval '1 second' where id = $1`, [
      await tokenIdOf(user, secret),
    ])
    const res = await me(secret)
    expect(res.statusCode).toBe(401)
    expect(res.headers['www-authenticate']).toBe('Bearer')
  })

  it('stops working when its owner is disabled', async () => {
    const admin = await given.admin(t.app)
    const user = await given.user(t.app)
    const secret = await given.token(t.app, user, ['tasks:read'])
    expect((await me(secret)).statusCode).toBe(200)
    await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/users/${user.id}`,
      headers: admin.auth,
      payload: { disabled: true },
    })
    expect((await me(secret)).statusCode).toBe(401)
  })
})

describe('DELETE /tokens/:id', () => {
  it('revokes the token at once (even after it was used and cached)', async () => {
    const user = await given.user(t.app)
    const secret = await given.token(t.app, user, ['tasks:read'])
    expect((await me(secret)).statusCode).toBe(200)
    const id = await tokenIdOf(user, secret)
    const res = await revoke(user.auth, id)
    expect(res.statusCode).toBe(204)
    expect(res.body).toBe('')
    expect((await me(secret)).statusCode).toBe(401)
    expect((await listTokens(user.auth)).json().items).toEqual([])
    expect((await revoke(user.auth, id)).statusCode).toBe(404)
  })

  it("answers 404 for another user's token and leaves it working", async () => {
    const owner = await given.user(t.app)
    const other = await given.user(t.app)
    const secret = await given.token(t.app, owner, ['tasks:read'])
    const res = await revoke(other.auth, await tokenIdOf(owner, secret))
    expect(res.statusCode).toBe(404)
    expect((await me(secret)).statusCode).toBe(200)
  })

  it('answers 400 for an id that is not a uuid', async () => {
    const user = await given.user(t.app)
    const res = await revoke(user.auth, 'nope')
    expect(res.statusCode).toBe(400)
    expect(res.json().errors).toEqual([expect.objectContaining({ path: 'params.id' })])
  })
})
