import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type CryptoKey, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'
import { bearer } from '../../../test/http.ts'

const AUDIENCE = 'my-client'

/** A tiny identity provider: a JWKS (and a discovery document) on 127.0.0.1, and a signer. */
async function startIssuer() {
  const { publicKey, privateKey } = await generateKeyPair('RS256')
  const kid = randomUUID()
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] }
  const hits: string[] = []
  const state = { failNext: 0 }
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? '')
    if (state.failNext > 0) {
      state.failNext--
      return res.writeHead(500).end()
    }
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    if (req.url === '/.well-known/openid-configuration') return json({ issuer: url, jwks_uri: `${url}/keys/published` })
    if (req.url === '/jwks' || req.url === '/keys/published') return json(jwks)
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    hits,
    state,
    kid,
    privateKey,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
type Issuer = Awaited<ReturnType<typeof startIssuer>>

async function sign(
  issuer: Issuer,
  claims: JWTPayload,
  opts: { key?: CryptoKey; kid?: string; iss?: string; exp?: number } = {},
): Promise<string> {
  const jwt = new SignJWT({ aud: AUDIENCE, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? issuer.kid })
    .setIssuer(opts.iss ?? issuer.url)
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? '5m')
  return jwt.sign(opts.key ?? issuer.privateKey)
}

describe('OIDC bearer tokens (JWKS URL configured)', () => {
  let issuer: Issuer
  let t: TestApp
  beforeAll(async () => {
    issuer = await startIssuer()
    t = await createTestApp({
      env: { OIDC_ISSUER: issuer.url, OIDC_AUDIENCE: AUDIENCE, OIDC_JWKS_URL: `${issuer.url}/jwks` },
    })
  })
  afterAll(async () => {
    await t?.close()
    await issuer?.close()
  })

  const me = (token: string) => t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(token) })

  it('accepts a token of the issuer and creates its user once, keyed by sub', async () => {
    const sub = randomUUID()
    const email = given.email('oidc')
    const token = await sign(issuer, { sub, email, name: 'Olivia Idc' })
    const first = await me(token)
    expect(first.statusCode, first.body).toBe(200)
    expect(first.json()).toMatchObject({ email, name: 'Olivia Idc', role: 'user', externalId: sub })

    const again = await me(await sign(issuer, { sub, email, name: 'Olivia Idc' }))
    expect(again.statusCode).toBe(200)
    expect(again.json().id).toBe(first.json().id)
    const { rows } = await t.database.sql.query('select id from users where external_id = $1', [sub])
    expect(rows).toHaveLength(1)

    const lookup = await t.app.inject({
      method: 'GET',
      url: `/api/v1/users/by-external-id/${sub}`,
      headers: bearer(token),
    })
    expect(lookup.statusCode).toBe(200)
    expect(lookup.json().id).toBe(first.json().id)
    expect(issuer.hits).toContain('/jwks')
  })

  it('creates one user when the first two requests of a new identity arrive together', async () => {
    // several identities at once, so that each way the two can interleave gets its turn
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const token = await sign(issuer, { sub: randomUUID(), email: given.email('race'), name: 'Racer' })
        const [a, b] = await Promise.all([me(token), me(token)])
        expect([a.statusCode, b.statusCode], b.body).toEqual([200, 200])
        expect(a.json().id).toBe(b.json().id)
      }),
    )
  })

  it('accepts a Cognito-style access token: client_id instead of aud, no email', async () => {
    const sub = randomUUID()
    const token = await sign(issuer, {
      sub,
      aud: undefined,
      client_id: AUDIENCE,
      token_use: 'access',
      username: 'cognito-user',
    })
    const res = await me(token)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ externalId: sub, role: 'user', name: 'cognito-user' })
    expect(res.json().email).toMatch(/@oidc\.invalid$/)
  })

  it('normalises the email claim and treats a malformed one as absent', async () => {
    const email = given.email('shouty')
    const loud = await me(await sign(issuer, { sub: randomUUID(), email: ` ${email.toUpperCase()} ` }))
    expect(loud.statusCode, loud.body).toBe(200)
    expect(loud.json().email).toBe(email)
    const sub = randomUUID()
    const odd = await me(await sign(issuer, { sub, email: 'not an email', name: 'Odd' }))
    expect(odd.statusCode, odd.body).toBe(200)
    expect(odd.json()).toMatchObject({ email: `${sub}@oidc.invalid`, name: 'Odd' })
  })

  it('rejects a token signed by another key, under the same or another key id', async () => {
    const { privateKey } = await generateKeyPair('RS256')
    const sub = randomUUID()
    for (const kid of [issuer.kid, randomUUID()]) {
      const res = await me(await sign(issuer, { sub, email: given.email() }, { key: privateKey, kid }))
      expect(res.statusCode).toBe(401)
      expect(res.headers['www-authenticate']).toBe('Bearer')
    }
    const { rows } = await t.database.sql.query('select id from users where external_id = $1', [sub])
    expect(rows).toHaveLength(0)
  })

  it('rejects a wrong audience, a wrong issuer and an expired token', async () => {
    const sub = randomUUID()
    const tokens = [
      await sign(issuer, { sub, aud: 'another-client' }),
      await sign(issuer, { sub, aud: undefined, client_id: 'another-client' }),
      await sign(issuer, { sub }, { iss: 'https://evil.example' }),
      await sign(issuer, { sub }, { exp: Math.floor(Date.now() / 1000) - 5 }),
    ]
    for (const token of tokens) expect((await me(token)).statusCode).toBe(401)
  })

  it('does not take over a password account by its email unless the issuer verified it', async () => {
    const user = await given.user(t.app)
    const unverified = await me(await sign(issuer, { sub: randomUUID(), email: user.email }))
    expect(unverified.statusCode).toBe(401)

    const sub = randomUUID()
    const verified = await me(await sign(issuer, { sub, email: user.email, email_verified: true }))
    expect(verified.statusCode).toBe(200)
    expect(verified.json()).toMatchObject({ id: user.id, externalId: sub })
  })

  it('locks out a disabled external user', async () => {
    const sub = randomUUID()
    const token = await sign(issuer, { sub, email: given.email() })
    const res = await me(token)
    expect(res.statusCode).toBe(200)
    await t.database.sql.query('update users set disabled = true where external_id = $1', [sub])
    t.app.identity.states.forget(res.json().id)
    expect((await me(token)).statusCode).toBe(401)
  })

  it("still accepts Tasklane's own access tokens", async () => {
    const user = await given.user(t.app)
    expect((await me(user.accessToken)).statusCode).toBe(200)
  })
})

