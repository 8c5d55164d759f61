import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { type GivenUser, given, type Task } from '../../../test/given.ts'
import { http } from '../../../test/http.ts'
import { useInstancePair } from '../../../test/pair.ts'
import { untilCached } from '../../../test/tasks.ts'

// GET /tasks/:id answered from the list cache (list-cache.ts): what a stale or unauthorised
// answer would be served from is a task the cache holds (`warm`), then the change, then a read

const hitsOf = (app: FastifyInstance) => app.listCache.stats.tasks.hits

/** GET /tasks/:id as a user (with If-None-Match, say), on one of the instances. */
const getTask = (app: FastifyInstance, by: GivenUser, id: string, headers: Record<string, string> = {}) =>
  http({ app }).get(`/api/v1/tasks/${id}`, { ...by.auth, ...headers })

async function read(app: FastifyInstance, by: GivenUser, id: string): Promise<Task> {
  const res = await getTask(app, by, id)
  expect(res.statusCode, res.body).toBe(200)
  return res.json()
}

/** Reads the task until the answer comes from the cache. */
const warm = (app: FastifyInstance, by: GivenUser, id: string) =>
  untilCached(
    () => hitsOf(app),
    () => getTask(app, by, id),
    `the task ${id}`,
  )

/** A write that must succeed: 200 (204 for a delete). */
async function succeeds(sent: Promise<LightMyRequestResponse>, status = 200) {
  const res = await sent
  expect(res.statusCode, res.body).toBe(status)
}

/** An owner's team with a project, a tag and a task in it, and a member who reads it. */
async function teamTask(app: FastifyInstance) {
  const owner = await given.user(app, { name: 'Owner' })
  const team = await given.team(app, owner)
  const member = await given.member(app, team, owner, 'member', { name: 'Member' })
  const project = await given.project(app, team, owner)
  const tag = await given.tag(app, team, owner, { name: 'before' })
  const task = await given.task(app, owner, { title: 'first', projectId: project.id, tagIds: [tag.id] })
  return { owner, team, member, project, tag, task }
}

describe('GET /tasks/:id from the cache', () => {
  const t = useTestApp()
  const { patch, del } = http(t)
  let app: FastifyInstance
  beforeAll(() => {
    app = t.app
  })

  it('answers a repeated read from the cache: the same body and ETag, 304 to If-None-Match naming it', async () => {
    const user = await given.user(app)
    const task = await given.task(app, user, { title: 'one' })
    const first = await getTask(app, user, task.id)
    expect(first.statusCode).toBe(200)
    const etag = String(first.headers.etag)
    expect(etag).toMatch(/^"1-[\w-]{12}"$/)
    const cached = await warm(app, user, task.id)
    expect(cached.body).toBe(first.body)
    expect(cached.headers.etag).toBe(etag)
    expect(cached.headers['content-type']).toMatch(/^application\/json/)

    const before = hitsOf(app)
    const notModified = await getTask(app, user, task.id, { 'if-none-match': etag })
    expect(notModified.statusCode).toBe(304)
    expect(notModified.body).toBe('')
    expect(hitsOf(app)).toBe(before + 1)
    expect((await getTask(app, user, task.id, { 'if-none-match': '"1-other"' })).statusCode).toBe(200)
  })

  it("shows the caller's own writes at once: fields, status, subtasks, tags, delete", async () => {
    const { owner, task, tag, project } = await teamTask(app)
    await warm(app, owner, task.id)
    await succeeds(patch(`/api/v1/tasks/${task.id}`, owner.auth, { title: 'renamed' }))
    expect((await read(app, owner, task.id)).title).toBe('renamed')

    await warm(app, owner, task.id)
    await succeeds(patch(`/api/v1/tasks/${task.id}/status`, owner.auth, { status: 'done' }))
    expect((await read(app, owner, task.id)).status).toBe('done')

    const { etag } = (await warm(app, owner, task.id)).headers
    await given.task(app, owner, { title: 'sub', projectId: project.id, parentId: task.id })
    const counted = await getTask(app, owner, task.id, { 'if-none-match': String(etag) })
    expect(counted.statusCode).toBe(200)
    expect(counted.json().subtaskCount).toBe(1)

    await warm(app, owner, task.id)
    await succeeds(patch(`/api/v1/tags/${tag.id}`, owner.auth, { name: 'after' }))
    expect((await read(app, owner, task.id)).tags.map((x) => x.name)).toEqual(['after'])

    await warm(app, owner, task.id)
    await succeeds(del(`/api/v1/tasks/${task.id}`, owner.auth), 204)
    expect((await getTask(app, owner, task.id)).statusCode).toBe(404)
  })

  it("shows another member's writes and an assignee's new name at once", async () => {
    const { owner, member, task } = await teamTask(app)
    await warm(app, member, task.id)
    await succeeds(patch(`/api/v1/tasks/${task.id}`, owner.auth, { title: 'by the owner', assigneeId: member.id }))
    const seen = await read(app, member, task.id)
    expect(seen.title).toBe('by the owner')
    expect(seen.assignee?.name).toBe('Member')

    await warm(app, owner, task.id)
    await succeeds(patch('/api/v1/users/me', member.auth, { name: 'Renamed' }))
    expect((await read(app, owner, task.id)).assignee?.name).toBe('Renamed')
  })

  it('never serves a cached task to a caller outside its team, nor to a member once removed', async () => {
    const { owner, team, member, task } = await teamTask(app)
    const outsider = await given.user(app)
    await warm(app, member, task.id)
    expect((await getTask(app, outsider, task.id)).statusCode).toBe(404)

    // added, the outsider sees it at once; removed, it is gone at once
    await given.membership(app, team, owner, outsider, 'viewer')
    expect((await read(app, outsider, task.id)).id).toBe(task.id)
    await warm(app, outsider, task.id)
    await succeeds(del(`/api/v1/teams/${team.id}/members/${outsider.id}`, owner.auth), 204)
    expect((await getTask(app, outsider, task.id)).statusCode).toBe(404)

    // a role change in the team changes nothing a reader sees
    await warm(app, member, task.id)
    await succeeds(patch(`/api/v1/teams/${team.id}/members/${member.id}`, owner.auth, { role: 'viewer' }))
    expect((await read(app, member, task.id)).id).toBe(task.id)

    // leaving the team: the member's own removal
    await warm(app, member, task.id)
    await succeeds(del(`/api/v1/teams/${team.id}/members/${member.id}`, member.auth), 204)
    expect((await getTask(app, member, task.id)).statusCode).toBe(404)
    expect((await read(app, owner, task.id)).id).toBe(task.id)
  })

  it('answers 404 at once when the project or the team is deleted', async () => {
    const { owner, team, member, project, task } = await teamTask(app)
    const other = await given.project(app, team, owner, { name: 'Other' })
    const kept = await given.task(app, owner, { title: 'kept', projectId: other.id })
    await warm(app, member, task.id)
    await succeeds(del(`/api/v1/projects/${project.id}`, owner.auth), 204)
    expect((await getTask(app, member, task.id)).statusCode).toBe(404)

    await warm(app, member, kept.id)
    await warm(app, owner, kept.id)
    await succeeds(del(`/api/v1/teams/${team.id}`, owner.auth), 204)
    expect((await getTask(app, member, kept.id)).statusCode).toBe(404)
    expect((await getTask(app, owner, kept.id)).statusCode).toBe(404)
  })

  it('a global admin demoted loses what only the role showed; admins are not served from the cache', async () => {
    const { member, task } = await teamTask(app)
    const admin = await given.admin(app)
    const boss = await given.admin(app)
    await warm(app, member, task.id)
    const before = hitsOf(app)
    for (let i = 0; i < 3; i++) expect((await read(app, admin, task.id)).id).toBe(task.id)
    expect(hitsOf(app)).toBe(before)
    await succeeds(patch(`/api/v1/admin/users/${admin.id}`, boss.auth, { role: 'user' }))
    expect((await getTask(app, admin, task.id)).statusCode).toBe(404)
  })
})

