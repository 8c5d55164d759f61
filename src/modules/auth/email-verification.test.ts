import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { linkToken, login, mailTo } from '../../../test/accounts.ts'
import { createTestApp } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'
import { createWorkerApp, startSmtp, type WorkerTestApp } from '../../../test/worker-app.ts'

const BASE = 'https://tasklane.example.test'
type App = WorkerTestApp['app']

const register = (app: App, email: string) =>
  app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email, password: given.password, name: 'V' } })
const verify = (app: App, token: string) =>
  app.inject({ method: 'POST', url: '/api/v1/auth/verify-email', payload: { token } })
const me = async (app: App, accessToken: string) =>
  (
    await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: { authorization: `Bearer ${accessToken}` } })
  ).json()

describe('email verification', { timeout: 180_000 }, () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>
  let optional: WorkerTestApp
  let required: WorkerTestApp
  beforeAll(async () => {
    smtp = await startSmtp()
    const env = { SMTP_URL: smtp.url, PUBLIC_URL: BASE, EMAIL_VERIFICATION: 'optional' }
    optional = await createWorkerApp({ env })
    required = await createWorkerApp({ env: { ...env, EMAIL_VERIFICATION: 'required' } })
  })
  afterAll(async () => {
    await optional?.close()
    await required?.close()
    await smtp?.close()
  })
  const verifyLink = async (email: string, nth = 1) =>
    linkToken(await mailTo(smtp, email, /Verify your Tasklane email/, nth), '/verify-email', BASE)

  it('optional: a new account signs in at once and gets a link that verifies its address, once', async () => {
    const email = given.email('optional')
    const res = await register(optional.app, email)
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json().user.emailVerified).toBe(false)
    const mail = await mailTo(smtp, email, /Verify your Tasklane email/)
    expect(mail.raw).toContain('text/plain')
    expect(mail.raw).toContain('text/html')
    const token = await verifyLink(email)
    expect((await verify(optional.app, token)).statusCode).toBe(204)
    expect((await me(optional.app, res.json().accessToken)).emailVerified).toBe(true)
    expect((await verify(optional.app, token)).statusCode).toBe(400)
  })

  it('required: no session until the address is verified; signing in sends a new link', async () => {
    const email = given.email('required')
    const res = await register(required.app, email)
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json()).toEqual({
      user: expect.objectContaining({ email, emailVerified: false }),
      emailVerificationRequired: true,
    })
    const refused = await login(required.app, email, given.password)
    expect(refused.statusCode).toBe(403)
    expect(refused.json().type).toBe('urn:tasklane:problem:email-not-verified')
    // a wrong password is still the plain 401: the 403 tells nothing to someone without it
    expect((await login(required.app, email, 'not the password at all')).statusCode).toBe(401)
    const second = await verifyLink(email, 2)
    expect((await verify(required.app, second)).statusCode).toBe(204)
    const session = await login(required.app, email, given.password)
    expect(session.statusCode, session.body).toBe(200)
    expect(session.json().user.emailVerified).toBe(true)
    expect((await required.app.inject({ method: 'GET', url: '/api/v1/auth/settings' })).json()).toMatchObject({
      emailVerification: 'required',
    })
  })

  it('changes the address only once the link sent to the new one is used, and tells the old one', async () => {
    const user = await given.user(optional.app)
    const next = given.email('moved')
    const change = (payload: object) =>
      optional.app.inject({ method: 'POST', url: '/api/v1/users/me/email', headers: user.auth, payload })
    expect((await change({ email: next, currentPassword: 'wrong password here' })).statusCode).toBe(403)
    const taken = await given.user(optional.app)
    expect((await change({ email: taken.email, currentPassword: user.password })).statusCode).toBe(409)
    expect((await change({ email: next, currentPassword: user.password })).statusCode).toBe(202)
    expect((await me(optional.app, user.accessToken)).email).toBe(user.email)

    const token = linkToken(await mailTo(smtp, next, /Confirm your new Tasklane email/), '/verify-email', BASE)
    expect((await verify(optional.app, token)).statusCode).toBe(204)
    expect(await me(optional.app, user.accessToken)).toMatchObject({ email: next, emailVerified: true })
    const notice = await mailTo(smtp, user.email, /email address was changed/)
    expect(notice.raw).toContain(next)
    // sent by the worker as every email: a plain-text and an HTML part
    for (const mail of [notice, await mailTo(smtp, next, /Confirm your new Tasklane email/)]) {
      expect(mail.raw).toContain('text/plain')
      expect(mail.raw).toContain('text/html')
    }
    expect((await login(optional.app, next, user.password)).statusCode).toBe(200)
    expect((await login(optional.app, user.email, user.password)).statusCode).toBe(401)
  })

  it('off: no verification email; an address changes at once and is unverified', async () => {
    const off = await createTestApp({ env: { EMAIL_VERIFICATION: 'off' } })
    try {
      const user = await given.user(off.app)
      const next = given.email('direct')
      const res = await off.app.inject({
        method: 'POST',
        url: '/api/v1/users/me/email',
        headers: user.auth,
        payload: { email: next, currentPassword: user.password },
      })
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json()).toMatchObject({ email: next, emailVerified: false })
      const resend = await off.app.inject({ method: 'POST', url: '/api/v1/users/me/verify-email', headers: user.auth })
      expect(resend.statusCode).toBe(409)
    } finally {
      await off.close()
    }
  })
})