describe.each(['invite', 'closed'] as const)('OIDC bearer tokens under REGISTRATION=%s', (policy) => {
  let issuer: Issuer
  let t: TestApp
  // the same database with registration open: the team owner who invites, made as a registration would
  let open: TestApp
  beforeAll(async () => {
    issuer = await startIssuer()
    const env = { OIDC_ISSUER: issuer.url, OIDC_AUDIENCE: AUDIENCE, OIDC_JWKS_URL: `${issuer.url}/jwks` }
    t = await createTestApp({ env: { ...env, REGISTRATION: policy } })
    open = await createTestApp({ database: t.database, env: { ...env, REGISTRATION: 'open' } })
  })
  afterAll(async () => {
    await open?.close()
    await t?.close()
    await issuer?.close()
  })

  const me = (token: string) => t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(token) })
  const usersOf = async (sub: string) =>
    (await t.database.sql.query('select id from users where external_id = $1', [sub])).rows
  const expectRefused = async (token: string, sub: string) => {
    const res = await me(token)
    expect(res.statusCode, res.body).toBe(403)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(res.json()).toMatchObject({ type: 'urn:tasklane:problem:forbidden' })
    expect(res.json().detail).toMatch(policy === 'closed' ? /closed/ : /invitation/)
    expect(await usersOf(sub)).toEqual([])
  }
  const invited = async () => {
    const owner = await given.user(open.app)
    const team = await given.team(open.app, owner)
    const email = given.email('invited')
    const res = await open.app.inject({
      method: 'POST',
      url: `/api/v1/teams/${team.id}/invitations`,
      headers: owner.auth,
      payload: { email, role: 'viewer' },
    })
    expect(res.statusCode, res.body).toBe(201)
    return { email, teamId: team.id }
  }

  it('refuses a new identity with 403 and creates no account, email verified or not, with or without one', async () => {
    for (const claims of [
      { email: given.email('stranger'), email_verified: true },
      { email: given.email('stranger') },
      { token_use: 'access', username: 'no-email' },
    ]) {
      const sub = randomUUID()
      await expectRefused(await sign(issuer, { sub, ...claims }), sub)
    }
    // a route that needs no credentials treats the refused identity as anonymous, as a bad token
    const sub = randomUUID()
    const token = await sign(issuer, { sub, email: given.email('stranger'), email_verified: true })
    const settings = await t.app.inject({ method: 'GET', url: '/api/v1/auth/settings', headers: bearer(token) })
    expect(settings.statusCode).toBe(200)
    expect(await usersOf(sub)).toEqual([])
  })

  it(
    policy === 'invite'
      ? 'creates the account of an invited address the issuer verified, and no other'
      : 'creates no account even for an invited address',
    async () => {
      const { email, teamId } = await invited()
      const unverified = randomUUID()
      await expectRefused(await sign(issuer, { sub: unverified, email }), unverified)
      const sub = randomUUID()
      const token = await sign(issuer, { sub, email, email_verified: true })
      if (policy === 'closed') return expectRefused(token, sub)
      const res = await me(token)
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json()).toMatchObject({ email, externalId: sub, emailVerified: true })
      // the invitation is accepted with the account: they are in the team
      const teams = await t.app.inject({ method: 'GET', url: '/api/v1/teams', headers: bearer(token) })
      expect(teams.json().items).toContainEqual(expect.objectContaining({ id: teamId, role: 'viewer' }))
    },
  )

  it('still signs in an identity that has an account: linked by sub, or by its verified address', async () => {
    const user = await given.user(open.app)
    const sub = randomUUID()
    const linked = await me(await sign(issuer, { sub, email: user.email, email_verified: true }))
    expect(linked.statusCode, linked.body).toBe(200)
    expect(linked.json()).toMatchObject({ id: user.id, externalId: sub })
    // by sub from now on, even from a token without an email (a Cognito access token)
    const again = await me(await sign(issuer, { sub, token_use: 'access' }))
    expect(again.statusCode, again.body).toBe(200)
    expect(again.json().id).toBe(user.id)
  })
})

