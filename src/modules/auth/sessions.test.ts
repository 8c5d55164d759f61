import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'
import { bearer } from '../../../test/http.ts'
import { authJobs, SWEEP_SESSIONS_JOB } from './auth.jobs.ts'

const t = useTestApp()

const refresh = (refreshToken: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken } })
const me = (accessToken: string) =>
  t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(accessToken) })
const login = (email: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } })

/** A second, independent session of the same user (another device). */
async function otherSession(email: string, password: string) {
  const res = await login(email, password)
  expect(res.statusCode).toBe(200)
  return res.json() as { accessToken: string; refreshToken: string }
}

describe('POST /auth/refresh', () => {
  it('rotates: a new pair, and the new access token works', async () => {
    const user = await given.user(t.app)
    const res = await refresh(user.refreshToken)
    expect(res.statusCode, res.body).toBe(200)
    const pair = res.json()
    expect(pair).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: t.config.ACCESS_TOKEN_TTL,
    })
    expect(pair.refreshToken).not.toBe(user.refreshToken)
    expect(pair.accessToken).not.toBe(user.accessToken)
    expect((await me(pair.accessToken)).statusCode).toBe(200)
    expect((await refresh(pair.refreshToken)).statusCode).toBe(200)
  })

  it('detects reuse: a used refresh token gets 401 and revokes its whole family, with a security log', async () => {
    const user = await given.user(t.app)
    const second = (await refresh(user.refreshToken)).json()
    const third = (await refresh(second.refreshToken)).json()

    const replay = await refresh(user.refreshToken)
    expect(replay.statusCode).toBe(401)
    expect(replay.headers['www-authenticate']).toBe('Bearer')

    // the thief's (or the victim's) newest token of that family is dead too, and so is its access token
    expect((await refresh(third.refreshToken)).statusCode).toBe(401)
    expect((await me(third.accessToken)).statusCode).toBe(401)
    const warning = t.logs.find((l) => l.event === 'refresh_token_reuse' && l.userId === user.id)
    expect(warning).toMatchObject({ level: 'warn' })

    // other sessions of the same user are untouched
    const other = await otherSession(user.email, user.password)
    expect((await refresh(other.refreshToken)).statusCode).toBe(200)
  })

  it('answers 401 for an unknown refresh token and 400 for a missing one', async () => {
    expect((await refresh('not-a-real-token')).statusCode).toBe(401)
    const missing = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: {} })
    expect(missing.statusCode).toBe(400)
  })

  it('answers 401 for an expired refresh token', async () => {
    const user = await given.user(t.app)
    await t.database.sql.query(`update sessions set expires_at = now() - interval '1 second' where user_id = $1`, [
      user.id,
    ])
    expect((await refresh(user.refreshToken)).statusCode).toBe(401)
  })

  it('still refreshes when the client also sends its (expired) access token', async () => {
    const user = await given.user(t.app)
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      headers: bearer('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'),
      payload: { refreshToken: user.refreshToken },
    })
    expect(res.statusCode, res.body).toBe(200)
  })
})

describe('POST /auth/logout', () => {
  it('revokes that session: its refresh token and its access token stop working', async () => {
    const user = await given.user(t.app)
    const other = await otherSession(user.email, user.password)
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      payload: { refreshToken: user.refreshToken },
    })
    expect(res.statusCode).toBe(204)
    expect(res.body).toBe('')
    expect((await refresh(user.refreshToken)).statusCode).toBe(401)
    expect((await me(user.accessToken)).statusCode).toBe(401)
    // the other device stays signed in
    expect((await me(other.accessToken)).statusCode).toBe(200)
    expect((await refresh(other.refreshToken)).statusCode).toBe(200)
  })

  it('revokes the tokens rotated from it too, and is idempotent', async () => {
    const user = await given.user(t.app)
    const next = (await refresh(user.refreshToken)).json()
    const logout = (refreshToken: string) =>
      t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', payload: { refreshToken } })
    expect((await logout(next.refreshToken)).statusCode).toBe(204)
    expect((await logout(next.refreshToken)).statusCode).toBe(204)
    expect((await refresh(next.refreshToken)).statusCode).toBe(401)
    expect((await me(next.accessToken)).statusCode).toBe(401)
  })
})

