import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'
import { openSse, type SseClient } from '../../../test/sse.ts'

const t = useTestApp()
let base = ''
beforeAll(async () => {
  base = await t.app.listen({ port: 0, host: '127.0.0.1' })
})

const stream = (headers: Record<string, string>, query = '') => openSse(`${base}/api/v1/events${query}`, headers)
const ticketFor = async (auth: { authorization: string }) => {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/events/ticket', headers: auth })
  expect(res.statusCode, res.body).toBe(200)
  return res.json() as { ticket: string; expiresIn: number }
}
/** The next event of a type (and of a team, when given), skipping others such as a new user's Inbox. */
const nextOf = async (sse: SseClient, type: string, teamId?: string, timeoutMs = 15_000) => {
  for (;;) {
    const e = await sse.next(timeoutMs)
    if (e.event === type && (!teamId || e.data.teamId === teamId)) return e
  }
}

describe('GET /events', () => {
  it('streams the changes of my teams with id, event and data', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const sse = await stream(owner.auth)
    try {
      expect(sse.status).toBe(200)
      expect(sse.headers['content-type']).toMatch(/^text\/event-stream/)
      const project = await given.project(t.app, team, owner, { name: 'Live' })
      const e = await nextOf(sse, 'project.created', team.id)
      expect(Number(e.id)).toBeGreaterThan(0)
      expect(e.data).toMatchObject({
        type: 'project.created',
        entityId: project.id,
        teamId: team.id,
        projectId: project.id,
        at: expect.stringMatching(/Z$/),
      })
    } finally {
      sse.close()
    }
  })

  it('answers 401 without credentials, with a bad ticket, and with a bad token', async () => {
    expect((await stream({})).status).toBe(401)
    expect((await stream({}, '?ticket=nope')).status).toBe(401)
    expect((await stream({ authorization: 'Bearer nope' })).status).toBe(401)
  })

  it('accepts a ticket once, and not after it expired', async () => {
    const user = await given.user(t.app)
    const { ticket, expiresIn } = await ticketFor(user.auth)
    expect(expiresIn).toBe(60)
    const first = await stream({}, `?ticket=${ticket}`)
    expect(first.status).toBe(200)
    first.close()
    expect((await stream({}, `?ticket=${ticket}`)).status).toBe(401)
    const late = await ticketFor(user.auth)
    await t.database.sql.query(`update event_tickets set expires_at = now() - interval '1 second'`)
    expect((await stream({}, `?ticket=${late.ticket}`)).status).toBe(401)
  })

  it('needs the tasks:read scope for a personal access token', async () => {
    const user = await given.user(t.app)
    const teamsOnly = await given.token(t.app, user, ['teams:read'])
    expect((await stream({ authorization: `Bearer ${teamsOnly}` })).status).toBe(403)
    const reader = await given.token(t.app, user, ['tasks:read'])
    const ok = await stream({ authorization: `Bearer ${reader}` })
    expect(ok.status).toBe(200)
    ok.close()
  })

  it("never carries another team's events, and stops a removed member's at once (after their own removal)", async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const member = await given.member(t.app, team, owner, 'member')
    const outsider = await given.user(t.app)
    const memberStream = await stream(member.auth)
    const outsiderStream = await stream(outsider.auth)
    try {
      await given.project(t.app, team, owner, { name: 'Seen' })
      expect((await nextOf(memberStream, 'project.created', team.id)).data.teamId).toBe(team.id)
      const removed = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/teams/${team.id}/members/${member.id}`,
        headers: owner.auth,
      })
      expect(removed.statusCode).toBe(204)
      await given.project(t.app, team, owner, { name: 'Unseen' })
      // the next project.created would arrive within the wait; nothing of this team may come but
      // the news of their own removal
      const seen = []
      for (let e = await memberStream.none(800); e; e = await memberStream.none(300)) seen.push(e)
      expect(seen.filter((e) => e.data.teamId === team.id).map((e) => [e.event, e.data.entityId])).toEqual([
        ['member.removed', member.id],
      ])
      expect(await outsiderStream.none(300)).toBeUndefined()
    } finally {
      memberStream.close()
      outsiderStream.close()
    }
  })

  it('replays everything after Last-Event-ID, then continues live, with no gap and no duplicate', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const first = await stream(owner.auth)
    await given.project(t.app, team, owner, { name: 'p1' })
    const e1 = await nextOf(first, 'project.created', team.id)
    first.close()
    // changes made while disconnected
    await given.project(t.app, team, owner, { name: 'p2' })
    await given.project(t.app, team, owner, { name: 'p3' })
    const resumed = await stream({ ...owner.auth, 'last-event-id': e1.id })
    try {
      const replayed = [await resumed.next(), await resumed.next()]
      expect(replayed.map((e) => e.event)).toEqual(['project.created', 'project.created'])
      await given.project(t.app, team, owner, { name: 'p4' })
      const live = await resumed.next()
      const ids = [e1, ...replayed, live].map((e) => Number(e.id))
      expect(ids).toEqual([...ids].sort((a, b) => a - b))
      expect(new Set(ids).size).toBe(4)
      const names = await Promise.all(
        [...replayed, live].map(async (e) => {
          const res = await t.app.inject({
            method: 'GET',
            url: `/api/v1/projects/${e.data.entityId}`,
            headers: owner.auth,
          })
          return res.json().name
        }),
      )
      expect(names).toEqual(['p2', 'p3', 'p4'])
    } finally {
      resumed.close()
    }
  })

  it('rejects a malformed Last-Event-ID', async () => {
    const user = await given.user(t.app)
    expect((await stream({ ...user.auth, 'last-event-id': 'abc' })).status).toBe(400)
  })

  it('caps the open streams of one user', async () => {
    const user = await given.user(t.app)
    const open: SseClient[] = []
    try {
      for (let i = 0; i < 5; i++) {
        const s = await stream(user.auth)
        expect(s.status).toBe(200)
        open.push(s)
      }
      expect((await stream(user.auth)).status).toBe(429)
    } finally {
      for (const s of open) s.close()
    }
  })
})

describe('GET /changes', () => {
  it('lists entries after an id, oldest first, deletions included, page by page', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const start = await t.app.inject({ method: 'GET', url: `/api/v1/changes?teamId=${team.id}`, headers: owner.auth })
    expect(start.statusCode).toBe(200)
    const lastId = Math.max(0, ...start.json().items.map((i: { id: number }) => i.id))
    const project = await given.project(t.app, team, owner, { name: 'Doomed' })
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/projects/${project.id}`, headers: owner.auth })
    expect(del.statusCode).toBe(204)
    const page1 = await t.app.inject({
      method: 'GET',
      url: `/api/v1/changes?teamId=${team.id}&after=${lastId}&limit=1`,
      headers: owner.auth,
    })
    expect(page1.json().items.map((i: { action: string }) => i.action)).toEqual(['project.created'])
    const page2 = await t.app.inject({
      method: 'GET',
      url: `/api/v1/changes?teamId=${team.id}&after=${page1.json().nextCursor}&limit=10`,
      headers: owner.auth,
    })
    expect(page2.json().items.map((i: { action: string }) => i.action)).toEqual(['project.deleted'])
    expect(page2.json().nextCursor).toBeNull()
  })

  it('follows ?cursor= like every list (the same as after=), and refuses parameters it does not know', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    for (const name of ['A', 'B', 'C']) await given.project(t.app, team, owner, { name })
    const feed = (query: string) =>
      t.app.inject({ method: 'GET', url: `/api/v1/changes?teamId=${team.id}&limit=1${query}`, headers: owner.auth })
    const seen: number[] = []
    let cursor: string | null = null
    do {
      const res = await feed(cursor ? `&cursor=${cursor}` : '')
      expect(res.statusCode, res.body).toBe(200)
      seen.push(...res.json().items.map((i: { id: number }) => i.id))
      cursor = res.json().nextCursor
    } while (cursor && seen.length < 10)
    // team.created and three project.created: each once, in order
    expect(seen).toHaveLength(4)
    expect(seen).toEqual([...new Set(seen)].sort((a, b) => a - b))
    const [first, second] = seen as [number, number]
    expect((await feed(`&after=${first}&cursor=${first}`)).json().items[0].id).toBe(second)
    const both = await feed(`&after=${first}&cursor=${second}`)
    expect(both.statusCode).toBe(400)
    expect(both.json().errors[0].path).toBe('query.cursor')
    const unknown = await feed(`&curser=${first}`)
    expect(unknown.statusCode).toBe(400)
    expect(unknown.json().errors).toEqual([{ path: 'query.curser', message: 'unknown parameter' }])
    expect((await feed('&cursor=abc')).json().errors[0].path).toBe('query.cursor')
  })

  it("answers 404 for a team the caller is not in, and never lists another team's entries", async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const stranger = await given.user(t.app)
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/changes?teamId=${team.id}`, headers: stranger.auth })
    expect(res.statusCode).toBe(404)
    const all = await t.app.inject({ method: 'GET', url: '/api/v1/changes?limit=100', headers: stranger.auth })
    expect(all.json().items.every((i: { teamId: string | null }) => i.teamId !== team.id)).toBe(true)
  })
})
