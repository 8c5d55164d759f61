import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { type GivenUser, given, type Task, type TaskWorld } from '../../../test/given.ts'
import { bearer } from '../../../test/http.ts'
import { walkTasks } from '../../../test/tasks.ts'

const t = useTestApp()

type Role = 'owner' | 'admin' | 'member' | 'viewer' | 'outsider' | 'globalAdmin'
const ROLES: Role[] = ['owner', 'admin', 'member', 'viewer', 'outsider', 'globalAdmin']

let w: TaskWorld
let task: Task
let commentId: string
beforeAll(async () => {
  w = await given.taskWorld(t.app)
  task = await given.task(t.app, w.member, {
    projectId: w.project.id,
    title: 'Secret zanzibar plan',
    assigneeId: w.member.id,
    tagIds: [w.tag.id],
  })
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/tasks/${task.id}/comments`,
    headers: w.member.auth,
    payload: { body: 'A comment' },
  })
  commentId = res.json().id
})

const as = (role: Role): GivenUser => w[role]
const call = (role: Role, method: string, url: string, payload?: Record<string, unknown>) =>
  t.app.inject({ method: method as 'GET', url, headers: as(role).auth, ...(payload ? { payload } : {}) })

describe('role matrix', () => {
  const expectations: [string, (role: Role) => Promise<number>, Record<Role, number>][] = [
    [
      'GET /tasks/:id',
      async (role) => (await call(role, 'GET', `/api/v1/tasks/${task.id}`)).statusCode,
      { owner: 200, admin: 200, member: 200, viewer: 200, outsider: 404, globalAdmin: 200 },
    ],
    [
      'GET /tasks?teamId=',
      async (role) => (await call(role, 'GET', `/api/v1/tasks?teamId=${w.team.id}`)).statusCode,
      { owner: 200, admin: 200, member: 200, viewer: 200, outsider: 404, globalAdmin: 200 },
    ],
    [
      'GET /tasks?projectId=',
      async (role) => (await call(role, 'GET', `/api/v1/tasks?projectId=${w.project.id}`)).statusCode,
      { owner: 200, admin: 200, member: 200, viewer: 200, outsider: 404, globalAdmin: 200 },
    ],
    [
      'POST /tasks',
      async (role) => (await call(role, 'POST', '/api/v1/tasks', { projectId: w.project.id, title: role })).statusCode,
      { owner: 201, admin: 201, member: 201, viewer: 403, outsider: 400, globalAdmin: 403 },
    ],
    [
      'PATCH /tasks/:id',
      async (role) => (await call(role, 'PATCH', `/api/v1/tasks/${task.id}`, { description: role })).statusCode,
      { owner: 200, admin: 200, member: 200, viewer: 403, outsider: 404, globalAdmin: 403 },
    ],
    [
      'PATCH /tasks/:id/status',
      async (role) => (await call(role, 'PATCH', `/api/v1/tasks/${task.id}/status`, { status: 'todo' })).statusCode,
      { owner: 200, admin: 200, member: 200, viewer: 403, outsider: 404, globalAdmin: 403 },
    ],
    [
      'DELETE /tasks/:id',
      async (role) => {
        const victim = await given.task(t.app, w.member, { projectId: w.project.id })
        return (await call(role, 'DELETE', `/api/v1/tasks/${victim.id}`)).statusCode
      },
      { owner: 204, admin: 204, member: 204, viewer: 403, outsider: 404, globalAdmin: 403 },
    ],
    [
      'GET /tasks/:id/comments',
      async (role) => (await call(role, 'GET', `/api/v1/tasks/${task.id}/comments`)).statusCode,
      { owner: 200, admin: 200, member: 200, viewer: 200, outsider: 404, globalAdmin: 200 },
    ],
    [
      'POST /tasks/:id/comments',
      async (role) => (await call(role, 'POST', `/api/v1/tasks/${task.id}/comments`, { body: role })).statusCode,
      { owner: 201, admin: 201, member: 201, viewer: 403, outsider: 404, globalAdmin: 403 },
    ],
    [
      'GET /comments/:id',
      async (role) => (await call(role, 'GET', `/api/v1/comments/${commentId}`)).statusCode,
      { owner: 200, admin: 200, member: 200, viewer: 200, outsider: 404, globalAdmin: 200 },
    ],
    [
      'PATCH /comments/:id (the member wrote it)',
      async (role) => (await call(role, 'PATCH', `/api/v1/comments/${commentId}`, { body: `by ${role}` })).statusCode,
      { owner: 403, admin: 403, member: 200, viewer: 403, outsider: 404, globalAdmin: 403 },
    ],
    [
      'DELETE /comments/:id (the member wrote it)',
      async (role) => {
        const res = await call('member', 'POST', `/api/v1/tasks/${task.id}/comments`, { body: 'to delete' })
        return (await call(role, 'DELETE', `/api/v1/comments/${res.json().id}`)).statusCode
      },
      { owner: 204, admin: 204, member: 204, viewer: 403, outsider: 404, globalAdmin: 403 },
    ],
  ]

  it.each(expectations)('%s', async (_, run, expected) => {
    const actual: Record<string, number> = {}
    for (const role of ROLES) actual[role] = await run(role)
    expect(actual).toEqual(expected)
  })
})

describe('no leaks in lists', () => {
  it('an outsider finds none of the team’s tasks by any filter', async () => {
    const queries = ['', 'q=zanzibar', `tag=${w.tag.id}`, `assigneeId=${w.member.id}`, 'sort=dueAt', 'overdue=false']
    for (const query of queries) {
      const list = await walkTasks(t.app, w.outsider, query)
      expect(
        list.filter((x) => x.teamId === w.team.id),
        query,
      ).toEqual([])
    }
    // a parent the caller cannot see is itself not found (API.md), as an unknown id would be
    const byParent = await t.app.inject({ url: `/api/v1/tasks?parentId=${task.id}`, headers: w.outsider.auth })
    expect(byParent.statusCode).toBe(404)
  })

  it('a member sees the team’s tasks and their own Inbox, nothing of other teams', async () => {
    const theirs = await given.task(t.app, w.outsider, { title: 'Outsider task' })
    const list = await walkTasks(t.app, w.member, '')
    expect(list.some((x) => x.id === task.id)).toBe(true)
    expect(list.some((x) => x.id === theirs.id)).toBe(false)
  })

  it('a global admin reads every team’s tasks', async () => {
    const list = await walkTasks(t.app, w.globalAdmin, `teamId=${w.team.id}`)
    expect(list.some((x) => x.id === task.id)).toBe(true)
  })
})

describe('personal access token scopes', () => {
  it('tasks:read reads but cannot write; tasks:write writes; other scopes do neither', async () => {
    const reader = bearer(await given.token(t.app, w.member, ['tasks:read']))
    const writer = bearer(await given.token(t.app, w.member, ['tasks:read', 'tasks:write']))
    const other = bearer(await given.token(t.app, w.member, ['teams:read']))
    const get = (headers: Record<string, string>) => t.app.inject({ url: `/api/v1/tasks/${task.id}`, headers })
    const post = (headers: Record<string, string>) =>
      t.app.inject({ method: 'POST', url: '/api/v1/tasks', headers, payload: { title: 'By token' } })
    expect((await get(reader)).statusCode).toBe(200)
    expect((await post(reader)).statusCode).toBe(403)
    expect((await post(writer)).statusCode).toBe(201)
    expect((await get(other)).statusCode).toBe(403)
    const comment = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tasks/${task.id}/comments`,
      headers: reader,
      payload: { body: 'x' },
    })
    expect(comment.statusCode).toBe(403)
  })
})

