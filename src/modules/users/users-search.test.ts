import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'
import { bearer } from '../../../test/http.ts'

const t = useTestApp()

const search = (query: string, headers: Record<string, string>) =>
  t.app.inject({ method: 'GET', url: `/api/v1/users${query}`, headers })
const idsOf = (res: { json(): { items: { id: string }[] } }) => res.json().items.map((u) => u.id)

describe('GET /users', () => {
  it('lists the caller and the users who share a team with them, never anyone else', async () => {
    const me = await given.user(t.app, { name: 'Me' })
    const [mate, stranger] = await Promise.all([
      given.user(t.app, { name: 'Mate' }),
      given.user(t.app, { name: 'Stranger' }),
    ])
    await given.team(t.app, me, { members: [{ user: mate, role: 'viewer' }] })
    const res = await search('', me.auth)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      items: [
        { id: me.id, email: me.email, name: 'Me', role: 'user', emailVerified: false, createdAt: expect.any(String) },
        {
          id: mate.id,
          email: mate.email,
          name: 'Mate',
          role: 'user',
          emailVerified: false,
          createdAt: expect.any(String),
        },
      ],
      nextCursor: null,
    })
    expect(idsOf(await search('', mate.auth))).toEqual([me.id, mate.id])
    expect(idsOf(await search('', stranger.auth))).toEqual([stranger.id])
  })

  it('searches names and emails case-insensitively with q, treating % and _ literally', async () => {
    const me = await given.user(t.app, { name: 'Searcher' })
    const zelda = await given.user(t.app, { name: 'Zelda Quux' })
    const other = await given.user(t.app, { name: 'Other' })
    await given.team(t.app, me, {
      members: [
        { user: zelda, role: 'member' },
        { user: other, role: 'member' },
      ],
    })
    expect(idsOf(await search('?q=zELDA', me.auth))).toEqual([zelda.id])
    expect(idsOf(await search(`?q=${other.email.slice(0, 12).toUpperCase()}`, me.auth))).toEqual([other.id])
    expect(idsOf(await search('?q=%25', me.auth))).toEqual([])
  })

  it('forgets a user once they leave the shared team', async () => {
    const me = await given.user(t.app)
    const mate = await given.user(t.app)
    const team = await given.team(t.app, me, { members: [{ user: mate, role: 'member' }] })
    await t.app.inject({ method: 'DELETE', url: `/api/v1/teams/${team.id}/members/${mate.id}`, headers: me.auth })
    expect(idsOf(await search('', me.auth))).toEqual([me.id])
  })

  it('shows a global admin everyone, in pages', async () => {
    const admin = await given.admin(t.app)
    const someone = await given.user(t.app)
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const res = await search(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`, admin.auth)
      expect(res.json().items.length).toBeLessThanOrEqual(2)
      seen.push(...idsOf(res))
      cursor = res.json().nextCursor
    } while (cursor)
    expect(seen).toEqual(expect.arrayContaining([admin.id, someone.id]))
    expect(new Set(seen).size).toBe(seen.length)
  })

  it('validates limit, cursor and q; needs the teams:read scope from a token', async () => {
    const me = await given.user(t.app)
    const forged = Buffer.from(JSON.stringify(['not a date', 'x'])).toString('base64url')
    for (const q of ['?limit=0', '?limit=101', `?cursor=${forged}`, `?q=${'x'.repeat(101)}`]) {
      const res = await search(q, me.auth)
      expect(res.statusCode, q).toBe(400)
      expect(res.json().errors[0].path).toBe(`query.${q.slice(1).split('=')[0]}`)
    }
    expect((await search('', bearer(await given.token(t.app, me, ['teams:read'])))).statusCode).toBe(200)
    expect((await search('', bearer(await given.token(t.app, me, ['tasks:write'])))).statusCode).toBe(403)
  })
})
