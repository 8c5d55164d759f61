import { describe, expect, it } from 'vitest'
import { activityOf } from '../../../test/activity.ts'
import { useTestApp } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'
import { bearer, http } from '../../../test/http.ts'

const t = useTestApp()

const { get, post, patch, del } = http(t)

async function tagRows(teamId: string) {
  const { rows } = await t.database.sql.query<{ name: string; color: string }>(
    'select name, color from tags where team_id = $1 order by name',
    [teamId],
  )
  return rows
}

describe('POST /tags', () => {
  it('creates a tag: 201, Location, ETag, the tag shape (color lower-cased) and tag.created', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const res = await post('/api/v1/tags', owner.auth, { teamId: team.id, name: ' Bug ', color: '#FF0000' })
    expect(res.statusCode, res.body).toBe(201)
    const tag = res.json()
    expect(tag).toEqual({
      id: expect.any(String),
      teamId: team.id,
      name: 'Bug',
      color: '#ff0000',
      createdAt: expect.any(String),
      updatedAt: tag.createdAt,
      version: 1,
    })
    expect(res.headers.location).toBe(`/api/v1/tags/${tag.id}`)
    expect(res.headers.etag).toBe('"1"')
    expect((await get(res.headers.location as string, owner.auth)).json()).toEqual(tag)
    expect(await activityOf(t.app, tag.id)).toEqual([
      expect.objectContaining({
        action: 'tag.created',
        team_id: team.id,
        changes: { name: { from: null, to: 'Bug' }, color: { from: null, to: '#ff0000' } },
      }),
    ])
  })

  it('answers 409 for a name the team already has, whatever its case; another team may reuse it', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const other = await given.team(t.app, owner)
    await given.tag(t.app, team, owner, { name: 'Urgent' })
    const res = await post('/api/v1/tags', owner.auth, { teamId: team.id, name: 'URGENT', color: '#000000' })
    expect(res.statusCode).toBe(409)
    expect(await tagRows(team.id)).toEqual([{ name: 'Urgent', color: '#3366ff' }])
    expect(
      (await post('/api/v1/tags', owner.auth, { teamId: other.id, name: 'urgent', color: '#000000' })).statusCode,
    ).toBe(201)
  })

  it('lets exactly one of two concurrent creates of the same name win', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const results = await Promise.all([
      post('/api/v1/tags', owner.auth, { teamId: team.id, name: 'race', color: '#000000' }),
      post('/api/v1/tags', owner.auth, { teamId: team.id, name: 'Race', color: '#000000' }),
    ])
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409])
    expect(await tagRows(team.id)).toHaveLength(1)
    const { rows } = await t.database.sql.query(
      `select 1 from activity where action = 'tag.created' and team_id = $1`,
      [team.id],
    )
    expect(rows).toHaveLength(1)
  })

  it.each([
    ['owner', 201],
    ['admin', 201],
    ['member', 403],
    ['viewer', 403],
    ['globalAdmin', 403],
  ] as const)('as %s answers %i', async (who, status) => {
    const cast = await given.teamWithRoles(t.app)
    const res = await post('/api/v1/tags', cast[who].auth, { teamId: cast.team.id, name: 'x', color: '#123456' })
    expect(res.statusCode).toBe(status)
    expect(await tagRows(cast.team.id)).toHaveLength(status === 201 ? 1 : 0)
  })

  it('answers 400 naming body.teamId for a team the caller cannot see', async () => {
    const cast = await given.teamWithRoles(t.app)
    const res = await post('/api/v1/tags', cast.outsider.auth, { teamId: cast.team.id, name: 'x', color: '#123456' })
    expect(res.statusCode).toBe(400)
    expect(res.json().errors).toEqual([{ path: 'body.teamId', message: expect.any(String) }])
    expect(await tagRows(cast.team.id)).toHaveLength(0)
  })

  it.each([
    [{ name: 'a', color: 'red' }, 'body.color'],
    [{ name: 'a', color: '#12345' }, 'body.color'],
    [{ name: 'a', color: '#1234567' }, 'body.color'],
    [{ name: 'a' }, 'body.color'],
    [{ name: '', color: '#123456' }, 'body.name'],
    [{ name: 'x'.repeat(51), color: '#123456' }, 'body.name'],
    [{ name: 'a', color: '#123456', version: 3 }, 'body'],
  ])('rejects %j with 400 naming %s', async (payload, path) => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const res = await post('/api/v1/tags', owner.auth, { teamId: team.id, ...payload })
    expect(res.statusCode).toBe(400)
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path)
    expect(await tagRows(team.id)).toHaveLength(0)
  })
})

