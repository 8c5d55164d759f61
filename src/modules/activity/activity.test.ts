import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'
import { bearer, http } from '../../../test/http.ts'
import { newId } from '../../lib/ids.ts'

const t = useTestApp()

type Headers = Record<string, string>
type Entry = { id: number; action: string; entityId: string; actor: { id: string; name: string } | null }
const { get, patch } = http(t)
const actions = (items: Entry[]) => items.map((i) => i.action)

/** Every entry a list answers, walking all its pages. */
async function walk(url: string, headers: Headers, limit = 100): Promise<Entry[]> {
  const items: Entry[] = []
  let cursor: string | null = null
  do {
    const sep = url.includes('?') ? '&' : '?'
    const res = await get(`${url}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, headers)
    expect(res.statusCode, res.body).toBe(200)
    items.push(...res.json().items)
    cursor = res.json().nextCursor
  } while (cursor)
  return items
}

/** A task row straight in the database (the tasks module tests its own routes), with its activity entry. */
async function insertTask(teamId: string, projectId: string, actorId: string | null) {
  const id = newId()
  await t.database.sql.query(
    'insert into tasks (id, team_id, project_id, title, position) values ($1, $2, $3, $4, 1)',
    [id, teamId, projectId, 'A task'],
  )
  await t.database.sql.query(
    `insert into activity (actor_id, action, entity_type, entity_id, team_id, project_id, task_id, changes)
     values ($1, 'task.created', 'task', $2, $3, $4, $2, '{"title":{"from":null,"to":"A task"}}')`,
    [actorId, id, teamId, projectId],
  )
  return id
}

describe('GET /activity?teamId=', () => {
  it("lists every change to a team's workspace, newest first, with the actor and old → new values", async () => {
    const owner = await given.user(t.app, { name: 'Olga' })
    const team = await given.team(t.app, owner, { name: 'Ops' })
    await patch(`/api/v1/teams/${team.id}`, owner.auth, { name: 'SRE' })
    const project = await given.project(t.app, team, owner, { name: 'Pager' })
    await patch(`/api/v1/projects/${project.id}`, owner.auth, { archived: true })
    const tag = await given.tag(t.app, team, owner, { name: 'p1', color: '#ff0000' })
    await t.app.inject({ method: 'DELETE', url: `/api/v1/tags/${tag.id}`, headers: owner.auth })
    const res = await get(`/api/v1/activity?teamId=${team.id}`, owner.auth)
    expect(res.statusCode).toBe(200)
    const { items, nextCursor } = res.json()
    expect(nextCursor).toBeNull()
    expect(actions(items)).toEqual([
      'tag.deleted',
      'tag.created',
      'project.archived',
      'project.created',
      'team.updated',
      'team.created',
    ])
    const ids = items.map((i: Entry) => i.id)
    expect(ids).toEqual([...ids].sort((a, b) => b - a))
    expect(items[4]).toEqual({
      id: expect.any(Number),
      action: 'team.updated',
      actor: { id: owner.id, name: 'Olga' },
      entityType: 'team',
      entityId: team.id,
      teamId: team.id,
      projectId: null,
      taskId: null,
      changes: { name: { from: 'Ops', to: 'SRE' } },
      createdAt: expect.any(String),
    })
    expect(items[2]).toMatchObject({
      entityType: 'project',
      entityId: project.id,
      projectId: project.id,
      changes: { archived: { from: false, to: true } },
    })
  })

  it('answers 404 for a team the caller cannot see, 200 to any member and a global admin', async () => {
    const cast = await given.teamWithRoles(t.app)
    for (const who of ['owner', 'admin', 'member', 'viewer', 'globalAdmin'] as const) {
      expect((await get(`/api/v1/activity?teamId=${cast.team.id}`, cast[who].auth)).statusCode, who).toBe(200)
    }
    expect((await get(`/api/v1/activity?teamId=${cast.team.id}`, cast.outsider.auth)).statusCode).toBe(404)
    expect((await get(`/api/v1/activity?teamId=${newId()}`, cast.owner.auth)).statusCode).toBe(404)
  })

  it('records member changes, and a removed member stops seeing the team', async () => {
    const cast = await given.teamWithRoles(t.app)
    await patch(`/api/v1/teams/${cast.team.id}/members/${cast.member.id}`, cast.owner.auth, { role: 'admin' })
    const items = await walk(`/api/v1/activity?teamId=${cast.team.id}`, cast.viewer.auth)
    expect(actions(items)).toEqual([
      'member.role_changed',
      'member.added',
      'member.added',
      'member.added',
      'team.created',
    ])
    expect(items[0]).toMatchObject({ entityType: 'member', entityId: cast.member.id, actor: { id: cast.owner.id } })
    await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/teams/${cast.team.id}/members/${cast.viewer.id}`,
      headers: cast.viewer.auth,
    })
    expect((await get(`/api/v1/activity?teamId=${cast.team.id}`, cast.viewer.auth)).statusCode).toBe(404)
    const own = await walk('/api/v1/activity', cast.viewer.auth)
    expect(own.every((e) => e.entityId !== cast.team.id)).toBe(true)
  })
})

