import { describe, expect, it } from 'vitest'
import { activityOf } from '../../../test/activity.ts'
import { useTestApp } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'
import { bearer, http } from '../../../test/http.ts'

const t = useTestApp()

const { get, post, patch, del } = http(t)

async function projectRow(id: string) {
  const { rows } = await t.database.sql.query<{ name: string; description: string | null; archived: boolean }>(
    'select name, description, archived from projects where id = $1',
    [id],
  )
  return rows[0]
}
const projectsNamed = async (name: string) =>
  (await t.database.sql.query('select 1 from projects where name = $1', [name])).rows.length

describe('POST /projects', () => {
  it('creates a project: 201, Location, ETag, the project shape and project.created', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const res = await post('/api/v1/projects', owner.auth, { teamId: team.id, name: ' Launch ', description: 'Q4' })
    expect(res.statusCode, res.body).toBe(201)
    const project = res.json()
    expect(project).toEqual({
      id: expect.any(String),
      teamId: team.id,
      name: 'Launch',
      description: 'Q4',
      archived: false,
      createdAt: expect.any(String),
      updatedAt: project.createdAt,
      version: 1,
    })
    expect(res.headers.location).toBe(`/api/v1/projects/${project.id}`)
    expect(res.headers.etag).toBe('"1"')
    expect(await activityOf(t.app, project.id)).toEqual([
      {
        action: 'project.created',
        actor_id: owner.id,
        team_id: team.id,
        project_id: project.id,
        changes: { name: { from: null, to: 'Launch' }, description: { from: null, to: 'Q4' } },
      },
    ])
  })

  it.each([
    ['owner', 201],
    ['admin', 201],
    ['member', 403],
    ['viewer', 403],
    ['globalAdmin', 403],
  ] as const)('as %s answers %i', async (who, status) => {
    const cast = await given.teamWithRoles(t.app)
    const name = `by-${who}-${cast.team.id}`
    const res = await post('/api/v1/projects', cast[who].auth, { teamId: cast.team.id, name })
    expect(res.statusCode).toBe(status)
    expect(await projectsNamed(name)).toBe(status === 201 ? 1 : 0)
  })

  it('answers 400 naming body.teamId for a team the caller cannot see or that does not exist', async () => {
    const cast = await given.teamWithRoles(t.app)
    for (const teamId of [cast.team.id, '01900000-0000-7000-8000-000000000000']) {
      const res = await post('/api/v1/projects', cast.outsider.auth, { teamId, name: 'Intrusion' })
      expect(res.statusCode).toBe(400)
      expect(res.json().errors).toEqual([{ path: 'body.teamId', message: expect.any(String) }])
    }
    expect(await projectsNamed('Intrusion')).toBe(0)
  })

  it.each([
    [{ name: 'No team' }, 'body.teamId'],
    [{ teamId: 'x', name: 'Bad team' }, 'body.teamId'],
    [{ teamId: '01900000-0000-7000-8000-000000000000' }, 'body.name'],
    [{ teamId: '01900000-0000-7000-8000-000000000000', name: 'x'.repeat(201) }, 'body.name'],
    [
      { teamId: '01900000-0000-7000-8000-000000000000', name: 'ok', description: 'x'.repeat(10_001) },
      'body.description',
    ],
  ])('rejects %j with 400 naming %s', async (payload, path) => {
    const owner = await given.user(t.app)
    const res = await post('/api/v1/projects', owner.auth, payload)
    expect(res.statusCode).toBe(400)
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path)
  })

  it('rejects unknown fields such as archived or version', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const res = await post('/api/v1/projects', owner.auth, { teamId: team.id, name: 'Mass', version: 9 })
    expect(res.statusCode).toBe(400)
    expect(await projectsNamed('Mass')).toBe(0)
  })

  it('replays an Idempotency-Key and creates one project', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const headers = { ...owner.auth, 'idempotency-key': `p-${team.id}` }
    const name = `idem-${team.id}`
    const [a, b] = await Promise.all([
      post('/api/v1/projects', headers, { teamId: team.id, name }),
      post('/api/v1/projects', headers, { teamId: team.id, name }),
    ])
    expect(a.json().id).toBe(b.json().id)
    expect(await projectsNamed(name)).toBe(1)
  })
})

