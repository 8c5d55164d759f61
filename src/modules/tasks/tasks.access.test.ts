import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { given, type Task, type TaskWorld } from '../../../test/given.ts'
import { bearer, http } from '../../../test/http.ts'
import { walkTasks } from '../../../test/tasks.ts'

const t = useTestApp()
const { get, post, patch, del } = http(t)

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
  const res = await post(`/api/v1/tasks/${task.id}/comments`, w.member.auth, { body: 'A comment' })
  commentId = res.json().id
})

/** the headers of the user of a role */
const as = (role: Role) => w[role].auth

describe('role matrix', () => {
  const expectations: [string, (role: Role) => Promise<number>, Record<Role, number>][] = [
    [
      'GET /tasks/:id',
      async (role) => (await get(`/api/v1/tasks/${task.id}`, as(role))).statusCode,
      { owner: 200, admin: 200, member: 200, viewer: 200, outsider: 404, globalAdmin: 200 },
    ],
    [
      'GET /tasks?teamId=',
      async (role) => (await get(`/api/v1/tasks?teamId=${w.team.id}`, as(role))).statusCode,
      { owner: 200, admin: 200, member: 200, viewer: 200, outsider: 404, globalAdmin: 200 },
    ],
    [
      'GET /tasks?projectId=',
      async (role) => (await get(`/api/v1/tasks?projectId=${w.project.id}`, as(role))).statusCode,
      { owner: 200, admin: 200, member: 200, viewer: 200, outsider: 404, globalAdmin: 200 },
    ],
    [
      'POST /tasks',
      async (role) => (await post('/api/v1/tasks', as(role), { projectId: w.project.id, title: role })).statusCode,
      { owner: 201, admin: 201, member: 201, viewer: 403, outsider: 400, globalAdmin: 403 },
    ],
    [
      'PATCH /tasks/:id',
      async (role) => (await patch(`/api/v1/tasks/${task.id}`, as(role), { description: role })).statusCode,
      { owner: 200, admin: 200, member: 200, viewer: 403, outsider: 404, globalAdmin: 403 },
    ],
    [
      'PATCH /tasks/:id/status',
      async (role) => (await patch(`/api/v1/tasks/${task.id}/status`, as(role), { status: 'todo' })).statusCode,
      { owner: 200, admin: 200, member: 200, viewer: 403, outsider: 404, globalAdmin: 403 },
    ],
    [
      'DELETE /tasks/:id',
      async (role) => {
        const victim = await given.task(t.app, w.member, { projectId: w.project.id })
        return (await del(`/api/v1/tasks/${victim.id}`, as(role))).statusCode
      },
      { owner: 204, admin: 204, member: 204, viewer: 403, outsider: 404, globalAdmin: 403 },
    ],
    [
      'GET /tasks/:id/comments',
      async (role) => (await get(`/api/v1/tasks/${task.id}/comments`, as(role))).statusCode,
      { owner: 200, admin: 200, member: 200, viewer: 200, outsider: 404, globalAdmin: 200 },
    ],
    [
      'POST /tasks/:id/comments',
      async (role) => (await post(`/api/v1/tasks/${task.id}/comments`, as(role), { body: role })).statusCode,
      { owner: 201, admin: 201, member: 201, viewer: 403, outsider: 404, globalAdmin: 403 },
    ],
    [
      'GET /comments/:id',
      async (role) => (await get(`/api/v1/comments/${commentId}`, as(role))).statusCode,
      { owner: 200, admin: 200, member: 200, viewer: 200, outsider: 404, globalAdmin: 200 },
    ],
    [
      'PATCH /comments/:id (the member wrote it)',
      async (role) => (await patch(`/api/v1/comments/${commentId}`, as(role), { body: `by ${role}` })).statusCode,
      { owner: 403, admin: 403, member: 200, viewer: 403, outsider: 404, globalAdmin: 403 },
    ],
    [
      'DELETE /comments/:id (the member wrote it)',
      async (role) => {
        const res = await post(`/api/v1/tasks/${task.id}/comments`, w.member.auth, { body: 'to delete' })
        return (await del(`/api/v1/comments/${res.json().id}`, as(role))).statusCode
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
    const byParent = await get(`/api/v1/tasks?parentId=${task.id}`, w.outsider.auth)
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
    const read = (headers: Record<string, string>) => get(`/api/v1/tasks/${task.id}`, headers)
    const create = (headers: Record<string, string>) => post('/api/v1/tasks', headers, { title: 'By token' })
    expect((await read(reader)).statusCode).toBe(200)
    expect((await create(reader)).statusCode).toBe(403)
    expect((await create(writer)).statusCode).toBe(201)
    expect((await read(other)).statusCode).toBe(403)
    const comment = await post(`/api/v1/tasks/${task.id}/comments`, reader, { body: 'x' })
    expect(comment.statusCode).toBe(403)
  })
})

describe('admin routes', () => {
  it('GET /admin/tasks lists every team’s tasks, with the filters of /tasks; 403 for others', async () => {
    const theirs = await given.task(t.app, w.outsider, { title: 'Zanzibar elsewhere' })
    const res = await get('/api/v1/admin/tasks?q=zanzibar&limit=100', w.globalAdmin.auth)
    expect(res.statusCode, res.body).toBe(200)
    const ids = res.json().items.map((x: Task) => x.id)
    expect(ids).toEqual(expect.arrayContaining([task.id, theirs.id]))
    const filtered = await get(`/api/v1/admin/tasks?teamId=${w.outsiderTeam.id}`, w.globalAdmin.auth)
    expect(filtered.statusCode).toBe(200)
    for (const role of ['owner', 'member', 'outsider'] as const) {
      expect((await get('/api/v1/admin/tasks', as(role))).statusCode).toBe(403)
    }
    const token = bearer(await given.token(t.app, w.globalAdmin, ['tasks:read']))
    expect((await get('/api/v1/admin/tasks', token)).statusCode).toBe(403)
  })

  it('DELETE /admin/tasks/:id deletes any task; 403 for others, 404 for none', async () => {
    const victim = await given.task(t.app, w.outsider)
    expect((await del(`/api/v1/admin/tasks/${victim.id}`, w.member.auth)).statusCode).toBe(403)
    expect((await del(`/api/v1/admin/tasks/${victim.id}`, as('globalAdmin'))).statusCode).toBe(204)
    expect((await get(`/api/v1/tasks/${victim.id}`, as('outsider'))).statusCode).toBe(404)
    expect((await del(`/api/v1/admin/tasks/${victim.id}`, as('globalAdmin'))).statusCode).toBe(404)
    const { rows } = await t.database.sql.query<{ actor_id: string }>(
      `select actor_id from activity where entity_id = $1 and action = 'task.deleted'`,
      [victim.id],
    )
    expect(rows).toEqual([{ actor_id: w.globalAdmin.id }])
  })
})
