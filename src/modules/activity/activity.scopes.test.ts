import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { type GivenUser, given } from '../../../test/given.ts'
import { bearer, http } from '../../../test/http.ts'
import { openSse, type SseClient, type SseEvent } from '../../../test/sse.ts'

const t = useTestApp()
let base = ''
beforeAll(async () => {
  base = await t.app.listen({ port: 0, host: '127.0.0.1' })
})

type Entry = { action: string; entityType: string; changes: Record<string, unknown> }
const SECRET = 'CONFIDENTIAL merger plan'

/** A team with a project, where the owner writes a shared note (title and body secret) and a task. */
async function givenTeamWithNote() {
  const owner = await given.user(t.app)
  const team = await given.team(t.app, owner)
  const project = await given.project(t.app, team, owner)
  const reader = await given.member(t.app, team, owner, 'member')
  return { owner, team, project, reader }
}

async function writeNoteAndTask(owner: GivenUser, projectId: string) {
  const note = await post('/api/v1/notes', owner.auth, { title: SECRET, body: `${SECRET}: the body`, projectId })
  expect(note.statusCode, note.body).toBe(201)
  const edit = await patch(`/api/v1/notes/${note.json().id}`, owner.auth, { body: `${SECRET}: v2` })
  expect(edit.statusCode, edit.body).toBe(200)
  await given.task(t.app, owner, { title: 'An ordinary task', projectId })
}

const { get, post, patch } = http(t)
/** The items of an activity or change list, which must answer 200. */
const entries = async (url: string, headers: Record<string, string>): Promise<Entry[]> => {
  const res = await get(url, headers)
  expect(res.statusCode, res.body).toBe(200)
  return res.json().items
}
const types = (items: { entityType: string }[]) => [...new Set(items.map((i) => i.entityType))].sort()

/** The events up to and including the task's `task.created`. */
async function eventsUntilTask(sse: SseClient): Promise<SseEvent[]> {
  const seen: SseEvent[] = []
  for (;;) {
    const e = await sse.next()
    seen.push(e)
    if (e.event === 'task.created') return seen
  }
}

describe('entries the caller’s scopes do not cover', () => {
  it('are left out of the activity list and the change feed for a tasks:read token, and shown to wider ones', async () => {
    const { owner, team, project, reader } = await givenTeamWithNote()
    await writeNoteAndTask(owner, project.id)
    const tasksOnly = bearer(await given.token(t.app, reader, ['tasks:read']))
    for (const url of [`/api/v1/activity?teamId=${team.id}`, `/api/v1/changes?teamId=${team.id}`]) {
      const items = await entries(url, tasksOnly)
      expect(types(items), url).toEqual(['task'])
      expect(JSON.stringify(items)).not.toContain(SECRET)
    }
    // files:read reads notes (GET /notes/:id), so it reads their entries; teams:read the team's own
    const wide = bearer(await given.token(t.app, reader, ['tasks:read', 'files:read', 'teams:read', 'projects:read']))
    const all = await entries(`/api/v1/changes?teamId=${team.id}`, wide)
    expect(types(all)).toEqual(['member', 'note', 'project', 'task', 'team'])
    expect(types(await entries(`/api/v1/activity?teamId=${team.id}`, reader.auth))).toEqual(types(all))
    expect(all.map((i) => i.action)).toEqual(expect.arrayContaining(['note.created', 'note.updated']))
  })

  it('never reach a tasks:read token’s event stream, by bearer or by a ticket the token took', async () => {
    const { owner, project, reader } = await givenTeamWithNote()
    const token = await given.token(t.app, reader, ['tasks:read'])
    const ticket = await t.app.inject({ method: 'POST', url: '/api/v1/events/ticket', headers: bearer(token) })
    expect(ticket.statusCode).toBe(200)
    const byBearer = await openSse(`${base}/api/v1/events`, bearer(token))
    const byTicket = await openSse(`${base}/api/v1/events?ticket=${ticket.json().ticket}`)
    const session = await openSse(`${base}/api/v1/events`, reader.auth)
    try {
      for (const sse of [byBearer, byTicket, session]) expect(sse.status).toBe(200)
      await writeNoteAndTask(owner, project.id)
      for (const sse of [byBearer, byTicket]) {
        const seen = await eventsUntilTask(sse)
        expect(seen.map((e) => e.data.entityType)).toEqual(['task'])
        expect(JSON.stringify(seen)).not.toContain(SECRET)
      }
      expect((await eventsUntilTask(session)).map((e) => e.event)).toEqual([
        'note.created',
        'note.updated',
        'task.created',
      ])
    } finally {
      for (const sse of [byBearer, byTicket, session]) sse.close()
    }
  })
})
