import { describe, expect, it } from 'vitest'
import { activityOf } from '../../../test/activity.ts'
import { useTestApp } from '../../../test/app.ts'
import { type GivenUser, given, type TeamRole } from '../../../test/given.ts'
import { http } from '../../../test/http.ts'

const t = useTestApp()

const members = (teamId: string) => `/api/v1/teams/${teamId}/members`
const { get, post, patch, del } = http(t)

async function roleIn(teamId: string, userId: string): Promise<string | undefined> {
  const { rows } = await t.database.sql.query<{ role: string }>(
    'select role from team_members where team_id = $1 and user_id = $2',
    [teamId, userId],
  )
  return rows[0]?.role
}

describe('GET /teams/:id/members', () => {
  it('lists members with their name, email, role and joinedAt to every member; 404 to an outsider', async () => {
    const cast = await given.teamWithRoles(t.app)
    for (const who of ['owner', 'admin', 'member', 'viewer', 'globalAdmin'] as const) {
      const res = await get(members(cast.team.id), cast[who].auth)
      expect(res.statusCode, who).toBe(200)
      expect(res.json().items).toHaveLength(4)
    }
    const { items } = (await get(members(cast.team.id), cast.viewer.auth)).json()
    expect(items[0]).toEqual({
      userId: cast.owner.id,
      name: 'Owner',
      email: cast.owner.email,
      role: 'owner',
      joinedAt: expect.any(String),
    })
    expect(new Set(items.map((m: { role: string }) => m.role))).toEqual(new Set(['owner', 'admin', 'member', 'viewer']))
    expect((await get(members(cast.team.id), cast.outsider.auth)).statusCode).toBe(404)
  })

  it('paginates with limit and cursor', async () => {
    const cast = await given.teamWithRoles(t.app)
    const first = (await get(`${members(cast.team.id)}?limit=3`, cast.owner.auth)).json()
    expect(first.items).toHaveLength(3)
    const second = (await get(`${members(cast.team.id)}?limit=3&cursor=${first.nextCursor}`, cast.owner.auth)).json()
    expect(second.items).toHaveLength(1)
    expect(second.nextCursor).toBeNull()
    const ids = [...first.items, ...second.items].map((m: { userId: string }) => m.userId)
    expect(new Set(ids).size).toBe(4)
  })
})

describe('POST /teams/:id/members', () => {
  it('adds a user by email (any case) or by id: 201 with the member, activity member.added', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const [a, b] = await Promise.all([given.user(t.app, { name: 'Ann' }), given.user(t.app, { name: 'Bob' })])
    const byEmail = await post(members(team.id), owner.auth, { email: ` ${a.email.toUpperCase()} `, role: 'member' })
    expect(byEmail.statusCode, byEmail.body).toBe(201)
    expect(byEmail.json()).toEqual({
      userId: a.id,
      name: 'Ann',
      email: a.email,
      role: 'member',
      joinedAt: expect.any(String),
    })
    const byId = await post(members(team.id), owner.auth, { userId: b.id, role: 'viewer' })
    expect(byId.statusCode).toBe(201)
    expect(byId.json()).toMatchObject({ userId: b.id, role: 'viewer' })
    expect(await activityOf(t.app, a.id)).toEqual([
      expect.objectContaining({
        action: 'member.added',
        actor_id: owner.id,
        team_id: team.id,
        changes: { role: { from: null, to: 'member' } },
      }),
    ])
    // the new member now sees the team
    expect((await get(`/api/v1/teams/${team.id}`, a.auth)).json().role).toBe('member')
  })

  it('answers 400 naming body.email or body.userId for an unknown user, and writes nothing', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const email = await post(members(team.id), owner.auth, { email: 'nobody-x1@example.test', role: 'member' })
    expect(email.statusCode).toBe(400)
    expect(email.json().errors).toEqual([{ path: 'body.email', message: expect.any(String) }])
    const id = await post(members(team.id), owner.auth, {
      userId: '01900000-0000-7000-8000-000000000000',
      role: 'member',
    })
    expect(id.statusCode).toBe(400)
    expect(id.json().errors).toEqual([{ path: 'body.userId', message: expect.any(String) }])
    expect((await get(members(team.id), owner.auth)).json().items).toHaveLength(1)
  })

  it.each([
    [{ role: 'member' }, 'body.email'],
    [{ email: 'a@example.test', userId: '01900000-0000-7000-8000-000000000000', role: 'member' }, 'body.email'],
    [{ email: 'not-an-email', role: 'member' }, 'body.email'],
    [{ email: 'a@example.test' }, 'body.role'],
    [{ email: 'a@example.test', role: 'superuser' }, 'body.role'],
  ])('rejects %j with 400 naming %s', async (payload, path) => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const res = await post(members(team.id), owner.auth, payload)
    expect(res.statusCode).toBe(400)
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path)
  })

  it('rejects unknown fields with 400', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const other = await given.user(t.app)
    const res = await post(members(team.id), owner.auth, {
      userId: other.id,
      role: 'member',
      joinedAt: '2020-01-01T00:00:00Z',
    })
    expect(res.statusCode).toBe(400)
    expect(await roleIn(team.id, other.id)).toBeUndefined()
  })

  it('answers 409 for a user who is already a member', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const member = await given.member(t.app, team, owner, 'member')
    const res = await post(members(team.id), owner.auth, { userId: member.id, role: 'admin' })
    expect(res.statusCode).toBe(409)
    expect(await roleIn(team.id, member.id)).toBe('member')
  })

  it.each([
    ['owner', 'member', 201],
    ['owner', 'owner', 201],
    ['admin', 'admin', 201],
    ['admin', 'owner', 403],
    ['member', 'viewer', 403],
    ['viewer', 'viewer', 403],
    ['globalAdmin', 'viewer', 403],
    ['outsider', 'viewer', 404],
  ] as const)('as %s, adding a %s answers %i', async (who, role, status) => {
    const cast = await given.teamWithRoles(t.app)
    const newcomer = await given.user(t.app)
    const res = await post(members(cast.team.id), cast[who].auth, { userId: newcomer.id, role })
    expect(res.statusCode).toBe(status)
    expect(await roleIn(cast.team.id, newcomer.id)).toBe(status === 201 ? role : undefined)
    expect(await activityOf(t.app, newcomer.id)).toHaveLength(status === 201 ? 1 : 0)
  })
})