describe('GET /activity without a filter', () => {
  it("shows everything the caller can see and nothing of another team's; a global admin sees both", async () => {
    const cast = await given.teamWithRoles(t.app)
    const secret = await given.project(t.app, cast.outsiderTeam, cast.outsider, { name: 'Secret' })
    const mine = await given.project(t.app, cast.team, cast.owner, { name: 'Visible' })
    const seenByMember = (await walk('/api/v1/activity', cast.member.auth)).map((e) => e.entityId)
    expect(seenByMember).toContain(mine.id)
    expect(seenByMember).toContain(cast.team.id)
    expect(seenByMember).not.toContain(secret.id)
    expect(seenByMember).not.toContain(cast.outsiderTeam.id)
    const seenByAdmin = (await walk('/api/v1/activity', cast.globalAdmin.auth)).map((e) => e.entityId)
    expect(seenByAdmin).toEqual(expect.arrayContaining([mine.id, secret.id]))
  })

  it('walks pages newest first, each entry once, with a fixed number of queries per page (no N+1)', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    for (let i = 0; i < 6; i++) await patch(`/api/v1/teams/${team.id}`, owner.auth, { name: `Name ${i}` })
    const all = await walk(`/api/v1/activity?teamId=${team.id}`, owner.auth, 3)
    expect(all).toHaveLength(7)
    expect(new Set(all.map((e) => e.id)).size).toBe(7)
    const count = async (limit: number) => {
      t.queries.length = 0
      await get(`/api/v1/activity?teamId=${team.id}&limit=${limit}`, owner.auth)
      return t.queries.length
    }
    expect(await count(7)).toBe(await count(1))
  })

  it.each(['limit=0', 'limit=101', 'cursor=bogus', `cursor=${Buffer.from('["x"]').toString('base64url')}`, 'teamId=x'])(
    'rejects %s with 400',
    async (q) => {
      const user = await given.user(t.app)
      const res = await get(`/api/v1/activity?${q}`, user.auth)
      expect(res.statusCode).toBe(400)
      expect(res.json().errors[0].path).toBe(`query.${q.split('=')[0]}`)
    },
  )
})