describe('GET /tags', () => {
  it("lists a team's tags by name to any member and a global admin; 404 for an outsider; teamId required", async () => {
    const cast = await given.teamWithRoles(t.app)
    for (const name of ['zeta', 'alpha', 'Mid']) await given.tag(t.app, cast.team, cast.owner, { name })
    await given.tag(t.app, cast.outsiderTeam, cast.outsider, { name: 'secret' })
    for (const who of ['owner', 'admin', 'member', 'viewer', 'globalAdmin'] as const) {
      const res = await get(`/api/v1/tags?teamId=${cast.team.id}`, cast[who].auth)
      expect(res.statusCode, who).toBe(200)
      expect(
        res
          .json()
          .items.map((i: { name: string }) => i.name)
          .sort(),
      ).toEqual(['Mid', 'alpha', 'zeta'])
    }
    expect((await get(`/api/v1/tags?teamId=${cast.team.id}`, cast.outsider.auth)).statusCode).toBe(404)
    const missing = await get('/api/v1/tags', cast.owner.auth)
    expect(missing.statusCode).toBe(400)
    expect(missing.json().errors[0].path).toBe('query.teamId')
  })

  it('walks pages with limit and cursor, each tag once', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    for (const name of ['a', 'b', 'c', 'd', 'e']) await given.tag(t.app, team, owner, { name })
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const res = await get(`/api/v1/tags?teamId=${team.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, owner.auth)
      seen.push(...res.json().items.map((i: { name: string }) => i.name))
      cursor = res.json().nextCursor
    } while (cursor)
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e'])
  })
})

describe('GET /tags/:id', () => {
  it('answers members (304 on If-None-Match) and 404 for an outsider', async () => {
    const cast = await given.teamWithRoles(t.app)
    const tag = await given.tag(t.app, cast.team, cast.owner)
    expect((await get(`/api/v1/tags/${tag.id}`, cast.viewer.auth)).json()).toEqual(tag)
    expect((await get(`/api/v1/tags/${tag.id}`, { ...cast.viewer.auth, 'if-none-match': '"1"' })).statusCode).toBe(304)
    expect((await get(`/api/v1/tags/${tag.id}`, cast.outsider.auth)).statusCode).toBe(404)
  })
})

describe('PATCH /tags/:id', () => {
  it.each([
    ['owner', 200],
    ['admin', 200],
    ['member', 403],
    ['viewer', 403],
    ['globalAdmin', 403],
    ['outsider', 404],
  ] as const)('as %s answers %i', async (who, status) => {
    const cast = await given.teamWithRoles(t.app)
    const tag = await given.tag(t.app, cast.team, cast.owner, { name: 'old', color: '#000000' })
    const res = await patch(`/api/v1/tags/${tag.id}`, cast[who].auth, { color: '#ABCDEF' })
    expect(res.statusCode).toBe(status)
    expect((await tagRows(cast.team.id))[0]!.color).toBe(status === 200 ? '#abcdef' : '#000000')
    const updates = (await activityOf(t.app, tag.id)).filter((a) => a.action === 'tag.updated')
    expect(updates).toEqual(
      status === 200 ? [expect.objectContaining({ changes: { color: { from: '#000000', to: '#abcdef' } } })] : [],
    )
  })

  it('renames (a case-only rename is allowed), 409 on a clash, 412 on a stale If-Match', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const tag = await given.tag(t.app, team, owner, { name: 'bug' })
    await given.tag(t.app, team, owner, { name: 'feature' })
    const recased = await patch(`/api/v1/tags/${tag.id}`, owner.auth, { name: 'Bug' })
    expect(recased.statusCode).toBe(200)
    expect(recased.json()).toMatchObject({ name: 'Bug', version: 2 })
    expect((await patch(`/api/v1/tags/${tag.id}`, owner.auth, { name: 'FEATURE' })).statusCode).toBe(409)
    const stale = await patch(`/api/v1/tags/${tag.id}`, { ...owner.auth, 'if-match': '"1"' }, { name: 'Defect' })
    expect(stale.statusCode).toBe(412)
    expect((await tagRows(team.id)).map((r) => r.name)).toEqual(['Bug', 'feature'])
    expect((await patch(`/api/v1/tags/${tag.id}`, owner.auth, { color: null })).statusCode).toBe(400)
    expect((await patch(`/api/v1/tags/${tag.id}`, owner.auth, { teamId: team.id })).statusCode).toBe(400)
  })
})

describe('DELETE /tags/:id', () => {
  it.each([
    ['owner', 204],
    ['admin', 204],
    ['member', 403],
    ['viewer', 403],
    ['globalAdmin', 403],
    ['outsider', 404],
  ] as const)('as %s answers %i', async (who, status) => {
    const cast = await given.teamWithRoles(t.app)
    const tag = await given.tag(t.app, cast.team, cast.owner)
    const res = await del(`/api/v1/tags/${tag.id}`, cast[who].auth)
    expect(res.statusCode).toBe(status)
    expect(await tagRows(cast.team.id)).toHaveLength(status === 204 ? 0 : 1)
    const deleted = (await activityOf(t.app, tag.id)).filter((a) => a.action === 'tag.deleted')
    expect(deleted).toHaveLength(status === 204 ? 1 : 0)
  })

  it('answers 412 on a stale If-Match, then 204, then 404', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const tag = await given.tag(t.app, team, owner)
    await patch(`/api/v1/tags/${tag.id}`, owner.auth, { color: '#000001' })
    expect((await del(`/api/v1/tags/${tag.id}`, { ...owner.auth, 'if-match': '"1"' })).statusCode).toBe(412)
    expect((await del(`/api/v1/tags/${tag.id}`, { ...owner.auth, 'if-match': '"2"' })).statusCode).toBe(204)
    expect((await del(`/api/v1/tags/${tag.id}`, owner.auth)).statusCode).toBe(404)
  })
})

describe('personal access token scopes on tags', () => {
  it('tags need tasks:* scopes: a tasks:read token reads but cannot create', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const token = await given.token(t.app, owner, ['tasks:read', 'teams:write', 'projects:write'])
    expect((await get(`/api/v1/tags?teamId=${team.id}`, bearer(token))).statusCode).toBe(200)
    const res = await post('/api/v1/tags', bearer(token), { teamId: team.id, name: 'tok', color: '#123456' })
    expect(res.statusCode).toBe(403)
    expect(await tagRows(team.id)).toHaveLength(0)
  })
})
