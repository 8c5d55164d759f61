import { describe, expect, it } from 'vitest'
import { type GivenUser, given } from '../../../test/given.ts'
import { useInstancePair } from '../../../test/pair.ts'
import { openSse, type SseClient, type SseEvent } from '../../../test/sse.ts'

// two instances on PostgreSQL and Redis (the delete on one, the streams on the other); one embedded
const p = useInstancePair()

type Entry = { id: number; action: string; entityId: string; teamId: string | null }

const stream = (user: GivenUser, lastEventId: number) =>
  openSse(`${p.baseB}/api/v1/events`, { ...user.auth, 'last-event-id': String(lastEventId) })

/** The events of a stream up to its `team.deleted`. */
async function untilTeamDeleted(sse: SseClient): Promise<SseEvent[]> {
  const seen: SseEvent[] = []
  for (;;) {
    const e = await sse.next()
    seen.push(e)
    if (e.event === 'team.deleted') return seen
  }
}

async function feed(user: GivenUser, after: number): Promise<Entry[]> {
  const res = await p.b.app.inject({
    method: 'GET',
    url: `/api/v1/changes?after=${after}&limit=100`,
    headers: user.auth,
  })
  expect(res.statusCode, res.body).toBe(200)
  return res.json().items
}

async function activityList(user: GivenUser): Promise<Entry[]> {
  const res = await p.b.app.inject({ method: 'GET', url: '/api/v1/activity?limit=100', headers: user.auth })
  expect(res.statusCode, res.body).toBe(200)
  return res.json().items
}

const lastEntryId = async () =>
  Number((await p.a.database.sql.query<{ id: string }>('select max(id) as id from activity')).rows[0]!.id)

/** A team with a member, a project and a task, and the log position before the delete. */
async function teamAboutToGo() {
  const owner = await given.user(p.a.app, { name: 'Owner' })
  const team = await given.team(p.a.app, owner, { name: 'Going away' })
  const member = await given.member(p.a.app, team, owner, 'member')
  const project = await given.project(p.a.app, team, owner)
  const task = await p.a.app.inject({
    method: 'POST',
    url: '/api/v1/tasks',
    headers: owner.auth,
    payload: { title: 'Doomed', projectId: project.id },
  })
  expect(task.statusCode, task.body).toBe(201)
  const outsider = await given.user(p.a.app, { name: 'Outsider' })
  return { owner, member, outsider, team, project, taskId: task.json().id as string, mark: await lastEntryId() }
}

const deleteTeam = async (owner: GivenUser, teamId: string) => {
  const res = await p.a.app.inject({ method: 'DELETE', url: `/api/v1/teams/${teamId}`, headers: owner.auth })
  expect(res.statusCode, res.body).toBe(204)
}

describe('a deleted team, as its former members see it', () => {
  it('reaches their open streams with team.deleted and the deletions of its projects and tasks', async () => {
    const w = await teamAboutToGo()
    const streams = [await stream(w.owner, w.mark), await stream(w.member, w.mark)]
    const outsider = await stream(w.outsider, w.mark)
    try {
      for (const sse of [...streams, outsider]) expect(sse.status).toBe(200)
      await deleteTeam(w.owner, w.team.id)
      for (const sse of streams) {
        const seen = await untilTeamDeleted(sse)
        expect(seen.at(-1)!.data).toMatchObject({ entityId: w.team.id, teamId: w.team.id })
        // the deletions follow team.deleted: the project's and the task's arrive too
        const rest = [await sse.next(), await sse.next()].map((e) => [e.event, e.data.entityId])
        expect(rest).toEqual(
          expect.arrayContaining([
            ['project.deleted', w.project.id],
            ['task.deleted', w.taskId],
          ]),
        )
      }
      expect((await outsider.none(800))?.event).toBeUndefined()
    } finally {
      for (const sse of [...streams, outsider]) sse.close()
    }
  })

  it('is on their change feed and activity list, and on nobody else’s', async () => {
    const w = await teamAboutToGo()
    await deleteTeam(w.owner, w.team.id)
    for (const user of [w.owner, w.member]) {
      const items = await feed(user, w.mark)
      expect(items.map((e) => [e.action, e.entityId])).toEqual([
        ['team.deleted', w.team.id],
        ['project.deleted', w.project.id],
        ['task.deleted', w.taskId],
      ])
      const listed = (await activityList(user)).filter((e) => e.teamId === w.team.id).map((e) => e.action)
      expect(listed).toEqual(['task.deleted', 'project.deleted', 'team.deleted'])
    }
    expect(await feed(w.outsider, w.mark)).toEqual([])
    // what the team held before its deletion stays theirs no more: only the deletion is shown
    const older = (await feed(w.member, 0)).filter((e) => e.teamId === w.team.id && e.id <= w.mark)
    expect(older).toEqual([])
  })

  it('is not shown to someone who had left the team before: they see only that they left', async () => {
    const w = await teamAboutToGo()
    const left = await p.a.app.inject({
      method: 'DELETE',
      url: `/api/v1/teams/${w.team.id}/members/${w.member.id}`,
      headers: w.member.auth,
    })
    expect(left.statusCode).toBe(204)
    await deleteTeam(w.owner, w.team.id)
    const theirs = (await feed(w.member, w.mark)).filter((e) => e.teamId === w.team.id)
    expect(theirs.map((e) => [e.action, e.entityId])).toEqual([['member.removed', w.member.id]])
    expect((await feed(w.owner, w.mark)).map((e) => e.action)).toContain('team.deleted')
  })
})

describe('a member removed from a team, as they see it', () => {
  it('reaches their open stream, feed and activity list as their own member.removed, and nothing of the team after', async () => {
    const w = await teamAboutToGo()
    const sse = await stream(w.member, w.mark)
    try {
      expect(sse.status).toBe(200)
      const removed = await p.a.app.inject({
        method: 'DELETE',
        url: `/api/v1/teams/${w.team.id}/members/${w.member.id}`,
        headers: w.owner.auth,
      })
      expect(removed.statusCode, removed.body).toBe(204)
      const e = await sse.next()
      expect([e.event, e.data.entityId, e.data.teamId]).toEqual(['member.removed', w.member.id, w.team.id])
      // what the team does next is not theirs to see
      const renamed = await p.a.app.inject({
        method: 'PATCH',
        url: `/api/v1/teams/${w.team.id}`,
        headers: w.owner.auth,
        payload: { name: 'Renamed without them' },
      })
      expect(renamed.statusCode, renamed.body).toBe(200)
      expect((await sse.none(800))?.event).toBeUndefined()
    } finally {
      sse.close()
    }
    const theirs = (await feed(w.member, w.mark)).filter((e) => e.teamId === w.team.id)
    expect(theirs.map((e) => [e.action, e.entityId])).toEqual([['member.removed', w.member.id]])
    const listed = (await activityList(w.member)).filter((e) => e.teamId === w.team.id)
    expect(listed.map((e) => e.action)).toEqual(['member.removed'])
    // another member's removal stays invisible to them
    const other = await given.member(p.a.app, w.team, w.owner, 'member')
    const gone = await p.a.app.inject({
      method: 'DELETE',
      url: `/api/v1/teams/${w.team.id}/members/${other.id}`,
      headers: w.owner.auth,
    })
    expect(gone.statusCode).toBe(204)
    expect((await feed(w.member, w.mark)).filter((e) => e.teamId === w.team.id)).toHaveLength(1)
  })
})
