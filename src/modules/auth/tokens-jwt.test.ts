import { randomUUID } from 'node:crypto'
import { type JWTPayload, SignJWT, UnsecuredJWT } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { type GivenUser, given } from '../../../test/given.ts'
import { bearer } from '../../../test/http.ts'

const t = useTestApp()

const ISSUER = 'tasklane'
const AUDIENCE = 'tasklane-api'
const now = () => Math.floor(Date.now() / 1000)

interface Forge {
  secret?: string
  alg?: string
  iss?: string
  aud?: string
  exp?: number
  omit?: (keyof JWTPayload | 'sid')[]
}

/** Signs an access token the way the server does, with one thing changed. */
function forge(sub: string, opts: Forge = {}): Promise<string> {
  const claims: JWTPayload = {
    sub,
    sid: randomUUID(),
    jti: randomUUID(),
    iss: opts.iss ?? ISSUER,
    aud: opts.aud ?? AUDIENCE,
    iat: now() - 10,
    exp: opts.exp ?? now() + 600,
  }
  for (const k of opts.omit ?? []) delete claims[k]
  const key = new TextEncoder().encode(opts.secret ?? t.config.JWT_SECRET)
  return new SignJWT(claims).setProtectedHeader({ alg: opts.alg ?? 'HS256', typ: 'JWT' }).sign(key)
}

const me = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers })

function expectUnauthorized(res: Awaited<ReturnType<typeof me>>) {
  expect(res.statusCode, res.body).toBe(401)
  expect(res.headers['www-authenticate']).toBe('Bearer')
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
  expect(res.json()).toMatchObject({ status: 401, instance: '/api/v1/users/me', requestId: expect.any(String) })
}

let user: GivenUser
beforeAll(async () => {
  user = await given.user(t.app)
})

describe('access token verification', () => {
  it('accepts a token forged exactly as the server signs (the control for the cases below)', async () => {
    const res = await me(bearer(await forge(user.id)))
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().id).toBe(user.id)
  })

  it('rejects alg none', async () => {
    const token = new UnsecuredJWT({ sid: randomUUID(), jti: randomUUID() })
      .setSubject(user.id)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('10m')
      .encode()
    expect(token.endsWith('.')).toBe(true) // header.payload. with an empty signature
    expectUnauthorized(await me(bearer(token)))
    // and with alg none claimed over a real signature
    const [, payload, signature] = (await forge(user.id)).split('.')
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')
    expectUnauthorized(await me(bearer(`${none}.${payload}.${signature}`)))
  })

  it('rejects a token signed with another key', async () => {
    expectUnauthorized(await me(bearer(await forge(user.id, { secret: 'another-secret-another-secret-0123' }))))
  })

  it('rejects an algorithm outside the allowlist, even with the right key', async () => {
    expectUnauthorized(await me(bearer(await forge(user.id, { alg: 'HS512' }))))
  })

  it('rejects a tampered payload (another user id under the original signature)', async () => {
    const admin = await given.admin(t.app)
    const [header, payload, signature] = (await forge(user.id)).split('.')
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString())
    const swapped = Buffer.from(JSON.stringify({ ...claims, sub: admin.id })).toString('base64url')
    expectUnauthorized(await me(bearer(`${header}.${swapped}.${signature}`)))
  })

  it('rejects an expired token', async () => {
    expectUnauthorized(await me(bearer(await forge(user.id, { exp: now() - 5 }))))
  })

  it('rejects a wrong audience', async () => {
    expectUnauthorized(await me(bearer(await forge(user.id, { aud: 'some-other-api' }))))
  })

  it('rejects a wrong issuer', async () => {
    expectUnauthorized(await me(bearer(await forge(user.id, { iss: 'https://evil.example' }))))
  })

  it.each([['exp'], ['sid'], ['jti'], ['sub']] as const)('rejects a token without %s', async (claim) => {
    expectUnauthorized(await me(bearer(await forge(user.id, { omit: [claim] }))))
  })

  it('rejects a valid token of a user that does not exist', async () => {
    expectUnauthorized(await me(bearer(await forge(randomUUID()))))
  })

  it('rejects garbage that is not a JWT', async () => {
    expectUnauthorized(await me(bearer('not.a.jwt')))
    expectUnauthorized(await me(bearer('x'.repeat(4096))))
  })
})

describe('the Authorization header', () => {
  it('answers 401 with WWW-Authenticate when it is missing', async () => {
    expectUnauthorized(await me({}))
  })

  it.each([
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['no token', 'Bearer'],
    ['an empty token', 'Bearer '],
    ['two tokens', 'Bearer a b'],
    ['a token too long', `Bearer ${'x'.repeat(4097)}`],
  ])('answers 401 when it has %s', async (_, authorization) => {
    expectUnauthorized(await me({ authorization }))
  })

  it('takes the scheme name case-insensitively', async () => {
    expect((await me({ authorization: `bearer ${user.accessToken}` })).statusCode).toBe(200)
  })
})