describe('GET /projects', () => {
  it("lists the projects of the caller's teams, the Inbox included, never another team's", async () => {
    const cast = await given.teamWithRoles(t.app)
    const mine = await given.project(t.app, cast.team, cast.owner, { name: 'Mine' })
    const theirs = await given.project(t.app, cast.outsiderTeam, cast.outsider)
    const names = (await get('/api/v1/projects', cast.viewer.auth)).json().items.map((p: { name: string }) => p.name)
    expect(names).toEqual(['Inbox', 'Mine'])
    const ids = (await get('/api/v1/projects?limit=100', cast.owner.auth)).json().items.map((p: { id: string }) => p.id)
    expect(ids).toContain(mine.id)
    expect(ids).not.toContain(theirs.id)
  })

  it('filters by teamId (404 for a team the caller cannot see) and by archived', async () => {
    const cast = await given.teamWithRoles(t.app)
    const active = await given.project(t.app, cast.team, cast.owner, { name: 'Active' })
    const old = await given.project(t.app, cast.team, cast.owner, { name: 'Old' })
    await patch(`/api/v1/projects/${old.id}`, cast.owner.auth, { archived: true })
    const all = await get(`/api/v1/projects?teamId=${cast.team.id}`, cast.member.auth)
    expect(all.json().items.map((p: { id: string }) => p.id)).toEqual([active.id, old.id])
    const onlyActive = await get(`/api/v1/projects?teamId=${cast.team.id}&archived=false`, cast.member.auth)
    expect(onlyActive.json().items.map((p: { id: string }) => p.id)).toEqual([active.id])
    const onlyArchived = await get(`/api/v1/projects?teamId=${cast.team.id}&archived=true`, cast.member.auth)
    expect(onlyArchived.json().items.map((p: { id: string }) => p.id)).toEqual([old.id])
    expect((await get(`/api/v1/projects?teamId=${cast.team.id}`, cast.outsider.auth)).statusCode).toBe(404)
    expect((await get(`/api/v1/projects?teamId=${cast.team.id}`, cast.globalAdmin.auth)).statusCode).toBe(200)
    expect((await get('/api/v1/projects?archived=maybe', cast.member.auth)).json().errors[0].path).toBe(
      'query.archived',
    )
  })

  it('walks pages with limit and cursor', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    for (const name of ['P1', 'P2', 'P3']) await given.project(t.app, team, owner, { name })
    const first = (await get(`/api/v1/projects?teamId=${team.id}&limit=2`, owner.auth)).json()
    const second = (
      await get(`/api/v1/projects?teamId=${team.id}&limit=2&cursor=${first.nextCursor}`, owner.auth)
    ).json()
    expect([...first.items, ...second.items].map((p: { name: string }) => p.name)).toEqual(['P1', 'P2', 'P3'])
    expect(second.nextCursor).toBeNull()
  })
})

describe('GET /projects/:id', () => {
  it('answers every member and a global admin; 404 for an outsider; 304 on If-None-Match', async () => {
    const cast = await given.teamWithRoles(t.app)
    const project = await given.project(t.app, cast.team, cast.owner)
    for (const who of ['owner', 'admin', 'member', 'viewer', 'globalAdmin'] as const) {
      const res = await get(`/api/v1/projects/${project.id}`, cast[who].auth)
      expect(res.statusCode, who).toBe(200)
      expect(res.json()).toEqual(project)
    }
    expect((await get(`/api/v1/projects/${project.id}`, cast.outsider.auth)).statusCode).toBe(404)
    const cached = await get(`/api/v1/projects/${project.id}`, { ...cast.viewer.auth, 'if-none-match': '"1"' })
    expect(cached.statusCode).toBe(304)
  })
})

describe('PATCH /projects/:id', () => {
  it.each([
    ['owner', 200],
    ['admin', 200],
    ['member', 403],
    ['viewer', 403],
    ['globalAdmin', 403],
    ['outsider', 404],
  ] as const)('as %s answers %i', async (who, status) => {
    const cast = await given.teamWithRoles(t.app)
    const project = await given.project(t.app, cast.team, cast.owner, { name: 'Before' })
    const res = await patch(`/api/v1/projects/${project.id}`, cast[who].auth, { name: 'After' })
    expect(res.statusCode).toBe(status)
    expect((await projectRow(project.id))!.name).toBe(status === 200 ? 'After' : 'Before')
    expect((await activityOf(t.app, project.id)).map((a) => a.action)).toEqual(
      status === 200 ? ['project.created', 'project.updated'] : ['project.created'],
    )
  })

  it('follows JSON Merge Patch: a missing field stays, null clears the description', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const project = await given.project(t.app, team, owner, { name: 'Doc', description: 'Keep me' })
    const renamed = await patch(`/api/v1/projects/${project.id}`, owner.auth, { name: 'Docs' })
    expect(renamed.json()).toMatchObject({ name: 'Docs', description: 'Keep me', version: 2 })
    const cleared = await patch(`/api/v1/projects/${project.id}`, owner.auth, { description: null })
    expect(cleared.json()).toMatchObject({ name: 'Docs', description: null, version: 3 })
    expect(cleared.headers.etag).toBe('"3"')
    const log = await activityOf(t.app, project.id)
    expect(log.at(-1)!.changes).toEqual({ description: { from: 'Keep me', to: null } })
    expect((await patch(`/api/v1/projects/${project.id}`, owner.auth, { name: null })).statusCode).toBe(400)
    expect((await patch(`/api/v1/projects/${project.id}`, owner.auth, { teamId: team.id })).statusCode).toBe(400)
  })

  it('archives (project.archived) and unarchives; an archived project stays readable', async () => {
    const cast = await given.teamWithRoles(t.app)
    const project = await given.project(t.app, cast.team, cast.owner)
    const archived = await patch(`/api/v1/projects/${project.id}`, cast.admin.auth, { archived: true })
    expect(archived.json().archived).toBe(true)
    const read = await get(`/api/v1/projects/${project.id}`, cast.viewer.auth)
    expect(read.statusCode).toBe(200)
    expect(read.json().archived).toBe(true)
    await patch(`/api/v1/projects/${project.id}`, cast.admin.auth, { archived: false })
    const log = await activityOf(t.app, project.id)
    expect(log.map((a) => [a.action, a.changes])).toEqual([
      ['project.created', expect.any(Object)],
      ['project.archived', { archived: { from: false, to: true } }],
      ['project.updated', { archived: { from: true, to: false } }],
    ])
  })

  it('honours If-Match: one of two concurrent updates with the same ETag wins, the other gets 412', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const project = await given.project(t.app, team, owner)
    const headers = { ...owner.auth, 'if-match': '"1"' }
    const results = await Promise.all([
      patch(`/api/v1/projects/${project.id}`, headers, { name: 'Left' }),
      patch(`/api/v1/projects/${project.id}`, headers, { name: 'Right' }),
    ])
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 412])
    expect((await activityOf(t.app, project.id)).filter((a) => a.action === 'project.updated')).toHaveLength(1)
  })
})