describe('PATCH /teams/:id/members/:userId', () => {
  // [caller, target's role, new role, expected status]
  it.each([
    ['owner', 'member', 'admin', 200],
    ['owner', 'admin', 'viewer', 200],
    ['owner', 'viewer', 'owner', 200],
    ['admin', 'member', 'viewer', 200],
    ['admin', 'viewer', 'admin', 200],
    ['admin', 'member', 'owner', 403],
    ['member', 'viewer', 'member', 403],
    ['viewer', 'member', 'viewer', 403],
    ['globalAdmin', 'member', 'viewer', 403],
    ['outsider', 'member', 'viewer', 404],
  ] as const)('as %s, changing a %s to %s answers %i', async (who, from, to, status) => {
    const cast = await given.teamWithRoles(t.app)
    const target = await given.member(t.app, cast.team, cast.owner, from)
    const res = await patch(`${members(cast.team.id)}/${target.id}`, cast[who].auth, { role: to })
    expect(res.statusCode).toBe(status)
    expect(await roleIn(cast.team.id, target.id)).toBe(status === 200 ? to : from)
    const changes = (await activityOf(t.app, target.id)).filter((a) => a.action === 'member.role_changed')
    expect(changes).toEqual(status === 200 ? [expect.objectContaining({ changes: { role: { from, to } } })] : [])
    if (status === 200) expect(res.json()).toMatchObject({ userId: target.id, role: to })
  })

  it('lets only an owner change another owner', async () => {
    const cast = await given.teamWithRoles(t.app)
    const second = await given.member(t.app, cast.team, cast.owner, 'owner')
    const res = await patch(`${members(cast.team.id)}/${second.id}`, cast.admin.auth, { role: 'member' })
    expect(res.statusCode).toBe(403)
    expect(await roleIn(cast.team.id, second.id)).toBe('owner')
  })

  it('refuses to demote the last owner with 409, and writes no activity', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const res = await patch(`${members(team.id)}/${owner.id}`, owner.auth, { role: 'admin' })
    expect(res.statusCode).toBe(409)
    expect(await roleIn(team.id, owner.id)).toBe('owner')
    expect(await activityOf(t.app, owner.id)).toEqual([])
  })

  it('transfers ownership: make another member owner, then step down', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const heir = await given.member(t.app, team, owner, 'admin')
    expect((await patch(`${members(team.id)}/${heir.id}`, owner.auth, { role: 'owner' })).statusCode).toBe(200)
    expect((await patch(`${members(team.id)}/${owner.id}`, owner.auth, { role: 'member' })).statusCode).toBe(200)
    expect(await roleIn(team.id, heir.id)).toBe('owner')
    expect(await roleIn(team.id, owner.id)).toBe('member')
    // the old owner can no longer delete the team; the new one can
    expect((await del(`/api/v1/teams/${team.id}`, owner.auth)).statusCode).toBe(403)
    expect((await del(`/api/v1/teams/${team.id}`, heir.auth)).statusCode).toBe(204)
  })

  it('keeps an owner when two owners demote each other at the same time', async () => {
    const a = await given.user(t.app)
    const team = await given.team(t.app, a)
    const b = await given.member(t.app, team, a, 'owner')
    const results = await Promise.all([
      patch(`${members(team.id)}/${a.id}`, a.auth, { role: 'member' }),
      patch(`${members(team.id)}/${b.id}`, b.auth, { role: 'member' }),
    ])
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409])
    const owners = [await roleIn(team.id, a.id), await roleIn(team.id, b.id)].filter((r) => r === 'owner')
    expect(owners).toHaveLength(1)
  })

  it('answers 200 without a change or activity when the role is the same', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const m = await given.member(t.app, team, owner, 'member')
    const res = await patch(`${members(team.id)}/${m.id}`, owner.auth, { role: 'member' })
    expect(res.statusCode).toBe(200)
    expect((await activityOf(t.app, m.id)).map((a) => a.action)).toEqual(['member.added'])
  })

  it('answers 404 for a user who is not a member, 400 for a bad role or an unknown field', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const stranger = await given.user(t.app)
    expect((await patch(`${members(team.id)}/${stranger.id}`, owner.auth, { role: 'member' })).statusCode).toBe(404)
    const bad = await patch(`${members(team.id)}/${owner.id}`, owner.auth, { role: 'boss' })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().errors[0].path).toBe('body.role')
    expect((await patch(`${members(team.id)}/${owner.id}`, owner.auth, { role: 'owner', x: 1 })).statusCode).toBe(400)
    expect((await patch(`${members(team.id)}/nope`, owner.auth, { role: 'owner' })).json().errors[0].path).toBe(
      'params.userId',
    )
  })
})

