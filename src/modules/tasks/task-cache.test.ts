import type { FastifyInstance } from 'fastify'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { type GivenUser, givenAdmin, givenUser } from '../../../test/given.ts'
import { givenTask, type Task, untilCached } from '../../../test/given-tasks.ts'
import { addToTeam, givenMember, givenProject, givenTag, givenTeam } from '../../../test/given-teams.ts'
import { useInstancePair } from '../../../test/pair.ts'

// GET /tasks/:id answered from the list cache (list-cache.ts): what a stale or unauthorised
// answer would be served from is a task the cache holds (`warm`), then the change, then a read

const hitsOf = (app: FastifyInstance) => app.listCache.stats.tasks.hits

const get = (app: FastifyInstance, by: GivenUser, id: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url: `/api/v1/tasks/${id}`, headers: { ...by.auth, ...headers } })

async function read(app: FastifyInstance, by: GivenUser, id: string): Promise<Task> {
  const res = await get(app, by, id)
  expect(res.statusCode, res.body).toBe(200)
  return res.json()
}

/** Reads the task until the answer comes from the cache. */
const warm = (app: FastifyInstance, by: GivenUser, id: string) =>
  untilCached(
    () => hitsOf(app),
    () => get(app, by, id),
    `the task ${id}`,
  )

async function send(app: FastifyInstance, by: GivenUser, method: 'PATCH' | 'DELETE', url: string, payload?: object) {
  const res = await app.inject({ method, url: `/api/v1${url}`, headers: by.auth, ...(payload ? { payload } : {}) })
  expect(res.statusCode, res.body).toBe(method === 'DELETE' ? 204 : 200)
  return res
}

/** An owner's team with a project, a tag and a task in it, and a member who reads it. */
async function teamTask(app: FastifyInstance) {
  const owner = await givenUser(app, { name: 'Owner' })
  const team = await givenTeam(app, owner)
  const member = await givenMember(app, team, owner, 'member', { name: 'Member' })
  const project = await givenProject(app, team, owner)
  const tag = await givenTag(app, team, owner, { name: 'before' })
  const task = await givenTask(app, owner, { title: 'first', projectId: project.id, tagIds: [tag.id] })
  return { owner, team, member, project, tag, task }
}

describe('GET /tasks/:id from the cache', () => {
  const t = useTestApp()
  let app: FastifyInstance
  beforeAll(() => {
    app = t.app
  })

  it('answers a repeated read from the cache: the same body and ETag, 304 to If-None-Match naming it', async () => {
    const user = await givenUser(app)
    const task = await givenTask(app, user, { title: 'one' })
    const first = await get(app, user, task.id)
    expect(first.statusCode).toBe(200)
    const etag = String(first.headers.etag)
    expect(etag).toMatch(/^"1-[\w-]{12}"$/)
    const cached = await warm(app, user, task.id)
    expect(cached.body).toBe(first.body)
    expect(cached.headers.etag).toBe(etag)
    expect(cached.headers['content-type']).toMatch(/^application\/json/)

    const before = hitsOf(app)
    const notModified = await get(app, user, task.id, { 'if-none-match': etag })
    expect(notModified.statusCode).toBe(304)
    expect(notModified.body).toBe('')
    expect(hitsOf(app)).toBe(before + 1)
    expect((await get(app, user, task.id, { 'if-none-match': '"1-other"' })).statusCode).toBe(200)
  })

  it("shows the caller's own writes at once: fields, status, subtasks, tags, delete", async () => {
    const { owner, task, tag, project } = await teamTask(app)
    await warm(app, owner, task.id)
    await send(app, owner, 'PATCH', `/tasks/${task.id}`, { title: 'renamed' })
    expect((await read(app, owner, task.id)).title).toBe('renamed')

    await warm(app, owner, task.id)
    await send(app, owner, 'PATCH', `/tasks/${task.id}/status`, { status: 'done' })
    expect((await read(app, owner, task.id)).status).toBe('done')

    const { etag } = (await warm(app, owner, task.id)).headers
    await givenTask(app, owner, { title: 'sub', projectId: project.id, parentId: task.id })
    const counted = await get(app, owner, task.id, { 'if-none-match': String(etag) })
    expect(counted.statusCode).toBe(200)
    expect(counted.json().subtaskCount).toBe(1)

    await warm(app, owner, task.id)
    await send(app, owner, 'PATCH', `/tags/${tag.id}`, { name: 'after' })
    expect((await read(app, owner, task.id)).tags.map((x) => x.name)).toEqual(['after'])

    await warm(app, owner, task.id)
    await send(app, owner, 'DELETE', `/tasks/${task.id}`)
    expect((await get(app, owner, task.id)).statusCode).toBe(404)
  })

  it("shows another member's writes and an assignee's new name at once", async () => {
    const { owner, member, task } = await teamTask(app)
    await warm(app, member, task.id)
    await send(app, owner, 'PATCH', `/tasks/${task.id}`, { title: 'by the owner', assigneeId: member.id })
    const seen = await read(app, member, task.id)
    expect(seen.title).toBe('by the owner')
    expect(seen.assignee?.name).toBe('Member')

    await warm(app, owner, task.id)
    await send(app, member, 'PATCH', '/users/me', { name: 'Renamed' })
    expect((await read(app, owner, task.id)).assignee?.name).toBe('Renamed')
  })

  it('never serves a cached task to a caller outside its team, nor to a member once removed', async () => {
    const { owner, team, member, task } = await teamTask(app)
    const outsider = await givenUser(app)
    await warm(app, member, task.id)
    expect((await get(app, outsider, task.id)).statusCode).toBe(404)

    // added, the outsider sees it at once; removed, it is gone at once
    await addToTeam(app, team, owner, outsider, 'viewer')
    expect((await read(app, outsider, task.id)).id).toBe(task.id)
    await warm(app, outsider, task.id)
    await send(app, owner, 'DELETE', `/teams/${team.id}/members/${outsider.id}`)
    expect((await get(app, outsider, task.id)).statusCode).toBe(404)

    // a role change in the team changes nothing a reader sees
    await warm(app, member, task.id)
    await send(app, owner, 'PATCH', `/teams/${team.id}/members/${member.id}`, { role: 'viewer' })
    expect((await read(app, member, task.id)).id).toBe(task.id)

    // leaving the team: the member's own removal
    await warm(app, member, task.id)
    await send(app, member, 'DELETE', `/teams/${team.id}/members/${member.id}`)
    expect((await get(app, member, task.id)).statusCode).toBe(404)
    expect((await read(app, owner, task.id)).id).toBe(task.id)
  })

  it('answers 404 at once when the project or the team is deleted', async () => {
    const { owner, team, member, project, task } = await teamTask(app)
    const other = await givenProject(app, team, owner, { name: 'Other' })
    const kept = await givenTask(app, owner, { title: 'kept', projectId: other.id })
    await warm(app, member, task.id)
    await send(app, owner, 'DELETE', `/projects/${project.id}`)
    expect((await get(app, member, task.id)).statusCode).toBe(404)

    await warm(app, member, kept.id)
    await warm(app, owner, kept.id)
    await send(app, owner, 'DELETE', `/teams/${team.id}`)
    expect((await get(app, member, kept.id)).statusCode).toBe(404)
    expect((await get(app, owner, kept.id)).statusCode).toBe(404)
  })

  it('a global admin demoted loses what only the role showed; admins are not served from the cache', async () => {
    const { member, task } = await teamTask(app)
    const admin = await givenAdmin(app)
    const boss = await givenAdmin(app)
    await warm(app, member, task.id)
    const before = hitsOf(app)
    for (let i = 0; i < 3; i++) expect((await read(app, admin, task.id)).id).toBe(task.id)
    expect(hitsOf(app)).toBe(before)
    await send(app, boss, 'PATCH', `/admin/users/${admin.id}`, { role: 'user' })
    expect((await get(app, admin, task.id)).statusCode).toBe(404)
  })
})

