import { generate } from 'otplib'
import { describe, expect, it } from 'vitest'
import { login } from '../../../test/accounts.ts'
import { useTestApp } from '../../../test/app.ts'
import { type GivenUser, given } from '../../../test/given.ts'
import { bearer, http } from '../../../test/http.ts'
import { sha256 } from '../../lib/crypto.ts'

const t = useTestApp()

const { get, post, del } = http(t)
// a code of the step `steps` ahead of now (the server takes one step either side)
const codeFor = (secret: string, steps = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 })

/** A user with an authenticator turned on: its secret and recovery codes. */
async function enrolled() {
  const user = await given.user(t.app)
  const start = await post('/api/v1/users/me/two-factor/totp', user.auth, { password: user.password })
  expect(start.statusCode, start.body).toBe(200)
  const { secret, otpauthUri, qrSvgDataUrl } = start.json()
  expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/Tasklane:/)
  expect(qrSvgDataUrl).toMatch(/^data:image\/svg\+xml;base64,/)
  const confirmed = await post('/api/v1/users/me/two-factor/totp/confirm', user.auth, { code: await codeFor(secret) })
  expect(confirmed.statusCode, confirmed.body).toBe(200)
  const { recoveryCodes } = confirmed.json() as { recoveryCodes: string[] }
  return { user, secret, recoveryCodes }
}
const challenge = async (user: GivenUser) => {
  const res = await login(t.app, user.email, user.password)
  expect(res.statusCode).toBe(200)
  expect(res.json()).toEqual({ secondFactorRequired: true, challengeToken: expect.any(String), expiresIn: 300 })
  return res.json().challengeToken as string
}
const second = (challengeToken: string, code: string) =>
  post('/api/v1/auth/login/second-factor', {}, { challengeToken, code })

describe('two-factor sign-in (TOTP)', () => {
  it('enrols, then asks for a code at login; a code is never accepted twice', async () => {
    const { user, secret, recoveryCodes } = await enrolled()
    expect(recoveryCodes).toHaveLength(10)
    expect(new Set(recoveryCodes).size).toBe(10)
    // stored only as SHA-256 (of the code without its dashes): neither the codes nor the secret in clear
    const stored = await t.database.sql.query<{ code_hash: string }>(
      'select code_hash from recovery_codes where user_id = $1',
      [user.id],
    )
    expect(stored.rows.map((r) => r.code_hash).sort()).toEqual(
      recoveryCodes.map((c) => sha256(c.replaceAll('-', ''))).sort(),
    )
    const totp = await t.database.sql.query('select * from user_totp where user_id = $1', [user.id])
    expect(JSON.stringify(totp.rows)).not.toContain(secret)
    const status = await get('/api/v1/users/me/two-factor', user.auth)
    expect(status.json()).toMatchObject({ totp: true, recoveryCodesLeft: 10 })

    const code = await codeFor(secret, 1)
    const ok = await second(await challenge(user), code)
    expect(ok.statusCode, ok.body).toBe(200)
    expect(ok.json()).toMatchObject({ user: { id: user.id }, accessToken: expect.any(String) })
    // the same code again, within its window, on a new challenge: refused
    expect((await second(await challenge(user), code)).statusCode).toBe(401)
    // the confirmation's code too
    expect((await second(await challenge(user), await codeFor(secret))).statusCode).toBe(401)
  })

  it('takes a recovery code once, and turns off with the password and a code', async () => {
    const { user, recoveryCodes } = await enrolled()
    const res = await second(await challenge(user), recoveryCodes[0]!.toLowerCase())
    expect(res.statusCode, res.body).toBe(200)
    expect((await second(await challenge(user), recoveryCodes[0]!)).statusCode).toBe(401)

    expect(
      (
        await post('/api/v1/users/me/two-factor/totp/disable', user.auth, {
          password: 'wrong password!',
          code: recoveryCodes[1]!,
        })
      ).statusCode,
    ).toBe(403)
    const off = await post('/api/v1/users/me/two-factor/totp/disable', user.auth, {
      password: user.password,
      code: recoveryCodes[1]!,
    })
    expect(off.statusCode, off.body).toBe(204)
    const plain = await login(t.app, user.email, user.password)
    expect(plain.json().accessToken).toEqual(expect.any(String))
  })

  it('limits guessing: 5 wrong codes burn a challenge, 10 attempts in 15 minutes lock the account out (429)', async () => {
    const { user, secret } = await enrolled()
    const burnt = await challenge(user)
    for (let i = 0; i < 5; i++) expect((await second(burnt, '000000')).statusCode).toBe(401)
    expect((await second(burnt, await codeFor(secret, 1))).statusCode).toBe(401)
    const next = await challenge(user)
    for (let i = 0; i < 5; i++) expect((await second(next, '000001')).statusCode).toBe(401)
    const locked = await second(await challenge(user), await codeFor(secret, 1))
    expect(locked.statusCode).toBe(429)
    expect(locked.headers['retry-after']).toBeDefined()
  })

  it('leaves personal access tokens working, and an administrator can reset the second factor', async () => {
    const { user } = await enrolled()
    const pat = await given.token(t.app, user, ['tasks:read'])
    expect((await get('/api/v1/users/me', bearer(pat))).statusCode).toBe(200)

    const admin = await given.admin(t.app)
    const reset = (by: GivenUser) => del(`/api/v1/admin/users/${user.id}/two-factor`, by.auth)
    expect((await reset(user)).statusCode).toBe(403)
    expect((await reset(admin)).statusCode).toBe(204)
    const plain = await login(t.app, user.email, user.password)
    expect(plain.json().accessToken).toEqual(expect.any(String))
  })

  it('refuses a wrong first code and a wrong password at enrolment', async () => {
    const user = await given.user(t.app)
    expect(
      (await post('/api/v1/users/me/two-factor/totp', user.auth, { password: 'not the password' })).statusCode,
    ).toBe(403)
    const start = await post('/api/v1/users/me/two-factor/totp', user.auth, { password: user.password })
    const wrong = await post('/api/v1/users/me/two-factor/totp/confirm', user.auth, { code: '123456' })
    expect(wrong.statusCode).toBe(400)
    // not on until confirmed: login still gives a session
    expect((await login(t.app, user.email, user.password)).json().accessToken).toEqual(expect.any(String))
    expect(start.json().secret).toEqual(expect.any(String))
  })
})