describe('POST /auth/logout-all', () => {
  it('revokes every session of the caller, and needs credentials', async () => {
    const user = await given.user(t.app)
    const other = await otherSession(user.email, user.password)
    const bystander = await given.user(t.app)

    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout-all' })).statusCode).toBe(401)
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout-all', headers: user.auth })
    expect(res.statusCode).toBe(204)

    for (const s of [user, other]) {
      expect((await me(s.accessToken)).statusCode).toBe(401)
      expect((await refresh(s.refreshToken)).statusCode).toBe(401)
    }
    expect((await me(bystander.accessToken)).statusCode).toBe(200)
    // signing in again works
    expect((await login(user.email, user.password)).statusCode).toBe(200)
  })
})

describe('POST /users/me/password', () => {
  const change = (accessToken: string, currentPassword: string, newPassword: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/users/me/password',
      headers: bearer(accessToken),
      payload: { currentPassword, newPassword },
    })

  it('answers 403 for a wrong current password and changes nothing', async () => {
    const user = await given.user(t.app)
    const res = await change(user.accessToken, 'not my password', 'a brand new passphrase')
    expect(res.statusCode).toBe(403)
    expect((await login(user.email, user.password)).statusCode).toBe(200)
    expect((await login(user.email, 'a brand new passphrase')).statusCode).toBe(401)
  })

  it('rejects a common new password with 400 naming body.newPassword', async () => {
    const user = await given.user(t.app)
    const res = await change(user.accessToken, user.password, 'password1')
    expect(res.statusCode).toBe(400)
    expect(res.json().errors).toEqual([expect.objectContaining({ path: 'body.newPassword' })])
  })

  it('signs out the other sessions and keeps the current one', async () => {
    const user = await given.user(t.app)
    const other = await otherSession(user.email, user.password)
    const newPassword = 'an entirely different passphrase'

    const res = await change(user.accessToken, user.password, newPassword)
    expect(res.statusCode, res.body).toBe(204)

    expect((await me(other.accessToken)).statusCode).toBe(401)
    expect((await refresh(other.refreshToken)).statusCode).toBe(401)
    expect((await me(user.accessToken)).statusCode).toBe(200)
    expect((await refresh(user.refreshToken)).statusCode).toBe(200)

    expect((await login(user.email, user.password)).statusCode).toBe(401)
    expect((await login(user.email, newPassword)).statusCode).toBe(200)
  })
})

describe('a disabled user', () => {
  it('is locked out at once: access token, refresh and login all answer 401', async () => {
    const admin = await given.admin(t.app)
    const user = await given.user(t.app)
    expect((await me(user.accessToken)).statusCode).toBe(200) // the state is cached now

    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/users/${user.id}`,
      headers: admin.auth,
      payload: { disabled: true },
    })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ id: user.id, disabled: true })

    const denied = await me(user.accessToken)
    expect(denied.statusCode).toBe(401)
    expect(denied.headers['www-authenticate']).toBe('Bearer')
    expect((await refresh(user.refreshToken)).statusCode).toBe(401)
    expect((await login(user.email, user.password)).statusCode).toBe(401)
  })

  it('can sign in again once re-enabled', async () => {
    const admin = await given.admin(t.app)
    const user = await given.user(t.app)
    const patch = (disabled: boolean) =>
      t.app.inject({
        method: 'PATCH',
        url: `/api/v1/admin/users/${user.id}`,
        headers: admin.auth,
        payload: { disabled },
      })
    expect((await patch(true)).statusCode).toBe(200)
    expect((await patch(false)).statusCode).toBe(200)
    const again = await login(user.email, user.password)
    expect(again.statusCode).toBe(200)
    expect((await me(again.json().accessToken)).statusCode).toBe(200)
  })
})

describe('the sessions sweep', () => {
  it('deletes refresh tokens expired for more than a day and keeps every other one', async () => {
    const old = await given.user(t.app)
    const recent = await given.user(t.app)
    const live = await given.user(t.app)
    const expire = (userId: string, interval: string) =>
      t.database.sql.query(`update sessions set expires_at = now() - interval '${interval}' where user_id = $1`, [
        userId,
      ])
    await expire(old.id, '25 hours')
    await expire(recent.id, '23 hours')
    const sweep = authJobs({ db: t.database.db }).find((j) => j.name === SWEEP_SESSIONS_JOB)!
    expect(sweep.cron).toBeTruthy()
    const report = (await sweep.handle({} as never, {} as never)) as { removed: number }
    expect(report.removed).toBeGreaterThanOrEqual(1)
    const count = async (userId: string) =>
      (await t.database.sql.query('select id from sessions where user_id = $1', [userId])).rows.length
    expect(await count(old.id)).toBe(0)
    expect(await count(recent.id)).toBe(1)
    expect(await count(live.id)).toBe(1)
    expect((await refresh(live.refreshToken)).statusCode).toBe(200)
  })
})
