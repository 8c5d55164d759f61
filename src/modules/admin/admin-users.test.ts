import { randomBytes, randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { createTestApp, useTestApp } from '../../../test/app.ts'
import { type GivenUser, given } from '../../../test/given.ts'

const t = useTestApp()

const listUsers = (app: FastifyInstance, admin: GivenUser, query: string) =>
  app.inject({ method: 'GET', url: `/api/v1/admin/users${query}`, headers: admin.auth })
const patchUser = (app: FastifyInstance, admin: GivenUser, id: string, payload: Record<string, unknown>) =>
  app.inject({ method: 'PATCH', url: `/api/v1/admin/users/${id}`, headers: admin.auth, payload })

describe('GET /admin/users', () => {
  it('searches by email or name and walks keyset pages, seeing every match once', async () => {
    const admin = await given.admin(t.app)
    const tag = `walk${randomBytes(4).toString('hex')}`
    const created: string[] = []
    for (let i = 0; i < 5; i++) {
      // three match by email, two by name
      const u =
        i < 3
          ? await given.user(t.app, { email: given.email(tag) })
          : await given.user(t.app, { name: `Person ${tag.toUpperCase()}` })
      created.push(u.id)
    }
    await given.user(t.app) // not a match

    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const res = await listUsers(t.app, admin, `?q=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      expect(res.statusCode, res.body).toBe(200)
      const body = res.json()
      expect(body.items.length).toBeLessThanOrEqual(2)
      seen.push(...body.items.map((u: { id: string }) => u.id))
      cursor = body.nextCursor
      pages++
    } while (cursor && pages < 10)
    expect(pages).toBe(3)
    expect(seen).toEqual(created)
  })

  it('lists users with their disabled flag and never a password hash', async () => {
    const admin = await given.admin(t.app)
    const user = await given.user(t.app)
    const res = await listUsers(t.app, admin, `?q=${encodeURIComponent(user.email)}`)
    expect(res.json()).toEqual({
      items: [
        {
          id: user.id,
          email: user.email,
          name: user.name,
          role: 'user',
          emailVerified: false,
          disabled: false,
          createdAt: expect.any(String),
        },
      ],
      nextCursor: null,
    })
    const all = await listUsers(t.app, admin, '?limit=100')
    expect(all.body).not.toMatch(/password|argon/i)
  })

  it('answers 400 for a limit out of range and a forged cursor', async () => {
    const admin = await given.admin(t.app)
    for (const [query, path] of [
      ['?limit=0', 'query.limit'],
      ['?limit=101', 'query.limit'],
      ['?cursor=bm90LWEtY3Vyc29y', 'query.cursor'],
    ]) {
      const res = await listUsers(t.app, admin, query!)
      expect(res.statusCode, query).toBe(400)
      expect(res.json().errors).toEqual([expect.objectContaining({ path })])
    }
  })

  it('answers 403 to a user who is not an admin, and 401 without credentials', async () => {
    const user = await given.user(t.app)
    const denied = await listUsers(t.app, user, '')
    expect(denied.statusCode).toBe(403)
    expect(denied.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect((await patchUser(t.app, user, user.id, { role: 'admin' })).statusCode).toBe(403)
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/admin/users' })).statusCode).toBe(401)
  })
})

describe('PATCH /admin/users/:id', () => {
  it('promotes a user, who then has admin rights', async () => {
    const admin = await given.admin(t.app)
    const user = await given.user(t.app)
    expect((await listUsers(t.app, user, '')).statusCode).toBe(403) // and the state is cached now
    const res = await patchUser(t.app, admin, user.id, { role: 'admin' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ id: user.id, role: 'admin', disabled: false })
    expect((await listUsers(t.app, user, '')).statusCode).toBe(200)
  })

  it('lets one of two admins demote the other, who loses admin rights at once', async () => {
    const [a, b] = [await given.admin(t.app), await given.admin(t.app)]
    expect((await listUsers(t.app, b, '')).statusCode).toBe(200)
    const res = await patchUser(t.app, a, b.id, { role: 'user' })
    expect(res.statusCode).toBe(200)
    expect(res.json().role).toBe('user')
    expect((await listUsers(t.app, b, '')).statusCode).toBe(403)
  })

  it('answers 404 for an unknown user and 400 for a bad body', async () => {
    const admin = await given.admin(t.app)
    const user = await given.user(t.app)
    expect((await patchUser(t.app, admin, randomUUID(), { role: 'admin' })).statusCode).toBe(404)
    for (const payload of [{ role: 'root' }, { email: 'x@example.test' }, { disabled: 'yes' }]) {
      expect((await patchUser(t.app, admin, user.id, payload)).statusCode).toBe(400)
    }
    const { rows } = await t.database.sql.query<{ role: string; email: string }>(
      'select role, email from users where id = $1',
      [user.id],
    )
    expect(rows[0]).toEqual({ role: 'user', email: user.email })
  })
})

describe('the last admin', () => {
  it('cannot be demoted or disabled (409), but can be once another admin exists', async () => {
    // an app of its own: the last-admin rule counts every admin in the database
    const own = await createTestApp()
    try {
      const only = await given.admin(own.app)
      for (const payload of [{ role: 'user' }, { disabled: true }, { role: 'user', disabled: true }]) {
        const res = await patchUser(own.app, only, only.id, payload)
        expect(res.statusCode).toBe(409)
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
      }
      expect((await listUsers(own.app, only, '')).statusCode).toBe(200)

      const second = await given.user(own.app)
      expect((await patchUser(own.app, only, second.id, { role: 'admin' })).statusCode).toBe(200)
      expect((await patchUser(own.app, second, only.id, { role: 'user' })).statusCode).toBe(200)
      // now `second` is the last one
      expect((await patchUser(own.app, second, second.id, { disabled: true })).statusCode).toBe(409)
    } finally {
      await own.close()
    }
  })

  it('survives two admins demoting each other at the same time: exactly one wins', async () => {
    const own = await createTestApp()
    try {
      const [a, b] = [await given.admin(own.app), await given.admin(own.app)]
      const results = await Promise.all([
        patchUser(own.app, a, b.id, { role: 'user' }),
        patchUser(own.app, b, a.id, { role: 'user' }),
      ])
      const codes = results.map((r) => r.statusCode).sort()
      // the loser is either refused as the last admin (409) or already demoted when its request is checked (403)
      expect(codes[0]).toBe(200)
      expect([403, 409]).toContain(codes[1])
      const { rows } = await own.database.sql.query<{ n: number }>(
        `select count(*)::int as n from users where role = 'admin' and not disabled`,
      )
      expect(rows[0]!.n).toBe(1)
    } finally {
      await own.close()
    }
  })
})
