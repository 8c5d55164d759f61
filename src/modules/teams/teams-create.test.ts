import { describe, expect, it } from 'vitest'
import { activityOf } from '../../../test/activity.ts'
import { useTestApp } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'
import { bearer, http } from '../../../test/http.ts'

const t = useTestApp()

const { get, post } = http(t)

describe('POST /teams', () => {
  it('creates a team owned by the caller: 201, Location, ETag and the team shape', async () => {
    const user = await given.user(t.app)
    const res = await post('/api/v1/teams', user.auth, { name: '  Platform  ' })
    expect(res.statusCode, res.body).toBe(201)
    const team = res.json()
    expect(team).toEqual({
      id: expect.any(String),
      name: 'Platform',
      personal: false,
      role: 'owner',
      createdAt: expect.any(String),
      updatedAt: team.createdAt,
      version: 1,
    })
    expect(res.headers.location).toBe(`/api/v1/teams/${team.id}`)
    expect(res.headers.etag).toBe('"1-owner"')
    const members = await get(`/api/v1/teams/${team.id}/members`, user.auth)
    expect(members.json().items).toEqual([expect.objectContaining({ userId: user.id, role: 'owner' })])
    expect(await activityOf(t.app, team.id)).toEqual([
      expect.objectContaining({
        action: 'team.created',
        actor_id: user.id,
        team_id: team.id,
        changes: { name: { from: null, to: 'Platform' } },
      }),
    ])
  })

  it.each([
    [{}, 'body.name'],
    [{ name: '' }, 'body.name'],
    [{ name: 'x'.repeat(101) }, 'body.name'],
    [{ name: 42 }, 'body.name'],
  ])('rejects %j with 400 naming %s', async (payload, path) => {
    const user = await given.user(t.app)
    const res = await post('/api/v1/teams', user.auth, payload)
    expect(res.statusCode).toBe(400)
    expect(res.json().errors).toEqual([{ path, message: expect.any(String) }])
  })

  it('rejects unknown fields (no mass assignment of personal or role)', async () => {
    const user = await given.user(t.app)
    const res = await post('/api/v1/teams', user.auth, { name: 'Sneaky', personal: true, role: 'owner' })
    expect(res.statusCode).toBe(400)
    const { rows } = await t.database.sql.query(`select 1 from teams where name = 'Sneaky'`)
    expect(rows).toHaveLength(0)
  })

  it('needs credentials', async () => {
    const res = await post('/api/v1/teams', {}, { name: 'Anon' })
    expect(res.statusCode).toBe(401)
    expect(res.headers['www-authenticate']).toBe('Bearer')
  })
})

describe('Idempotency-Key on POST /teams', () => {
  it('replays the first response for the same key and body and creates one team', async () => {
    const user = await given.user(t.app)
    const headers = { ...user.auth, 'idempotency-key': 'create-team-1' }
    const first = await post('/api/v1/teams', headers, { name: 'Once' })
    const second = await post('/api/v1/teams', headers, { name: 'Once' })
    expect(first.statusCode).toBe(201)
    expect(second.statusCode).toBe(201)
    expect(second.headers['idempotent-replayed']).toBe('true')
    expect(second.json()).toEqual(first.json())
    expect(second.headers.location).toBe(first.headers.location)
    const { rows } = await t.database.sql.query(
      `select 1 from team_members m join teams t on t.id = m.team_id where m.user_id = $1 and t.name = 'Once'`,
      [user.id],
    )
    expect(rows).toHaveLength(1)
  })

  it('answers 422 for the same key with another body', async () => {
    const user = await given.user(t.app)
    const headers = { ...user.auth, 'idempotency-key': 'create-team-2' }
    expect((await post('/api/v1/teams', headers, { name: 'First' })).statusCode).toBe(201)
    const res = await post('/api/v1/teams', headers, { name: 'Second' })
    expect(res.statusCode).toBe(422)
    const { rows } = await t.database.sql.query(`select 1 from teams where name = 'Second'`)
    expect(rows).toHaveLength(0)
  })

  it('creates one team for two concurrent requests with the same key', async () => {
    const user = await given.user(t.app)
    const headers = { ...user.auth, 'idempotency-key': 'create-team-3' }
    const [a, b] = await Promise.all([
      post('/api/v1/teams', headers, { name: 'Concurrent' }),
      post('/api/v1/teams', headers, { name: 'Concurrent' }),
    ])
    expect([a.statusCode, b.statusCode]).toEqual([201, 201])
    expect(a.json().id).toBe(b.json().id)
    const { rows } = await t.database.sql.query(
      `select 1 from team_members m join teams t on t.id = m.team_id where m.user_id = $1 and t.name = 'Concurrent'`,
      [user.id],
    )
    expect(rows).toHaveLength(1)
  })

  it('keeps keys per user: another user with the same key creates their own team', async () => {
    const [a, b] = await Promise.all([given.user(t.app), given.user(t.app)])
    const ra = await post('/api/v1/teams', { ...a.auth, 'idempotency-key': 'shared' }, { name: 'Mine' })
    const rb = await post('/api/v1/teams', { ...b.auth, 'idempotency-key': 'shared' }, { name: 'Mine' })
    expect(rb.headers['idempotent-replayed']).toBeUndefined()
    expect(rb.json().id).not.toBe(ra.json().id)
  })
})

describe('personal access token scopes on teams', () => {
  it('a teams:read token lists teams but cannot create one (403)', async () => {
    const user = await given.user(t.app)
    const token = await given.token(t.app, user, ['teams:read'])
    expect((await get('/api/v1/teams', bearer(token))).statusCode).toBe(200)
    const res = await post('/api/v1/teams', bearer(token), { name: 'Via token' })
    expect(res.statusCode).toBe(403)
    const { rows } = await t.database.sql.query(`select 1 from teams where name = 'Via token'`)
    expect(rows).toHaveLength(0)
  })

  it('a tasks:read token cannot even read teams; a teams:write token creates one', async () => {
    const user = await given.user(t.app)
    const readTasks = await given.token(t.app, user, ['tasks:read'])
    expect((await get('/api/v1/teams', bearer(readTasks))).statusCode).toBe(403)
    const write = await given.token(t.app, user, ['teams:write'])
    expect((await post('/api/v1/teams', bearer(write), { name: 'Via token' })).statusCode).toBe(201)
  })

  it('a global admin may create a team and becomes its owner', async () => {
    const admin = await given.admin(t.app)
    const res = await post('/api/v1/teams', admin.auth, { name: 'Admins' })
    expect(res.statusCode).toBe(201)
    expect(res.json().role).toBe('owner')
  })
})
