import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/app.ts'
import { type GivenUser, given, type Task } from '../../../test/given.ts'
import { bearer, http } from '../../../test/http.ts'
import { useInstancePair } from '../../../test/pair.ts'
import { untilCached } from '../../../test/tasks.ts'

const hitsOf = (app: FastifyInstance) => app.listCache.stats.hits

/** GET /tasks?query as a user (with If-None-Match, say), on one of the instances. */
const list = (app: FastifyInstance, by: GivenUser, query = '', headers: Record<string, string> = {}) =>
  http({ app }).get(`/api/v1/tasks${query}`, { ...by.auth, ...headers })

async function titles(app: FastifyInstance, by: GivenUser, query = '') {
  const res = await list(app, by, query)
  expect(res.statusCode, res.body).toBe(200)
  return (res.json().items as Task[]).map((t) => t.title)
}

/** Lists until the answer comes from the cache: what a stale answer would be served from. */
const warm = (app: FastifyInstance, by: GivenUser, query = '') =>
  untilCached(
    () => hitsOf(app),
    () => list(app, by, query),
    `the list ${query}`,
  )

/** A write that must succeed: 200 (204 for a delete). */
async function succeeds(sent: Promise<LightMyRequestResponse>, status = 200) {
  const res = await sent
  expect(res.statusCode, res.body).toBe(status)
}

