import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'
import { bearer } from '../../../test/http.ts'

const t = useTestApp()

const getMe = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers })
const patchMe = (headers: Record<string, string>, payload: unknown) =>
  t.app.inject({ method: 'PATCH', url: '/api/v1/users/me', headers, payload: payload as object })

async function withExternalId(userId: string): Promise<string> {
  const externalId = `ext-${randomUUID()}`
  await t.database.sql.query('update users set external_id = $1 where id = $2', [externalId, userId])
  return externalId
}

describe('GET /users/me', () => {
  it('answers the caller with notifications defaults and never a password hash', async () => {
    const user = await given.user(t.app, { name: 'Grace' })
    const res = await getMe(user.auth)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      id: user.id,
      email: user.email,
      name: 'Grace',
      role: 'user',
      emailVerified: false,
      disabled: false,
      createdAt: expect.any(String),
      notifications: { assigned: true, reminders: true, webhooks: true, jobs: true },
    })
    expect(res.body).not.toMatch(/password|hash|argon/i)
  })

  it('answers 401 without credentials', async () => {
    const res = await getMe({})
    expect(res.statusCode).toBe(401)
    expect(res.headers['www-authenticate']).toBe('Bearer')
  })

  it('works with a personal access token of any scope', async () => {
    const user = await given.user(t.app)
    const pat = await given.token(t.app, user, ['tasks:read'])
    const res = await getMe(bearer(pat))
    expect(res.statusCode).toBe(200)
    expect(res.json().id).toBe(user.id)
  })
})

describe('PATCH /users/me', () => {
  it('changes the name and leaves what it does not name alone', async () => {
    const user = await given.user(t.app, { name: 'Before' })
    await patchMe(user.auth, { notifications: { reminders: false } })
    const res = await patchMe(user.auth, { name: '  After  ' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ name: 'After', notifications: { reminders: false } })
    expect((await getMe(user.auth)).json().name).toBe('After')
  })

  it('merges notification preferences', async () => {
    const user = await given.user(t.app)
    expect((await patchMe(user.auth, { notifications: { assigned: false } })).statusCode).toBe(200)
    const res = await patchMe(user.auth, { notifications: { reminders: false } })
    expect(res.json().notifications).toEqual({ assigned: false, reminders: false, webhooks: true, jobs: true })
    const back = await patchMe(user.auth, { notifications: { assigned: true } })
    expect(back.json().notifications).toEqual({ assigned: true, reminders: false, webhooks: true, jobs: true })
  })

  it('accepts an empty patch and changes nothing', async () => {
    const user = await given.user(t.app, { name: 'Same' })
    const res = await patchMe(user.auth, {})
    expect(res.statusCode).toBe(200)
    expect(res.json().name).toBe('Same')
  })

  it.each([
    ['role', { role: 'admin' }],
    ['email', { email: 'someone-else@example.test' }],
    ['id', { id: randomUUID() }],
    ['disabled', { disabled: true }],
    ['createdAt', { createdAt: '2020-01-01T00:00:00.000Z' }],
    ['passwordHash', { passwordHash: 'x' }],
    ['an unknown notification kind', { notifications: { marketing: true } }],
  ])('rejects %s with 400 and changes nothing', async (_, payload) => {
    const user = await given.user(t.app, { name: 'Untouched' })
    const res = await patchMe(user.auth, { name: 'Changed', ...payload })
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    const after = (await getMe(user.auth)).json()
    expect(after).toMatchObject({ id: user.id, email: user.email, name: 'Untouched', role: 'user', disabled: false })
  })

  it('needs a session or a token with profile:write: a tasks:read token changes nothing', async () => {
    const user = await given.user(t.app, { name: 'Kept' })
    for (const scopes of [['tasks:read'], ['tasks:write', 'teams:write', 'files:write']]) {
      const res = await patchMe(bearer(await given.token(t.app, user, scopes)), {
        name: 'Renamed',
        notifications: { assigned: false, reminders: false, webhooks: false, jobs: false },
      })
      expect(res.statusCode, scopes.join()).toBe(403)
      expect(res.json().detail).toMatch(/profile:write/)
    }
    const me = (await getMe(user.auth)).json()
    expect(me).toMatchObject({
      name: 'Kept',
      notifications: { assigned: true, reminders: true, webhooks: true, jobs: true },
    })
    const profile = await given.token(t.app, user, ['profile:write'])
    const ok = await patchMe(bearer(profile), { notifications: { reminders: false } })
    expect(ok.statusCode, ok.body).toBe(200)
    expect(ok.json().notifications.reminders).toBe(false)
  })

  it('rejects an empty or too long name with 400 naming body.name', async () => {
    const user = await given.user(t.app)
    for (const name of ['   ', 'x'.repeat(101)]) {
      const res = await patchMe(user.auth, { name })
      expect(res.statusCode).toBe(400)
      expect(res.json().errors).toEqual([expect.objectContaining({ path: 'body.name' })])
    }
  })
})

