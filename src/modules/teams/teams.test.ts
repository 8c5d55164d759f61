import { describe, expect, it } from 'vitest'
import { activityOf } from '../../../test/activity.ts'
import { useTestApp } from '../../../test/app.ts'
import { type GivenUser, given, type TeamRole } from '../../../test/given.ts'
import { http } from '../../../test/http.ts'

const t = useTestApp()

const { get, patch, del } = http(t)

async function setRole(team: { id: string }, by: GivenUser, user: GivenUser, role: TeamRole) {
  const res = await patch(`/api/v1/teams/${team.id}/members/${user.id}`, by.auth, { role })
  expect(res.statusCode, res.body).toBe(200)
}

async function teamRows(id: string) {
  const { rows } = await t.database.sql.query<{ name: string }>('select name from teams where id = $1', [id])
  return rows
}

describe('GET /teams', () => {
  it("lists the caller's teams (personal first) and never another user's", async () => {
    const { owner, outsider, member, team } = await given.teamWithRoles(t.app)
    const res = await get('/api/v1/teams', owner.auth)
    expect(res.statusCode).toBe(200)
    const { items, nextCursor } = res.json()
    expect(nextCursor).toBeNull()
    expect(items.map((i: { personal: boolean; role: string }) => [i.personal, i.role])).toEqual([
      [true, 'owner'],
      [false, 'owner'],
    ])
    const asMember = (await get('/api/v1/teams', member.auth)).json().items
    expect(asMember.find((i: { id: string }) => i.id === team.id).role).toBe('member')
    const asOutsider = (await get('/api/v1/teams', outsider.auth)).json().items
    expect(asOutsider.map((i: { id: string }) => i.id)).not.toContain(team.id)
  })

  it('shows a global admin every team, with role null where they are not a member', async () => {
    const { team, globalAdmin } = await given.teamWithRoles(t.app)
    const seen = new Map<string, string | null>()
    let cursor: string | null = null
    do {
      const res = await get(`/api/v1/teams?limit=100${cursor ? `&cursor=${cursor}` : ''}`, globalAdmin.auth)
      for (const i of res.json().items) seen.set(i.id, i.role)
      cursor = res.json().nextCursor
    } while (cursor)
    expect(seen.get(team.id)).toBeNull()
  })

  it('walks pages with limit and cursor, each team once', async () => {
    const user = await given.user(t.app)
    for (const name of ['A', 'B', 'C', 'D']) await given.team(t.app, user, { name })
    const names: string[] = []
    let cursor: string | null = null
    do {
      const res = await get(`/api/v1/teams?limit=2${cursor ? `&cursor=${cursor}` : ''}`, user.auth)
      expect(res.statusCode).toBe(200)
      expect(res.json().items.length).toBeLessThanOrEqual(2)
      names.push(...res.json().items.map((i: { name: string }) => i.name))
      cursor = res.json().nextCursor
    } while (cursor)
    expect(names).toEqual(["Test User's team", 'A', 'B', 'C', 'D'])
  })

  const forged = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url')
  it.each([
    'limit=0',
    'limit=101',
    'limit=x',
    'cursor=not-a-cursor',
    `cursor=${forged(['yesterday', 'x'])}`,
    `cursor=${forged([1, 2])}`,
  ])('rejects %s with 400', async (q) => {
    const user = await given.user(t.app)
    const res = await get(`/api/v1/teams?${q}`, user.auth)
    expect(res.statusCode).toBe(400)
    expect(res.json().errors[0].path).toBe(`query.${q.split('=')[0]}`)
  })
})