describe('DELETE /teams/:id/members/:userId', () => {
  // [caller, target's role, expected status]
  it.each([
    ['owner', 'admin', 204],
    ['owner', 'owner', 204],
    ['admin', 'member', 204],
    ['admin', 'admin', 204],
    ['admin', 'owner', 403],
    ['member', 'viewer', 403],
    ['viewer', 'member', 403],
    ['globalAdmin', 'member', 403],
    ['outsider', 'member', 404],
  ] as const)('as %s, removing a %s answers %i', async (who, role, status) => {
    const cast = await given.teamWithRoles(t.app)
    const target = await given.member(t.app, cast.team, cast.owner, role as TeamRole)
    const res = await del(`${members(cast.team.id)}/${target.id}`, cast[who].auth)
    expect(res.statusCode).toBe(status)
    expect(await roleIn(cast.team.id, target.id)).toBe(status === 204 ? undefined : role)
    const removed = (await activityOf(t.app, target.id)).filter((a) => a.action === 'member.removed')
    expect(removed).toEqual(
      status === 204 ? [expect.objectContaining({ changes: { role: { from: role, to: null } } })] : [],
    )
    if (status === 204) expect((await get(`/api/v1/teams/${cast.team.id}`, target.auth)).statusCode).toBe(404)
  })

  it.each(['admin', 'member', 'viewer'] as const)('lets a %s leave the team', async (role) => {
    const cast = await given.teamWithRoles(t.app)
    const me: GivenUser = cast[role]
    expect((await del(`${members(cast.team.id)}/${me.id}`, me.auth)).statusCode).toBe(204)
    expect(await roleIn(cast.team.id, me.id)).toBeUndefined()
  })

  it('refuses the last owner leaving (409); an owner may leave once another owner exists', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    expect((await del(`${members(team.id)}/${owner.id}`, owner.auth)).statusCode).toBe(409)
    expect(await roleIn(team.id, owner.id)).toBe('owner')
    await given.member(t.app, team, owner, 'owner')
    expect((await del(`${members(team.id)}/${owner.id}`, owner.auth)).statusCode).toBe(204)
  })

  it('answers 404 for a user who is not a member', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const stranger = await given.user(t.app)
    expect((await del(`${members(team.id)}/${stranger.id}`, owner.auth)).statusCode).toBe(404)
  })
})