describe('GET /tasks/:id with the cache off (LIST_CACHE_MAX_BYTES=0)', () => {
  const off = useTestApp({ env: { LIST_CACHE_MAX_BYTES: '0' } })

  it('still answers with its ETag, and 304 to If-None-Match naming it', async () => {
    const user = await given.user(off.app)
    const task = await given.task(off.app, user)
    const etag = String((await getTask(off.app, user, task.id)).headers.etag)
    expect(etag).toMatch(/^"1-[\w-]{12}"$/)
    expect((await getTask(off.app, user, task.id, { 'if-none-match': etag })).statusCode).toBe(304)
    expect(off.app.listCache.stats.tasks).toEqual({ hits: 0, misses: 0, bypasses: 0 })
  })
})

describe('GET /tasks/:id on two instances on one database (one in embedded mode)', () => {
  const pair = useInstancePair()

  it("each serves the other's writes at once, a new name through pub/sub, a removal at once", async () => {
    const { a, b } = pair
    const { owner, team, member, task } = await teamTask(a.app)
    await succeeds(http(a).patch(`/api/v1/tasks/${task.id}`, owner.auth, { assigneeId: owner.id }))

    for (const [writer, reader, name] of [
      [a, b, 'via a'],
      [b, a, 'via b'],
    ] as const) {
      await warm(reader.app, owner, task.id)
      await warm(reader.app, member, task.id)
      await succeeds(http(writer).patch(`/api/v1/tasks/${task.id}`, owner.auth, { title: name }))
      expect((await read(reader.app, owner, task.id)).title).toBe(name)
      expect((await read(reader.app, member, task.id)).title).toBe(name)
    }

    // a name is not in the log: the other instance hears of it through Redis pub/sub
    await warm(b.app, member, task.id)
    await succeeds(http(a).patch('/api/v1/users/me', owner.auth, { name: 'Renamed' }))
    const deadline = Date.now() + 5_000
    let shown: string | undefined
    while (Date.now() < deadline && shown !== 'Renamed') {
      shown = (await read(b.app, member, task.id)).assignee?.name
      if (shown !== 'Renamed') await new Promise((r) => setTimeout(r, 25))
    }
    expect(shown).toBe('Renamed')

    await warm(b.app, member, task.id)
    await succeeds(http(a).del(`/api/v1/teams/${team.id}/members/${member.id}`, owner.auth), 204)
    expect((await getTask(b.app, member, task.id)).statusCode).toBe(404)
  })
})
