import { describe, expect, it } from 'vitest'
import { type GivenUser, given } from '../../../test/given.ts'
import { bearer, http } from '../../../test/http.ts'
import { useInstancePair } from '../../../test/pair.ts'
import { openSse, type SseClient } from '../../../test/sse.ts'

// The heartbeat's periodic check (every 15 s) would end a revoked stream by itself, within the
// wait below: pushed out of reach here, a stream ends only through the revocation's own
// invalidation (Redis pub/sub to the other instance), which is what 'at once' promises.
const p = useInstancePair({ eventHeartbeatMs: 30 * 60_000 })

type Auth = { authorization: string }
const stream = (auth: Auth | Record<string, never>, query = '') => openSse(`${p.baseB}/api/v1/events${query}`, auth)
// requests go through instance a (built in beforeAll, so read at each call)
const { get, post, del } = http({
  get app() {
    return p.a.app
  },
})
const ticketFor = async (auth: Auth) => {
  const res = await p.b.app.inject({ method: 'POST', url: '/api/v1/events/ticket', headers: auth })
  expect(res.statusCode, res.body).toBe(200)
  return res.json().ticket as string
}
/** A second sign-in of the same user: another session. */
const signInAgain = async (user: GivenUser) => {
  const res = await post('/api/v1/auth/login', {}, { email: user.email, password: user.password })
  expect(res.statusCode, res.body).toBe(200)
  return { auth: bearer(res.json().accessToken) }
}
/** Resolves true when the server closes the stream within the wait (generous: the machine is shared). */
const endsWithin = (sse: SseClient, ms = 15_000) =>
  Promise.race([sse.closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))])
/** Every event until the stream goes quiet or ends. */
async function drain(sse: SseClient) {
  const seen: string[] = []
  for (let e = await sse.none(800); e; e = await sse.none(300)) seen.push(e.event)
  return seen
}

/** A team where `user` is a member and another member makes changes. */
async function givenBusyTeam(user: GivenUser) {
  const owner = await given.user(p.a.app)
  const team = await given.team(p.a.app, owner)
  await given.membership(p.a.app, team, owner, user, 'member')
  return { owner, team }
}

describe('an open event stream and the credentials that opened it', () => {
  it('ends when a password change signs its session out, and the changing session keeps its own', async () => {
    const user = await given.user(p.a.app)
    const { owner, team } = await givenBusyTeam(user)
    const other = await signInAgain(user)
    const doomed = await stream(other.auth)
    const kept = await stream(user.auth)
    try {
      expect([doomed.status, kept.status]).toEqual([200, 200])
      const changed = await post('/api/v1/users/me/password', user.auth, {
        currentPassword: user.password,
        newPassword: 'another long passphrase 8Rt',
      })
      expect(changed.statusCode, changed.body).toBe(204)
      expect((await get('/api/v1/users/me', other.auth)).statusCode).toBe(401)
      await given.project(p.a.app, team, owner, { name: 'After the password change' })
      expect(await endsWithin(doomed)).toBe(true)
      expect(await drain(doomed)).not.toContain('project.created')
      // the session that changed the password is not signed out: its stream goes on
      for (let e = await kept.next(); ; e = await kept.next()) if (e.event === 'project.created') break
    } finally {
      doomed.close()
      kept.close()
    }
  })

  it('ends on logout-all, and a ticket issued before it no longer opens a stream', async () => {
    const user = await given.user(p.a.app)
    const { owner, team } = await givenBusyTeam(user)
    const other = await signInAgain(user)
    const open = await stream(other.auth)
    const ticket = await ticketFor(other.auth)
    try {
      expect(open.status).toBe(200)
      expect((await post('/api/v1/auth/logout-all', user.auth)).statusCode).toBe(204)
      await given.project(p.a.app, team, owner, { name: 'After logout-all' })
      expect(await endsWithin(open)).toBe(true)
      expect(await drain(open)).not.toContain('project.created')
      expect((await stream({}, `?ticket=${ticket}`)).status).toBe(401)
    } finally {
      open.close()
    }
  })

  it('ends when its personal access token is deleted, and so does a ticket the token took', async () => {
    const user = await given.user(p.a.app)
    const { owner, team } = await givenBusyTeam(user)
    const secret = await given.token(p.a.app, user, ['tasks:read'])
    const tokenId = (await get('/api/v1/tokens', user.auth)).json().items[0].id as string
    const open = await stream(bearer(secret))
    const ticket = await ticketFor(bearer(secret))
    try {
      expect(open.status).toBe(200)
      expect((await del(`/api/v1/tokens/${tokenId}`, user.auth)).statusCode).toBe(204)
      await given.project(p.a.app, team, owner, { name: 'After the token went' })
      expect(await endsWithin(open)).toBe(true)
      expect(await drain(open)).not.toContain('project.created')
      expect((await stream({}, `?ticket=${ticket}`)).status).toBe(401)
    } finally {
      open.close()
    }
  })

  it('opens a stream with a ticket of a session or token that still stands', async () => {
    const user = await given.user(p.a.app)
    for (const auth of [user.auth, bearer(await given.token(p.a.app, user, ['tasks:read']))]) {
      const viaTicket = await stream({}, `?ticket=${await ticketFor(auth)}`)
      expect(viaTicket.status).toBe(200)
      viaTicket.close()
    }
  })
})
