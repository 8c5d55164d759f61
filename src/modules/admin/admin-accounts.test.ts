import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { confirmReset, linkToken, login, mailTo } from '../../../test/accounts.ts'
import { createTestApp, type TestApp } from '../../../test/app.ts'
import { type GivenUser, given } from '../../../test/given.ts'
import { createWorkerApp, startSmtp, type WorkerTestApp } from '../../../test/worker-app.ts'

const BASE = 'https://tasklane.example.test'

describe('accounts made by an administrator', { timeout: 90_000 }, () => {
  let t: WorkerTestApp
  let smtp: Awaited<ReturnType<typeof startSmtp>>
  let admin: GivenUser
  let open: TestApp
  beforeAll(async () => {
    smtp = await startSmtp()
    t = await createWorkerApp({ env: { SMTP_URL: smtp.url, PUBLIC_URL: BASE, REGISTRATION: 'closed' } })
    // the first admin, made as the seed command would; an app that runs no jobs (it would take the emails)
    open = await createTestApp({ database: t.database, env: { REGISTRATION: 'open' } })
    admin = await given.admin(open.app)
  })
  afterAll(async () => {
    await open?.close()
    await t?.close()
    await smtp?.close()
  })
  const create = (by: GivenUser, payload: object) =>
    t.app.inject({ method: 'POST', url: '/api/v1/admin/users', headers: by.auth, payload })
  const sendLink = (by: GivenUser, id: string) =>
    t.app.inject({ method: 'POST', url: `/api/v1/admin/users/${id}/password-reset`, headers: by.auth })

  it('creates an account without a password and emails a link to choose one', async () => {
    const email = given.email('welcome')
    const res = await create(admin, { email, name: 'Wendy Welcome', role: 'admin' })
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json()).toMatchObject({ email, name: 'Wendy Welcome', role: 'admin', disabled: false })
    // nobody can sign in to it before the link is used
    expect((await login(t.app, email, 'any password at all')).statusCode).toBe(401)
    const mail = await mailTo(smtp, email, /account is ready/)
    expect(mail.raw).toContain('text/html')
    const token = linkToken(mail, '/reset-password', BASE)
    expect((await confirmReset(t.app, token, given.password)).statusCode).toBe(204)
    const session = await login(t.app, email, given.password)
    expect(session.statusCode).toBe(200)
    // a new account like any other: its personal team (as an admin it sees the others' too)
    const teams = await t.app.inject({
      method: 'GET',
      url: '/api/v1/teams',
      headers: { authorization: `Bearer ${session.json().accessToken}` },
    })
    const own = teams.json().items.filter((team: { role: string | null }) => team.role === 'owner')
    expect(own).toEqual([expect.objectContaining({ personal: true })])
  })

  it('refuses a taken email (409), bad input (400) and a caller who is not an administrator (403)', async () => {
    const someone = await given.user(open.app)
    expect((await create(admin, { email: someone.email.toUpperCase(), name: 'Dup' })).statusCode).toBe(409)
    expect((await create(admin, { email: given.email(), name: 'X', password: 'baseball' })).statusCode).toBe(400)
    expect((await create(admin, { email: given.email(), name: 'X', disabled: true })).statusCode).toBe(400)
    const email = given.email()
    expect((await create(someone, { email, name: 'X', password: given.password })).statusCode).toBe(403)
    const rows = await t.database.sql.query('select 1 from users where email = $1', [email])
    expect(rows.rows).toEqual([])
  })

  it('sends an existing user a link to set a new password; 404 for an unknown user, 409 for a disabled one', async () => {
    const email = given.email('forgetful')
    const made = (await create(admin, { email, name: 'Fred', password: given.password })).json()
    const res = await sendLink(admin, made.id)
    expect(res.statusCode, res.body).toBe(202)
    const token = linkToken(await mailTo(smtp, email, /Set your Tasklane password/), '/reset-password', BASE)
    expect((await confirmReset(t.app, token, 'fred chose another one 5')).statusCode).toBe(204)
    expect((await login(t.app, email, 'fred chose another one 5')).statusCode).toBe(200)

    expect((await sendLink(admin, randomUUID())).statusCode).toBe(404)
    await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/users/${made.id}`,
      headers: admin.auth,
      payload: { disabled: true },
    })
    expect((await sendLink(admin, made.id)).statusCode).toBe(409)
  })
})
