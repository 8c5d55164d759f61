import { describe, expect, it } from 'vitest'
import { type GivenUser, given } from '../../../test/given.ts'
import { useInstancePair } from '../../../test/pair.ts'
import { openSse, type SseClient } from '../../../test/sse.ts'

const p = useInstancePair()

const stream = (user: GivenUser) => openSse(`${p.baseB}/api/v1/events`, user.auth)
/** Every event that arrives until the stream stays quiet, as [type, teamId]. */
async function drain(sse: SseClient, quietMs = 800) {
  const seen: [string, unknown][] = []
  for (let e = await sse.none(quietMs); e; e = await sse.none(quietMs)) seen.push([e.event, e.data.teamId])
  return seen
}
/** The next event of a type and team, and the teams of the events skipped on the way. */
async function nextOf(sse: SseClient, type: string, teamId: string) {
  const skipped: unknown[] = []
  for (;;) {
    const e = await sse.next()
    if (e.event === type && e.data.teamId === teamId) return { event: e, skipped }
    skipped.push(e.data.teamId)
  }
}

describe("an open stream's visibility", () => {
  it("follows a global admin's demotion at once: no other team's events after it", async () => {
    const admin = await given.admin(p.a.app)
    const otherAdmin = await given.admin(p.a.app)
    const stranger = await given.user(p.a.app)
    const strangers = await given.team(p.a.app, stranger, { name: 'Not theirs' })
    const own = await given.team(p.a.app, admin, { name: 'Theirs' })
    const sse = await stream(admin)
    try {
      expect(sse.status).toBe(200)
      await given.project(p.a.app, strangers, stranger, { name: 'Seen while admin' })
      await nextOf(sse, 'project.created', strangers.id)

      const demoted = await p.a.app.inject({
        method: 'PATCH',
        url: `/api/v1/admin/users/${admin.id}`,
        headers: otherAdmin.auth,
        payload: { role: 'user' },
      })
      expect(demoted.statusCode, demoted.body).toBe(200)
      await given.project(p.a.app, strangers, stranger, { name: 'Secret after demotion' })
      await given.project(p.a.app, own, admin, { name: 'Still theirs' })
      // the stream is live (its own team's event arrives) and carries nothing of the other team
      const { skipped } = await nextOf(sse, 'project.created', own.id)
      expect(skipped.filter((teamId) => teamId === strangers.id)).toEqual([])
      expect((await drain(sse)).filter(([, teamId]) => teamId === strangers.id)).toEqual([])
    } finally {
      sse.close()
    }
  })

  it('follows a promotion to global admin and a new membership at once', async () => {
    const user = await given.user(p.a.app)
    const admin = await given.admin(p.a.app)
    const owner = await given.user(p.a.app)
    const team = await given.team(p.a.app, owner, { name: 'Joined later' })
    const other = await given.team(p.a.app, owner, { name: 'Seen as admin' })
    const sse = await stream(user)
    try {
      const added = await p.a.app.inject({
        method: 'POST',
        url: `/api/v1/teams/${team.id}/members`,
        headers: owner.auth,
        payload: { userId: user.id, role: 'member' },
      })
      expect(added.statusCode, added.body).toBe(201)
      await given.project(p.a.app, team, owner, { name: 'Now visible' })
      await nextOf(sse, 'project.created', team.id)

      const promoted = await p.a.app.inject({
        method: 'PATCH',
        url: `/api/v1/admin/users/${user.id}`,
        headers: admin.auth,
        payload: { role: 'admin' },
      })
      expect(promoted.statusCode).toBe(200)
      await given.project(p.a.app, other, owner, { name: 'Visible to an admin' })
      await nextOf(sse, 'project.created', other.id)
    } finally {
      sse.close()
    }
  })
})