describe('GET /teams/:id', () => {
  it('answers members of every role and a global admin (role null); 404 for an outsider', async () => {
    const cast = await given.teamWithRoles(t.app)
    for (const role of ['owner', 'admin', 'member', 'viewer'] as const) {
      const res = await get(`/api/v1/teams/${cast.team.id}`, cast[role].auth)
      expect(res.statusCode).toBe(200)
      expect(res.json().role).toBe(role)
      expect(res.headers.etag).toBe(`"1-${role}"`)
    }
    const asAdmin = await get(`/api/v1/teams/${cast.team.id}`, cast.globalAdmin.auth)
    expect(asAdmin.statusCode).toBe(200)
    expect(asAdmin.json().role).toBeNull()
    expect(asAdmin.headers.etag).toBe('"1-none"')
    const asOutsider = await get(`/api/v1/teams/${cast.team.id}`, cast.outsider.auth)
    expect(asOutsider.statusCode).toBe(404)
    expect(asOutsider.headers['content-type']).toMatch(/^application\/problem\+json/)
  })

  it('answers 304 for If-None-Match with the current ETag, 200 after a change', async () => {
    const user = await given.user(t.app)
    const team = await given.team(t.app, user)
    const url = `/api/v1/teams/${team.id}`
    const unchanged = await get(url, { ...user.auth, 'if-none-match': team.etag })
    expect(unchanged.statusCode).toBe(304)
    expect(unchanged.body).toBe('')
    await patch(url, user.auth, { name: 'Renamed' })
    const changed = await get(url, { ...user.auth, 'if-none-match': team.etag })
    expect(changed.statusCode).toBe(200)
    expect(changed.headers.etag).toBe('"2-owner"')
  })

  it("gives a new ETag when the caller's role changes: the old one answers 200 with the new role, not 304", async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const member = await given.member(t.app, team, owner, 'member')
    const url = `/api/v1/teams/${team.id}`
    const before = await get(url, member.auth)
    expect(before.json()).toMatchObject({ role: 'member', version: 1 })
    await setRole(team, owner, member, 'admin')

    const after = await get(url, { ...member.auth, 'if-none-match': String(before.headers.etag) })
    expect(after.statusCode).toBe(200)
    expect(after.json()).toMatchObject({ role: 'admin', version: 1 })
    expect(after.headers.etag).not.toBe(before.headers.etag)
    expect((await get(url, { ...member.auth, 'if-none-match': String(after.headers.etag) })).statusCode).toBe(304)
    // another caller's ETag shows another role: never a 304 for this one
    const owners = await get(url, owner.auth)
    expect((await get(url, { ...member.auth, 'if-none-match': String(owners.headers.etag) })).statusCode).toBe(200)
  })

  it('rejects a malformed id with 400 naming params.id', async () => {
    const user = await given.user(t.app)
    const res = await get('/api/v1/teams/not-a-uuid', user.auth)
    expect(res.statusCode).toBe(400)
    expect(res.json().errors[0].path).toBe('params.id')
  })
})

describe('PATCH /teams/:id', () => {
  it.each([
    ['owner', 200],
    ['admin', 200],
    ['member', 403],
    ['viewer', 403],
    ['globalAdmin', 403],
    ['outsider', 404],
  ] as const)('as %s answers %i', async (who, status) => {
    const cast = await given.teamWithRoles(t.app, { name: 'Before' })
    const res = await patch(`/api/v1/teams/${cast.team.id}`, cast[who].auth, { name: 'After' })
    expect(res.statusCode).toBe(status)
    expect((await teamRows(cast.team.id))[0]!.name).toBe(status === 200 ? 'After' : 'Before')
    const updates = (await activityOf(t.app, cast.team.id)).filter((a) => a.action === 'team.updated')
    expect(updates).toEqual(
      status === 200 ? [expect.objectContaining({ changes: { name: { from: 'Before', to: 'After' } } })] : [],
    )
  })

  it('bumps version and ETag; an empty patch changes nothing', async () => {
    const user = await given.user(t.app)
    const team = await given.team(t.app, user)
    const res = await patch(`/api/v1/teams/${team.id}`, user.auth, { name: 'New' })
    expect(res.json()).toMatchObject({ name: 'New', version: 2, role: 'owner' })
    expect(res.headers.etag).toBe('"2-owner"')
    const empty = await patch(`/api/v1/teams/${team.id}`, user.auth, {})
    expect(empty.json()).toMatchObject({ name: 'New', version: 2 })
    expect((await activityOf(t.app, team.id)).map((a) => a.action)).toEqual(['team.created', 'team.updated'])
  })

  it('honours If-Match: 412 on a stale ETag (nothing written), 200 on the current one', async () => {
    const user = await given.user(t.app)
    const team = await given.team(t.app, user, { name: 'Base' })
    const url = `/api/v1/teams/${team.id}`
    expect((await patch(url, { ...user.auth, 'if-match': team.etag }, { name: 'One' })).statusCode).toBe(200)
    const stale = await patch(url, { ...user.auth, 'if-match': team.etag }, { name: 'Two' })
    expect(stale.statusCode).toBe(412)
    expect((await teamRows(team.id))[0]!.name).toBe('One')
    expect((await patch(url, { ...user.auth, 'if-match': 'garbage' }, { name: 'Two' })).statusCode).toBe(412)
    // strong comparison (RFC 9110): the current ETag marked weak does not match
    const current = String((await get(url, user.auth)).headers.etag)
    expect((await patch(url, { ...user.auth, 'if-match': `W/${current}` }, { name: 'Two' })).statusCode).toBe(412)
    expect((await del(url, { ...user.auth, 'if-match': `W/${current}` })).statusCode).toBe(412)
    expect((await teamRows(team.id))[0]!.name).toBe('One')
  })

  it('takes the ETag the caller last saw: 412 once their role changed (nothing written), 200 on the new one', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner, { name: 'Base' })
    const admin = await given.member(t.app, team, owner, 'admin')
    const url = `/api/v1/teams/${team.id}`
    const seen = await get(url, admin.auth)
    await setRole(team, owner, admin, 'owner')

    const stale = await patch(url, { ...admin.auth, 'if-match': String(seen.headers.etag) }, { name: 'Stale' })
    expect(stale.statusCode).toBe(412)
    expect((await teamRows(team.id))[0]!.name).toBe('Base')
    // the version alone is not this caller's ETag
    expect((await patch(url, { ...admin.auth, 'if-match': '"1"' }, { name: 'Bare' })).statusCode).toBe(412)
    const current = (await get(url, admin.auth)).headers.etag
    const res = await patch(url, { ...admin.auth, 'if-match': String(current) }, { name: 'Fresh' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ name: 'Fresh', role: 'owner', version: 2 })
    expect(res.headers.etag).toBe('"2-owner"')
  })

  it('lets exactly one of two concurrent updates with the same If-Match win', async () => {
    const user = await given.user(t.app)
    const team = await given.team(t.app, user)
    const headers = { ...user.auth, 'if-match': team.etag }
    const results = await Promise.all([
      patch(`/api/v1/teams/${team.id}`, headers, { name: 'Left' }),
      patch(`/api/v1/teams/${team.id}`, headers, { name: 'Right' }),
    ])
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 412])
  })

  it('rejects null for the name, and unknown fields', async () => {
    const user = await given.user(t.app)
    const team = await given.team(t.app, user)
    const res = await patch(`/api/v1/teams/${team.id}`, user.auth, { name: null })
    expect(res.statusCode).toBe(400)
    expect(res.json().errors[0].path).toBe('body.name')
    expect((await patch(`/api/v1/teams/${team.id}`, user.auth, { personal: true })).statusCode).toBe(400)
  })
})

