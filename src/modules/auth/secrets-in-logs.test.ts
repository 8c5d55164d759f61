import type { InjectOptions } from 'fastify'
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'
import { bearer } from '../../../test/http.ts'

// the most verbose level: whatever any layer logs, a secret must not be in it
const t = useTestApp({ env: { LOG_LEVEL: 'trace' } })

describe('secrets', () => {
  it('are never logged nor returned after creation, through a full account flow', async () => {
    const secrets: Record<string, string> = { jwtSecret: t.config.JWT_SECRET }
    const email = given.email('secretive')
    const password = 'first secret passphrase 7Qx'
    const newPassword = 'second secret passphrase 9Zk'
    secrets.password = password
    secrets.newPassword = newPassword
    const call = async (opts: InjectOptions, status: number) => {
      const res = await t.app.inject(opts)
      expect(res.statusCode, `${opts.method} ${String(opts.url)}: ${res.body}`).toBe(status)
      return res
    }

    const reg = (
      await call({ method: 'POST', url: '/api/v1/auth/register', payload: { email, password, name: 'S' } }, 201)
    ).json()
    secrets.registerAccess = reg.accessToken
    secrets.registerRefresh = reg.refreshToken
    // a rejected registration and a failed login carry a password too
    await call(
      { method: 'POST', url: '/api/v1/auth/register', payload: { email, password, name: 'S', role: 'admin' } },
      400,
    )
    await call({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: `${password}!` } }, 401)
    const session = (
      await call({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } }, 200)
    ).json()
    secrets.loginAccess = session.accessToken
    secrets.loginRefresh = session.refreshToken

    const rotated = (
      await call({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: session.refreshToken } }, 200)
    ).json()
    secrets.rotatedAccess = rotated.accessToken
    secrets.rotatedRefresh = rotated.refreshToken
    // reuse of a spent refresh token: logged as a security event, without the token
    await call({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: session.refreshToken } }, 401)
    expect(t.logs.some((l) => l.event === 'refresh_token_reuse')).toBe(true)

    const auth = bearer(reg.accessToken)
    const pat = (
      await call(
        { method: 'POST', url: '/api/v1/tokens', headers: auth, payload: { name: 'ci', scopes: ['tasks:read'] } },
        201,
      )
    ).json()
    secrets.pat = pat.secret
    await call({ method: 'GET', url: '/api/v1/users/me', headers: bearer(pat.secret) }, 200)
    // a token in the query is refused as an unknown parameter, and its value still never reaches the log
    await call({ method: 'GET', url: `/api/v1/users/me?access_token=${reg.accessToken}`, headers: auth }, 400)
    await call({ method: 'GET', url: '/api/v1/users/me', headers: bearer(`${reg.accessToken}x`) }, 401)
    await call(
      {
        method: 'POST',
        url: '/api/v1/users/me/password',
        headers: auth,
        payload: { currentPassword: password, newPassword },
      },
      204,
    )
    await call({ method: 'POST', url: '/api/v1/auth/logout', payload: { refreshToken: reg.refreshToken } }, 204)

    const { rows } = await t.database.sql.query<{ password_hash: string }>(
      'select password_hash from users where email = $1',
      [email],
    )
    secrets.passwordHash = rows[0]!.password_hash

    // what the app answers afterwards: never a hash, never a secret
    const after = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: newPassword },
    })
    const fresh = bearer(after.json().accessToken)
    const reads = await Promise.all(
      ['/api/v1/users/me', '/api/v1/tokens'].map((url) => t.app.inject({ method: 'GET', url, headers: fresh })),
    )
    for (const res of reads) {
      expect(res.statusCode).toBe(200)
      expect(res.body).not.toMatch(/passwordHash|password_hash|\$argon2/)
      expect(res.body).not.toContain(secrets.pat)
    }

    const logs = t.logText()
    expect(logs.length).toBeGreaterThan(1000)
    expect(logs).not.toMatch(/\$argon2/)
    for (const [name, secret] of Object.entries(secrets)) {
      expect(logs.includes(secret), `${name} appears in the logs`).toBe(false)
    }
    // the JWT signature alone is enough to matter: no token fragment either
    for (const token of [reg.accessToken, rotated.accessToken]) {
      expect(logs.includes(token.split('.')[2]!)).toBe(false)
    }
  })
})