describe('GET /activity?projectId= and ?taskId=', () => {
  it("narrows to one project's or one task's entries; 404 when invisible", async () => {
    const cast = await given.teamWithRoles(t.app)
    const a = await given.project(t.app, cast.team, cast.owner, { name: 'A' })
    const b = await given.project(t.app, cast.team, cast.owner, { name: 'B' })
    await patch(`/api/v1/projects/${a.id}`, cast.admin.auth, { description: 'About A' })
    const taskId = await insertTask(cast.team.id, b.id, cast.member.id)
    const ofA = await walk(`/api/v1/activity?projectId=${a.id}`, cast.viewer.auth)
    expect(actions(ofA)).toEqual(['project.updated', 'project.created'])
    expect(ofA[0]!.actor).toEqual({ id: cast.admin.id, name: 'A admin' })
    const ofB = await walk(`/api/v1/activity?projectId=${b.id}`, cast.viewer.auth)
    expect(actions(ofB)).toEqual(['task.created', 'project.created'])
    const ofTask = await walk(`/api/v1/activity?taskId=${taskId}`, cast.viewer.auth)
    expect(ofTask).toEqual([expect.objectContaining({ action: 'task.created', entityId: taskId, projectId: b.id })])
    const both = await walk(`/api/v1/activity?projectId=${a.id}&taskId=${taskId}`, cast.viewer.auth)
    expect(both).toEqual([])
    for (const q of [`projectId=${a.id}`, `taskId=${taskId}`, `projectId=${newId()}`, `taskId=${newId()}`]) {
      expect((await get(`/api/v1/activity?${q}`, cast.outsider.auth)).statusCode, q).toBe(404)
    }
    expect((await get(`/api/v1/activity?taskId=${taskId}`, cast.globalAdmin.auth)).statusCode).toBe(200)
  })

  it('gives actor null for an entry without an actor', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const project = await given.project(t.app, team, owner)
    const taskId = await insertTask(team.id, project.id, null)
    const [entry] = await walk(`/api/v1/activity?taskId=${taskId}`, owner.auth)
    expect(entry!.actor).toBeNull()
  })
})

describe('activity and token scopes', () => {
  it('needs tasks:read', async () => {
    const user = await given.user(t.app)
    expect((await get('/api/v1/activity', bearer(await given.token(t.app, user, ['tasks:read'])))).statusCode).toBe(200)
    expect((await get('/api/v1/activity', bearer(await given.token(t.app, user, ['teams:read'])))).statusCode).toBe(403)
  })
})

describe('activity is written in the transaction of the change', () => {
  it('rolls the change back when its activity entry cannot be written', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner, { name: 'Stable' })
    const tag = await given.tag(t.app, team, owner)
    const newcomer = await given.user(t.app)
    // make the log refuse these actions, so each write fails after its own change was made
    await t.database.sql.exec(
      `alter table activity add constraint refuse_some check (action not in ('team.updated', 'project.created', 'member.added', 'tag.deleted')) not valid`,
    )
    try {
      const writes = [
        t.app.inject({
          method: 'PATCH',
          url: `/api/v1/teams/${team.id}`,
          headers: owner.auth,
          payload: { name: 'Moved' },
        }),
        t.app.inject({
          method: 'POST',
          url: '/api/v1/projects',
          headers: owner.auth,
          payload: { teamId: team.id, name: 'Orphan' },
        }),
        t.app.inject({
          method: 'POST',
          url: `/api/v1/teams/${team.id}/members`,
          headers: owner.auth,
          payload: { userId: newcomer.id, role: 'member' },
        }),
        t.app.inject({ method: 'DELETE', url: `/api/v1/tags/${tag.id}`, headers: owner.auth }),
      ]
      for (const res of await Promise.all(writes)) expect(res.statusCode).toBe(500)
    } finally {
      await t.database.sql.exec('alter table activity drop constraint refuse_some')
    }
    const q = async (sql: string) => (await t.database.sql.query(sql, [team.id])).rows
    expect(await q('select name, version from teams where id = $1')).toEqual([{ name: 'Stable', version: 1 }])
    expect(await q('select 1 from projects where team_id = $1')).toEqual([])
    expect(await q('select user_id from team_members where team_id = $1')).toEqual([{ user_id: owner.id }])
    expect(await q('select 1 from tags where team_id = $1')).toHaveLength(1)
  })
})