describe('ETag and conditional requests on /users/me', () => {
  it('answers 304 to If-None-Match with the current ETag, and a new ETag after each change', async () => {
    const user = await given.user(t.app)
    const first = await getMe(user.auth)
    const etag = first.headers.etag as string
    expect(etag).toMatch(/^"\d+"$/)
    const same = await getMe({ ...user.auth, 'if-none-match': etag })
    expect(same.statusCode).toBe(304)
    expect(same.body).toBe('')
    const patched = await patchMe(user.auth, { name: 'Renamed' })
    expect(patched.headers.etag).not.toBe(etag)
    const changed = await getMe({ ...user.auth, 'if-none-match': etag })
    expect(changed.statusCode).toBe(200)
    expect(changed.headers.etag).toBe(patched.headers.etag)
  })

  it('applies a PATCH with a matching If-Match and answers 412 to a stale one, changing nothing', async () => {
    const user = await given.user(t.app, { name: 'Original' })
    const etag = (await getMe(user.auth)).headers.etag as string
    const ok = await patchMe({ ...user.auth, 'if-match': etag }, { name: 'First' })
    expect(ok.statusCode).toBe(200)
    const stale = await patchMe({ ...user.auth, 'if-match': etag }, { name: 'Second' })
    expect(stale.statusCode).toBe(412)
    expect(stale.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect((await getMe(user.auth)).json().name).toBe('First')
  })

  it('keeps both of two concurrent notification changes', async () => {
    const user = await given.user(t.app)
    await Promise.all([
      patchMe(user.auth, { notifications: { assigned: false } }),
      patchMe(user.auth, { notifications: { webhooks: false } }),
      patchMe(user.auth, { notifications: { jobs: false } }),
    ])
    expect((await getMe(user.auth)).json().notifications).toEqual({
      assigned: false,
      reminders: true,
      webhooks: false,
      jobs: false,
    })
  })
})

describe('GET /users/by-external-id/:externalId', () => {
  const byExternalId = (externalId: string, headers: Record<string, string>) =>
    t.app.inject({ method: 'GET', url: `/api/v1/users/by-external-id/${encodeURIComponent(externalId)}`, headers })

  it('answers the user itself', async () => {
    const user = await given.user(t.app)
    const externalId = await withExternalId(user.id)
    const res = await byExternalId(externalId, user.auth)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      id: user.id,
      email: user.email,
      name: user.name,
      role: 'user',
      emailVerified: false,
      externalId,
      createdAt: expect.any(String),
    })
  })

  it('answers an admin for anyone', async () => {
    const admin = await given.admin(t.app)
    const user = await given.user(t.app)
    const externalId = await withExternalId(user.id)
    const res = await byExternalId(externalId, admin.auth)
    expect(res.statusCode).toBe(200)
    expect(res.json().id).toBe(user.id)
  })

  it('answers 404 to another user, the same as for an id nobody has', async () => {
    const user = await given.user(t.app)
    const stranger = await given.user(t.app)
    const externalId = await withExternalId(user.id)
    const hidden = await byExternalId(externalId, stranger.auth)
    const missing = await byExternalId(`ext-${randomUUID()}`, stranger.auth)
    expect(hidden.statusCode).toBe(404)
    expect(missing.statusCode).toBe(404)
    expect(hidden.body).not.toContain(user.email)
  })
})