describe('the task list cache', () => {
  let t: TestApp
  let app: FastifyInstance
  beforeAll(async () => {
    t = await createTestApp()
    app = t.app
  })
  afterAll(async () => {
    await t?.close()
  })

  it('answers a repeated list from the cache with an ETag, and 304 to If-None-Match naming it', async () => {
    const user = await given.user(app)
    await given.task(app, user, { title: 'one' })
    const first = await list(app, user)
    const etag = String(first.headers.etag)
    expect(etag).toMatch(/^"l[\w-]{22}"$/)
    const cached = await warm(app, user)
    expect(cached.headers.etag).toBe(etag)
    expect(cached.body).toBe(first.body)
    expect(cached.headers['content-type']).toMatch(/^application\/json/)

    const before = hitsOf(app)
    const notModified = await list(app, user, '', { 'if-none-match': etag })
    expect(notModified.statusCode).toBe(304)
    expect(notModified.body).toBe('')
    expect(hitsOf(app)).toBe(before + 1)
    // another query is another answer
    expect((await list(app, user, '?status=done', { 'if-none-match': etag })).statusCode).toBe(200)
  })

  it("shows the caller's own writes at once: create, update, delete", async () => {
    const user = await given.user(app)
    await given.task(app, user, { title: 'old' })
    const { etag } = (await warm(app, user)).headers
    const created = await given.task(app, user, { title: 'new' })
    expect(await titles(app, user)).toEqual(['new', 'old'])
    // the ETag the client held no longer matches
    expect((await list(app, user, '', { 'if-none-match': String(etag) })).statusCode).toBe(200)

    await warm(app, user)
    await succeeds(http({ app }).patch(`/api/v1/tasks/${created.id}`, user.auth, { title: 'renamed' }))
    expect(await titles(app, user)).toEqual(['renamed', 'old'])

    await warm(app, user, '?status=todo')
    await succeeds(http({ app }).patch(`/api/v1/tasks/${created.id}/status`, user.auth, { status: 'done' }))
    expect(await titles(app, user, '?status=todo')).toEqual(['old'])

    await warm(app, user)
    const del = await http({ app }).del(`/api/v1/tasks/${created.id}`, user.auth)
    expect(del.statusCode).toBe(204)
    expect(await titles(app, user)).toEqual(['old'])
  })

  it("shows another member's writes at once, and what their tag, subtask and project changes show", async () => {
    const owner = await given.user(app, { name: 'Owner' })
    const reader = await given.user(app, { name: 'Reader' })
    const team = await given.team(app, owner, { members: [{ user: reader, role: 'member' }] })
    const project = await given.project(app, team, owner)
    const tag = await given.tag(app, team, owner, { name: 'before' })
    const query = `?projectId=${project.id}`
    const task = await given.task(app, owner, { title: 'first', projectId: project.id, tagIds: [tag.id] })

    await warm(app, reader, query)
    await given.task(app, owner, { title: 'second', projectId: project.id })
    expect(await titles(app, reader, query)).toEqual(['second', 'first'])

    await warm(app, reader, query)
    await succeeds(http({ app }).patch(`/api/v1/tags/${tag.id}`, owner.auth, { name: 'after' }))
    const tagged = (await list(app, reader, query)).json().items as Task[]
    expect(tagged.find((x) => x.id === task.id)!.tags.map((x) => x.name)).toEqual(['after'])

    await warm(app, reader, query)
    await given.task(app, owner, { title: 'sub', projectId: project.id, parentId: task.id })
    const counted = (await list(app, reader, query)).json().items as Task[]
    expect(counted.find((x) => x.id === task.id)!.subtaskCount).toBe(1)

    // archived, its tasks leave the lists that do not name it
    await warm(app, reader, `?teamId=${team.id}`)
    await succeeds(http({ app }).patch(`/api/v1/projects/${project.id}`, owner.auth, { archived: true }))
    expect(await titles(app, reader, `?teamId=${team.id}`)).toEqual([])
  })

  it("shows an assignee's new name on another member's list", async () => {
    const owner = await given.user(app, { name: 'Owner' })
    const assignee = await given.user(app, { name: 'Before' })
    const team = await given.team(app, owner, { members: [{ user: assignee, role: 'member' }] })
    const project = await given.project(app, team, owner)
    await given.task(app, owner, { title: 'assigned', projectId: project.id, assigneeId: assignee.id })
    const query = `?teamId=${team.id}`
    await warm(app, owner, query)
    await succeeds(http({ app }).patch('/api/v1/users/me', assignee.auth, { name: 'After' }))
    const [task] = (await list(app, owner, query)).json().items as Task[]
    expect(task!.assignee?.name).toBe('After')
  })

  it('stops showing a team the caller was removed from, and shows one it was added to', async () => {
    const owner = await given.user(app)
    const member = await given.user(app)
    const team = await given.team(app, owner)
    const project = await given.project(app, team, owner)
    await given.task(app, owner, { title: 'team task', projectId: project.id })
    await given.task(app, member, { title: 'own task' })

    await warm(app, member)
    await given.membership(app, team, owner, member, 'member')
    expect(await titles(app, member)).toEqual(['own task', 'team task'])

    await warm(app, member)
    await warm(app, member, `?teamId=${team.id}`)
    const removed = await http({ app }).del(`/api/v1/teams/${team.id}/members/${member.id}`, owner.auth)
    expect(removed.statusCode).toBe(204)
    expect(await titles(app, member)).toEqual(['own task'])
    expect((await list(app, member, `?teamId=${team.id}`)).statusCode).toBe(404)
  })

  it("keeps answers per caller: one member's cached list is never another's", async () => {
    const owner = await given.user(app)
    const other = await given.user(app)
    await given.task(app, owner, { title: 'mine' })
    await warm(app, owner)
    expect(await titles(app, other)).toEqual([])
    // the same caller through a personal access token gets the same answer
    const pat = { ...owner, auth: bearer(await given.token(app, owner, ['tasks:read'])) }
    expect(await titles(app, pat)).toEqual(['mine'])
  })

  it('does not cache overdue lists (they change with the clock) nor admins (they see every team)', async () => {
    const user = await given.user(app)
    await given.task(app, user, { title: 'due', dueAt: new Date(Date.now() + 60_000).toISOString() })
    const before = hitsOf(app)
    for (let i = 0; i < 3; i++) await titles(app, user, '?overdue=false')
    const admin = await given.admin(app)
    for (let i = 0; i < 3; i++) await titles(app, admin)
    expect(hitsOf(app)).toBe(before)
  })
})