describe('GET /tasks/:id with the cache off (LIST_CACHE_MAX_BYTES=0)', () => {
  const off = useTestApp({ env: { LIST_CACHE_MAX_BYTES: '0' } })

  it('still answers with its ETag, and 304 to If-None-Match naming it', async () => {
    const user = await givenUser(off.app)
    const task = await givenTask(off.app, user)
    const etag = String((await get(off.app, user, task.id)).headers.etag)
    expect(etag).toMatch(/^"1-[\w-]{12}"$/)
    expect((await get(off.app, user, task.id, { 'if-none-match': etag })).statusCode).toBe(304)
    expect(off.app.listCache.stats.tasks).toEqual({ hits: 0, misses: 0, bypasses: 0 })
  })
})

describe('GET /tasks/:id on two instances on one database (one in embedded mode)', () => {
  const pair = useInstancePair()

  it("each serves the other's writes at once, a new name through pub/sub, a removal at once", async () => {
    const { a, b } = pair
    const { owner, team, member, task } = await teamTask(a.app)
    await send(a.app, owner, 'PATCH', `/tasks/${task.id}`, { assigneeId: owner.id })

    for (const [writer, reader, name] of [
      [a, b, 'via a'],
      [b, a, 'via b'],
    ] as const) {
      await warm(reader.app, owner, task.id)
      await warm(reader.app, member, task.id)
      await send(writer.app, owner, 'PATCH', `/tasks/${task.id}`, { title: name })
      expect((await read(reader.app, owner, task.id)).title).toBe(name)
      expect((await read(reader.app, member, task.id)).title).toBe(name)
    }

    // a name is not in the log: the other instance hears of it through Redis pub/sub
    await warm(b.app, member, task.id)
    await send(a.app, owner, 'PATCH', '/users/me', { name: 'Renamed' })
    const deadline = Date.now() + 5_000
    let shown: string | undefined
    while (Date.now() < deadline && shown !== 'Renamed') {
      shown = (await read(b.app, member, task.id)).assignee?.name
      if (shown !== 'Renamed') await new Promise((r) => setTimeout(r, 25))
    }
    expect(shown).toBe('Renamed')

    await warm(b.app, member, task.id)
    await send(a.app, owner, 'DELETE', `/teams/${team.id}/members/${member.id}`)
    expect((await get(b.app, member, task.id)).statusCode).toBe(404)
  })
})
