import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { linkToken, mailTo } from '../../../test/accounts.ts'
import { createTestApp, type TestApp } from '../../../test/app.ts'
import { type GivenUser, given } from '../../../test/given.ts'
import { createWorkerApp, startSmtp, type WorkerTestApp } from '../../../test/worker-app.ts'
import { sha256 } from '../../lib/crypto.ts'

const BASE = 'https://tasklane.example.test'

describe('team invitations', { timeout: 120_000 }, () => {
  let t: WorkerTestApp
  let smtp: Awaited<ReturnType<typeof startSmtp>>
  // the same database under REGISTRATION=invite, running no jobs
  let byInvite: TestApp
  beforeAll(async () => {
    smtp = await startSmtp()
    t = await createWorkerApp({ env: { SMTP_URL: smtp.url, PUBLIC_URL: BASE } })
    byInvite = await createTestApp({ database: t.database, env: { REGISTRATION: 'invite' } })
  })
  afterAll(async () => {
    await byInvite?.close()
    await t?.close()
    await smtp?.close()
  })

  const invite = (by: GivenUser, teamId: string, email: string, role = 'member') =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/teams/${teamId}/invitations`,
      headers: by.auth,
      payload: { email, role },
    })
  const invitationLink = async (email: string, nth = 1) =>
    linkToken(await mailTo(smtp, email, /invited you to/, nth), '/invitations/accept', BASE)
  const register = (app: TestApp['app'], email: string, invitationToken?: string) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email, password: given.password, name: 'Newcomer', ...(invitationToken ? { invitationToken } : {}) },
    })
  const members = async (by: GivenUser, teamId: string) =>
    (await t.app.inject({ method: 'GET', url: `/api/v1/teams/${teamId}/members`, headers: by.auth })).json().items as {
      email: string
      role: string
    }[]
  const accept = (user: GivenUser, token: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/invitations/accept', headers: user.auth, payload: { token } })

  it('invites an address, whose owner registers with the link (even when registration is by invitation) and joins', async () => {
    const owner = await given.user(t.app, { name: 'Olga Owner' })
    const team = await given.team(t.app, owner, { name: 'Rocket <Team>' })
    const email = given.email('invitee')
    const res = await invite(owner, team.id, email, 'admin')
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json()).toMatchObject({
      outcome: 'invited',
      invitation: { email, role: 'admin', status: 'pending', invitedBy: { id: owner.id, name: 'Olga Owner' } },
    })
    const mail = await mailTo(smtp, email, /invited you to/)
    expect(mail.subject).toBe('Olga Owner invited you to Rocket <Team> on Tasklane')
    expect(mail.raw).toContain('Rocket &lt;Team&gt;')
    expect(mail.raw).toContain('text/plain')
    expect(mail.raw).toContain('text/html')
    const token = linkToken(mail, '/invitations/accept', BASE)
    // the link's secret is stored only as its SHA-256
    const stored = await t.database.sql.query<Record<string, unknown>>('select * from team_invitations where id = $1', [
      res.json().invitation.id,
    ])
    expect(stored.rows[0]!.token_hash).toBe(sha256(token))
    expect(JSON.stringify(stored.rows)).not.toContain(token)

    const preview = await t.app.inject({ method: 'POST', url: '/api/v1/invitations/preview', payload: { token } })
    expect(preview.json()).toMatchObject({ teamName: 'Rocket <Team>', email, role: 'admin', invitedBy: 'Olga Owner' })

    // by invitation only: without the token, no account; with another address, none either
    expect((await register(byInvite.app, email)).statusCode).toBe(403)
    const other = given.email('other')
    const wrong = await register(byInvite.app, other, token)
    expect(wrong.statusCode).toBe(400)
    expect(wrong.json().errors[0].path).toBe('body.email')
    expect((await t.database.sql.query('select 1 from users where email = $1', [other])).rows).toEqual([])

    const joined = await register(byInvite.app, email, token)
    expect(joined.statusCode, joined.body).toBe(201)
    expect(await members(owner, team.id)).toContainEqual(expect.objectContaining({ email, role: 'admin' }))
    // spent: neither another registration nor an acceptance takes it again
    expect((await register(byInvite.app, given.email(), token)).statusCode).toBe(400)
    const listed = await t.app.inject({
      method: 'GET',
      url: `/api/v1/teams/${team.id}/invitations`,
      headers: owner.auth,
    })
    expect(listed.json().items).toEqual([])
  })

  it('lets a signed-in user accept (once), and adds a registered address at once', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const email = given.email('later')
    await invite(owner, team.id, email, 'viewer')
    const token = await invitationLink(email)
    const someone = await given.user(t.app)
    const res = await accept(someone, token)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toEqual({ teamId: team.id, teamName: team.name, role: 'viewer' })
    const reused = await accept(await given.user(t.app), token)
    expect(reused.statusCode).toBe(400)
    expect(reused.json().errors[0].path).toBe('body.token')

    const registered = await given.user(t.app)
    const added = await invite(owner, team.id, registered.email.toUpperCase(), 'member')
    expect(added.statusCode).toBe(201)
    expect(added.json()).toMatchObject({ outcome: 'added', member: { userId: registered.id, role: 'member' } })
  })

  it('refuses an expired link; resend renews it and kills the older link', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const email = given.email('slow')
    const created = (await invite(owner, team.id, email)).json().invitation
    const first = await invitationLink(email)
    // 7 days later
    await t.database.sql.query(`update team_invitations set expires_at = now() - interval '1 second' where id = $1`, [
      created.id,
    ])
    expect((await register(t.app, email, first)).statusCode).toBe(400)
    const listed = await t.app.inject({
      method: 'GET',
      url: `/api/v1/teams/${team.id}/invitations`,
      headers: owner.auth,
    })
    expect(listed.json().items).toEqual([expect.objectContaining({ id: created.id, status: 'expired' })])

    const resent = await t.app.inject({
      method: 'POST',
      url: `/api/v1/teams/${team.id}/invitations/${created.id}/resend`,
      headers: owner.auth,
    })
    expect(resent.statusCode, resent.body).toBe(200)
    expect(resent.json().status).toBe('pending')
    const second = await invitationLink(email, 2)
    expect(second).not.toBe(first)
    expect((await register(t.app, email, first)).statusCode).toBe(400)
    expect((await register(t.app, email, second)).statusCode).toBe(201)
  })

  it('revokes: the link stops working; a second open invitation of an address is a 409', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const email = given.email('revoked')
    const created = (await invite(owner, team.id, email)).json().invitation
    expect((await invite(owner, team.id, email)).statusCode).toBe(409)
    const token = await invitationLink(email)
    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/teams/${team.id}/invitations/${created.id}`,
      headers: owner.auth,
    })
    expect(revoked.statusCode).toBe(204)
    expect((await register(t.app, email, token)).statusCode).toBe(400)
    const preview = await t.app.inject({ method: 'POST', url: '/api/v1/invitations/preview', payload: { token } })
    expect(preview.statusCode).toBe(404)
    // revoked, the address may be invited again
    expect((await invite(owner, team.id, email)).statusCode).toBe(201)
  })

  it('is for team admins: a member gets 403, an outsider 404, only an owner invites an owner', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const admin = await given.member(t.app, team, owner, 'admin')
    const member = await given.member(t.app, team, owner, 'member')
    const outsider = await given.user(t.app)
    expect((await invite(member, team.id, given.email())).statusCode).toBe(403)
    expect((await invite(outsider, team.id, given.email())).statusCode).toBe(404)
    expect((await invite(admin, team.id, given.email(), 'owner')).statusCode).toBe(403)
    expect((await invite(owner, team.id, given.email(), 'owner')).statusCode).toBe(201)
    const list = (by: GivenUser) =>
      t.app.inject({ method: 'GET', url: `/api/v1/teams/${team.id}/invitations`, headers: by.auth })
    expect((await list(member)).statusCode).toBe(403)
    expect((await list(outsider)).statusCode).toBe(404)
    expect((await list(admin)).json().items).toHaveLength(1)
  })
})
