import { describe, expect, it } from 'vitest'
import { confirmReset, linkToken, login, mailTo, requestReset } from '../../../test/accounts.ts'
import { given } from '../../../test/given.ts'
import { bearer } from '../../../test/http.ts'
import { useMailingWorkerApp } from '../../../test/worker-app.ts'
import { sha256 } from '../../lib/crypto.ts'

const BASE = 'https://app.tasklane.test'
const NEW_PASSWORD = 'a brand new passphrase 42'

describe('password reset', { timeout: 90_000 }, () => {
  const { t, smtp } = useMailingWorkerApp(BASE)
  const resetMail = (email: string, nth = 1) => mailTo(smtp, email, /^Reset your Tasklane password$/, nth)

  it('emails a single-use link to the web app; using it sets the password and signs out every session', async () => {
    const user = await given.user(t.app)
    const other = (await login(t.app, user.email, user.password)).json()
    await requestReset(t.app, user.email)
    const mail = await resetMail(user.email)
    expect(mail.raw).toContain('text/plain')
    expect(mail.raw).toContain('text/html')
    const token = linkToken(mail, '/reset-password', BASE)
    // only the token's SHA-256 is stored, and the link lives 30 minutes
    const stored = await t.database.sql.query<{ token_hash: string; ttl_ms: string }>(
      `select token_hash, (extract(epoch from expires_at - created_at) * 1000)::text as ttl_ms
         from account_tokens where user_id = $1 and purpose = 'password_reset'`,
      [user.id],
    )
    expect(stored.rows.map((r) => r.token_hash)).toEqual([sha256(token)])
    expect(Number(stored.rows[0]!.ttl_ms)).toBeGreaterThan(29 * 60_000)
    expect(Number(stored.rows[0]!.ttl_ms)).toBeLessThanOrEqual(30 * 60_000)
    expect(mail.raw.replace(/=\r?\n/g, '')).toContain('for 30 minutes')

    const res = await confirmReset(t.app, token, NEW_PASSWORD)
    expect(res.statusCode, res.body).toBe(204)
    for (const session of [user, other]) {
      expect(
        (await t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(session.accessToken) }))
          .statusCode,
      ).toBe(401)
      const refreshed = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        payload: { refreshToken: session.refreshToken },
      })
      expect(refreshed.statusCode).toBe(401)
    }
    expect((await login(t.app, user.email, user.password)).statusCode).toBe(401)
    expect((await login(t.app, user.email, NEW_PASSWORD)).statusCode).toBe(200)

    // single use
    const again = await confirmReset(t.app, token, 'yet another passphrase 7')
    expect(again.statusCode).toBe(400)
    expect(again.json().errors).toEqual([{ path: 'body.token', message: expect.stringContaining('invalid') }])
    expect((await login(t.app, user.email, NEW_PASSWORD)).statusCode).toBe(200)
  })

  it('kills the older links of the account once one is used', async () => {
    const user = await given.user(t.app)
    await requestReset(t.app, user.email)
    const first = linkToken(await resetMail(user.email), '/reset-password')
    await requestReset(t.app, user.email)
    const second = linkToken(await resetMail(user.email, 2), '/reset-password')
    expect((await confirmReset(t.app, second, NEW_PASSWORD)).statusCode).toBe(204)
    expect((await confirmReset(t.app, first, 'an older link passphrase 9')).statusCode).toBe(400)
  })

  it('refuses an expired link', async () => {
    const user = await given.user(t.app)
    await requestReset(t.app, user.email)
    const token = linkToken(await resetMail(user.email), '/reset-password')
    // 30 minutes later
    await t.database.sql.query(
      `update account_tokens set expires_at = now() - interval '1 second' where user_id = $1 and purpose = 'password_reset'`,
      [user.id],
    )
    expect((await confirmReset(t.app, token, NEW_PASSWORD)).statusCode).toBe(400)
    expect((await login(t.app, user.email, user.password)).statusCode).toBe(200)
  })

  it('sends nothing for an address without an account, and answers the same', async () => {
    const nobody = given.email('nobody')
    await requestReset(t.app, nobody)
    // a known address asked after it: once its email is here, the job for the unknown one has run too
    const user = await given.user(t.app)
    await requestReset(t.app, user.email)
    await resetMail(user.email)
    await new Promise((r) => setTimeout(r, 1500))
    expect(smtp.to(nobody)).toEqual([])
  })

  it('refuses a common password and a malformed token with 400, changing nothing', async () => {
    const user = await given.user(t.app)
    await requestReset(t.app, user.email)
    const token = linkToken(await resetMail(user.email), '/reset-password')
    const weak = await confirmReset(t.app, token, 'baseball')
    expect(weak.statusCode).toBe(400)
    expect(weak.json().errors[0].path).toBe('body.password')
    expect((await confirmReset(t.app, 'short', NEW_PASSWORD)).statusCode).toBe(400)
    // the token survived the refused attempts
    expect((await confirmReset(t.app, token, NEW_PASSWORD)).statusCode).toBe(204)
  })
})