describe('the task list cache, bounded', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({ env: { LIST_CACHE_MAX_ENTRIES: '2', LIST_CACHE_MAX_BYTES: '200000' } })
  })
  afterAll(async () => {
    await t?.close()
  })

  it('keeps at most LIST_CACHE_MAX_ENTRIES answers and LIST_CACHE_MAX_BYTES, dropping the least recently used', async () => {
    const { app } = t
    const user = await given.user(app)
    for (let i = 0; i < 3; i++) await given.task(app, user, { title: `t${i}`, description: 'x'.repeat(2_000) })
    await warm(app, user, '?limit=1')
    await warm(app, user, '?limit=2')
    await warm(app, user, '?limit=3')
    expect(app.listCache.stats.entries).toBe(2)
    // ?limit=1 was dropped: it is read again, not answered from the cache
    const before = hitsOf(app)
    await list(app, user, '?limit=1')
    expect(hitsOf(app)).toBe(before)
    // bytes: 20 tasks of 2 kB each are more than a quarter of the cap, so never kept
    for (let i = 3; i < 25; i++) await given.task(app, user, { title: `t${i}`, description: 'x'.repeat(2_000) })
    const hits = hitsOf(app)
    for (let i = 0; i < 3; i++) await list(app, user, '?limit=20')
    expect(hitsOf(app)).toBe(hits)
    expect(app.listCache.stats.bytes).toBeLessThanOrEqual(200_000)
  })
})

describe('the task list, its cache off (LIST_CACHE_MAX_BYTES=0)', () => {
  let off: TestApp
  beforeAll(async () => {
    off = await createTestApp({ env: { LIST_CACHE_MAX_BYTES: '0' } })
  })
  afterAll(async () => {
    await off?.close()
  })

  it('still answers with an ETag, and 304 to If-None-Match naming it', async () => {
    const user = await given.user(off.app)
    await given.task(off.app, user)
    const etag = String((await list(off.app, user)).headers.etag)
    expect((await list(off.app, user, '', { 'if-none-match': etag })).statusCode).toBe(304)
    expect(off.app.listCache.stats.hits).toBe(0)
  })
})

describe('two instances on one database (one in embedded mode)', () => {
  const pair = useInstancePair()

  it('each serves what the other wrote at once: the caller reads its own writes on either', async () => {
    const { a, b } = pair
    const owner = await given.user(a.app, { name: 'Owner' })
    const member = await given.user(a.app)
    const team = await given.team(a.app, owner, { members: [{ user: member, role: 'member' }] })
    const project = await given.project(a.app, team, owner)
    const task = await given.task(a.app, owner, { title: 'first', projectId: project.id, assigneeId: owner.id })
    const query = `?teamId=${team.id}`

    for (const [writer, reader, name] of [
      [a, b, 'via a'],
      [b, a, 'via b'],
    ] as const) {
      await warm(reader.app, owner, query)
      await warm(reader.app, member, query)
      await succeeds(http(writer).patch(`/api/v1/tasks/${task.id}`, owner.auth, { title: name }))
      expect(await titles(reader.app, owner, query)).toEqual([name])
      expect(await titles(reader.app, member, query)).toEqual([name])
    }

    // a name is not in the log: the other instance hears of it through Redis pub/sub
    await warm(b.app, member, query)
    await succeeds(http(a).patch('/api/v1/users/me', owner.auth, { name: 'Renamed' }))
    const deadline = Date.now() + 5_000
    let shown: string | undefined
    while (Date.now() < deadline && shown !== 'Renamed') {
      shown = ((await list(b.app, member, query)).json().items as Task[])[0]!.assignee?.name
      if (shown !== 'Renamed') await new Promise((r) => setTimeout(r, 25))
    }
    expect(shown).toBe('Renamed')

    await warm(b.app, member, query)
    const removed = await http(a).del(`/api/v1/teams/${team.id}/members/${member.id}`, owner.auth)
    expect(removed.statusCode).toBe(204)
    expect((await list(b.app, member, query)).statusCode).toBe(404)
  })
})