describe('DELETE /teams/:id', () => {
  it.each([
    ['owner', 204],
    ['admin', 403],
    ['member', 403],
    ['viewer', 403],
    ['globalAdmin', 403],
    ['outsider', 404],
  ] as const)('as %s answers %i', async (who, status) => {
    const cast = await given.teamWithRoles(t.app)
    const res = await del(`/api/v1/teams/${cast.team.id}`, cast[who].auth)
    expect(res.statusCode).toBe(status)
    expect(await teamRows(cast.team.id)).toHaveLength(status === 204 ? 0 : 1)
    const deletes = (await activityOf(t.app, cast.team.id)).filter((a) => a.action === 'team.deleted')
    expect(deletes).toHaveLength(status === 204 ? 1 : 0)
    if (status === 204) {
      expect(res.body).toBe('')
      expect((await get(`/api/v1/teams/${cast.team.id}`, cast.owner.auth)).statusCode).toBe(404)
    }
  })

  it('refuses to delete a personal team with 409', async () => {
    const user = await given.user(t.app)
    const personal = (await get('/api/v1/teams', user.auth)).json().items[0]
    expect(personal.personal).toBe(true)
    const res = await del(`/api/v1/teams/${personal.id}`, user.auth)
    expect(res.statusCode).toBe(409)
    expect(await teamRows(personal.id)).toHaveLength(1)
    expect((await activityOf(t.app, personal.id)).map((a) => a.action)).not.toContain('team.deleted')
  })

  it('honours If-Match (412 on a stale ETag, nothing deleted)', async () => {
    const user = await given.user(t.app)
    const team = await given.team(t.app, user)
    await patch(`/api/v1/teams/${team.id}`, user.auth, { name: 'Changed' })
    const res = await del(`/api/v1/teams/${team.id}`, { ...user.auth, 'if-match': team.etag })
    expect(res.statusCode).toBe(412)
    expect(await teamRows(team.id)).toHaveLength(1)
    expect((await del(`/api/v1/teams/${team.id}`, { ...user.auth, 'if-match': '"2-owner"' })).statusCode).toBe(204)
  })
})