describe('admin routes', () => {
  it('GET /admin/tasks lists every team’s tasks, with the filters of /tasks; 403 for others', async () => {
    const theirs = await given.task(t.app, w.outsider, { title: 'Zanzibar elsewhere' })
    const res = await t.app.inject({ url: '/api/v1/admin/tasks?q=zanzibar&limit=100', headers: w.globalAdmin.auth })
    expect(res.statusCode, res.body).toBe(200)
    const ids = res.json().items.map((x: Task) => x.id)
    expect(ids).toEqual(expect.arrayContaining([task.id, theirs.id]))
    const filtered = await t.app.inject({
      url: `/api/v1/admin/tasks?teamId=${w.outsiderTeam.id}`,
      headers: w.globalAdmin.auth,
    })
    expect(filtered.statusCode).toBe(200)
    for (const role of ['owner', 'member', 'outsider'] as const) {
      expect((await call(role, 'GET', '/api/v1/admin/tasks')).statusCode).toBe(403)
    }
    const token = bearer(await given.token(t.app, w.globalAdmin, ['tasks:read']))
    expect((await t.app.inject({ url: '/api/v1/admin/tasks', headers: token })).statusCode).toBe(403)
  })

  it('DELETE /admin/tasks/:id deletes any task; 403 for others, 404 for none', async () => {
    const victim = await given.task(t.app, w.outsider)
    expect((await call('member', 'DELETE', `/api/v1/admin/tasks/${victim.id}`)).statusCode).toBe(403)
    expect((await call('globalAdmin', 'DELETE', `/api/v1/admin/tasks/${victim.id}`)).statusCode).toBe(204)
    expect((await call('outsider', 'GET', `/api/v1/tasks/${victim.id}`)).statusCode).toBe(404)
    expect((await call('globalAdmin', 'DELETE', `/api/v1/admin/tasks/${victim.id}`)).statusCode).toBe(404)
    const { rows } = await t.database.sql.query<{ actor_id: string }>(
      `select actor_id from activity where entity_id = $1 and action = 'task.deleted'`,
      [victim.id],
    )
    expect(rows).toEqual([{ actor_id: w.globalAdmin.id }])
  })
})