describe('DELETE /projects/:id', () => {
  it.each([
    ['owner', 204],
    ['admin', 204],
    ['member', 403],
    ['viewer', 403],
    ['globalAdmin', 403],
    ['outsider', 404],
  ] as const)('as %s answers %i', async (who, status) => {
    const cast = await given.teamWithRoles(t.app)
    const project = await given.project(t.app, cast.team, cast.owner)
    const res = await del(`/api/v1/projects/${project.id}`, cast[who].auth)
    expect(res.statusCode).toBe(status)
    expect(await projectRow(project.id)).toEqual(status === 204 ? undefined : expect.any(Object))
    const deleted = (await activityOf(t.app, project.id)).filter((a) => a.action === 'project.deleted')
    expect(deleted).toHaveLength(status === 204 ? 1 : 0)
  })

  it('answers 412 for a stale If-Match and 404 once deleted', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const project = await given.project(t.app, team, owner)
    await patch(`/api/v1/projects/${project.id}`, owner.auth, { name: 'v2' })
    expect((await del(`/api/v1/projects/${project.id}`, { ...owner.auth, 'if-match': '"1"' })).statusCode).toBe(412)
    expect(await projectRow(project.id)).toBeDefined()
    expect((await del(`/api/v1/projects/${project.id}`, { ...owner.auth, 'if-match': '"2"' })).statusCode).toBe(204)
    expect((await del(`/api/v1/projects/${project.id}`, owner.auth)).statusCode).toBe(404)
    expect((await get(`/api/v1/projects/${project.id}`, owner.auth)).statusCode).toBe(404)
  })
})

describe('personal access token scopes on projects', () => {
  it('a projects:read token reads but cannot create; teams:write does not grant projects:write', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const readToken = await given.token(t.app, owner, ['projects:read', 'teams:write'])
    expect((await get(`/api/v1/projects?teamId=${team.id}`, bearer(readToken))).statusCode).toBe(200)
    const res = await post('/api/v1/projects', bearer(readToken), { teamId: team.id, name: 'Tokened' })
    expect(res.statusCode).toBe(403)
    expect(await projectsNamed('Tokened')).toBe(0)
    const writeToken = await given.token(t.app, owner, ['projects:write'])
    expect((await post('/api/v1/projects', bearer(writeToken), { teamId: team.id, name: 'Tokened' })).statusCode).toBe(
      201,
    )
  })
})

describe("a personal team's Inbox", () => {
  it('cannot be deleted, renamed or archived (409), but its description can change', async () => {
    const user = await given.user(t.app)
    const [inbox] = (await get('/api/v1/projects', user.auth)).json().items
    expect(inbox.name).toBe('Inbox')
    const url = `/api/v1/projects/${inbox.id}`
    expect((await del(url, user.auth)).statusCode).toBe(409)
    expect((await patch(url, user.auth, { name: 'Elsewhere' })).statusCode).toBe(409)
    expect((await patch(url, user.auth, { archived: true })).statusCode).toBe(409)
    expect(await projectRow(inbox.id)).toEqual({ name: 'Inbox', description: null, archived: false })
    expect((await activityOf(t.app, inbox.id)).map((a) => a.action)).toEqual(['project.created'])
    expect((await patch(url, user.auth, { description: 'Everything lands here' })).statusCode).toBe(200)
  })

  it('is only special in a personal team: a team project named Inbox is an ordinary project', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const project = await given.project(t.app, team, owner, { name: 'Inbox' })
    expect((await del(`/api/v1/projects/${project.id}`, owner.auth)).statusCode).toBe(204)
  })
})