describe('OIDC bearer tokens (JWKS found by discovery)', () => {
  let issuer: Issuer
  let t: TestApp
  beforeAll(async () => {
    issuer = await startIssuer()
    t = await createTestApp({ env: { OIDC_ISSUER: issuer.url, OIDC_AUDIENCE: AUDIENCE } })
  })
  afterAll(async () => {
    await t?.close()
    await issuer?.close()
  })

  it('reads jwks_uri from /.well-known/openid-configuration', async () => {
    const sub = randomUUID()
    const token = await sign(issuer, { sub, email: given.email('disco'), name: 'Disco' })
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(token) })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().externalId).toBe(sub)
    expect(issuer.hits).toEqual(expect.arrayContaining(['/.well-known/openid-configuration', '/keys/published']))
    expect(issuer.hits).not.toContain('/jwks')
  })
})

describe('OIDC when the issuer cannot be reached', () => {
  it('answers 503 (not 401) while discovery fails, and recovers once it answers', async () => {
    const issuer = await startIssuer()
    const t = await createTestApp({ env: { OIDC_ISSUER: issuer.url, OIDC_AUDIENCE: AUDIENCE } })
    try {
      const token = await sign(issuer, { sub: randomUUID(), email: given.email('flaky') })
      const me = () => t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(token) })
      issuer.state.failNext = 1
      const down = await me()
      expect(down.statusCode, down.body).toBe(503)
      expect(down.headers['retry-after']).toBeDefined()
      expect(down.headers['content-type']).toMatch(/^application\/problem\+json/)
      const up = await me()
      expect(up.statusCode, up.body).toBe(200)
      expect(issuer.hits.filter((h) => h === '/.well-known/openid-configuration')).toHaveLength(2)
    } finally {
      await t.close()
      await issuer.close()
    }
  })

  it('answers 503 for an issuer token when the JWKS is down, and never asks the issuer about other tokens', async () => {
    const issuer = await startIssuer()
    const t = await createTestApp({
      env: { OIDC_ISSUER: issuer.url, OIDC_AUDIENCE: AUDIENCE, OIDC_JWKS_URL: `${issuer.url}/jwks` },
    })
    try {
      const user = await given.user(t.app)
      const me = (token: string) => t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(token) })
      const expiredOwn = user.accessToken.replace(/\.[^.]+$/, '.invalid-signature')
      expect((await me(expiredOwn)).statusCode).toBe(401)
      expect((await me('garbage')).statusCode).toBe(401)
      expect(issuer.hits).toEqual([])

      const token = await sign(issuer, { sub: randomUUID(), email: given.email('down') })
      issuer.state.failNext = 1
      expect((await me(token)).statusCode).toBe(503)
      await issuer.close()
      expect((await me(token)).statusCode).toBe(503)
      expect(t.logs.some((l) => l.msg === 'the OIDC issuer could not be reached')).toBe(true)
    } finally {
      await t.close()
      await issuer.close()
    }
  })
  it('answers 401 for a token of another issuer while the issuer is down, without asking it or logging', async () => {
    const issuer = await startIssuer()
    const t = await createTestApp({
      env: { OIDC_ISSUER: issuer.url, OIDC_AUDIENCE: AUDIENCE, OIDC_JWKS_URL: `${issuer.url}/jwks` },
    })
    try {
      // down: every request to it fails (and is counted)
      issuer.state.failNext = 1_000
      const me = (token: string) => t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(token) })
      // hand-made: another issuer's name, a signature nobody checked, our own issuer's key id
      const { privateKey } = await generateKeyPair('RS256')
      const foreign = await sign(issuer, { sub: randomUUID() }, { key: privateKey, iss: 'https://evil.example.test' })
      const noIssuer = await new SignJWT({ sub: randomUUID(), aud: AUDIENCE })
        .setProtectedHeader({ alg: 'RS256', kid: issuer.kid })
        .setExpirationTime('5m')
        .sign(privateKey)
      for (const token of [foreign, noIssuer, `${foreign.split('.')[0]}.bm90IGpzb24.c2ln`]) {
        const res = await me(token)
        expect(res.statusCode, res.body).toBe(401)
        expect(res.headers['www-authenticate']).toBe('Bearer')
      }
      expect(issuer.hits).toEqual([])
      expect(t.logs.filter((l) => l.msg === 'the OIDC issuer could not be reached')).toEqual([])
      expect(t.logs.filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([])
      // a token naming the configured issuer still needs its keys: 503, the credentials may be fine
      expect((await me(await sign(issuer, { sub: randomUUID() }))).statusCode).toBe(503)
      expect(issuer.hits).toEqual(['/jwks'])
    } finally {
      await t.close()
      await issuer.close()
    }
  })
})
