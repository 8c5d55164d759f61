import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'
import { bearer } from '../../../test/http.ts'
import { type OidcProvider, type ProviderLogin, startOidcProvider } from '../../../test/oidc-provider.ts'
import { userTotp } from '../../db/tables/two-factor.ts'
import { users } from '../../db/tables/users.ts'
import { insertUser } from '../users/users.service.ts'

const CLIENT = { clientId: 'tasklane-web', clientSecret: 'client-secret-for-tests' }
const REDIRECT_URI = 'http://127.0.0.1:3000/api/v1/auth/oidc/callback'

let provider: OidcProvider
const apps: TestApp[] = []
beforeAll(async () => {
  provider = await startOidcProvider({ ...CLIENT, redirectUris: [REDIRECT_URI] })
})
afterAll(async () => {
  for (const t of apps) await t.close()
  await provider?.close()
})

async function appWith(env: Record<string, string> = {}) {
  const t = await createTestApp({
    env: {
      OIDC_ISSUER: provider.url,
      OIDC_CLIENT_ID: CLIENT.clientId,
      OIDC_CLIENT_SECRET: CLIENT.clientSecret,
      OIDC_REDIRECT_URI: REDIRECT_URI,
      OIDC_PROVIDER_NAME: 'Test IdP',
      ...env,
    },
  })
  apps.push(t)
  return t
}

/** The browser's part: start at Tasklane, sign in at the provider, come back to the callback. */
async function startSignOn(t: TestApp, who: ProviderLogin & { deny?: boolean }) {
  const start = await t.app.inject({ method: 'GET', url: '/api/v1/auth/oidc/login' })
  expect(start.statusCode, start.body).toBe(302)
  // a failure to reach the provider goes to the web app's page instead
  const oidcLog = () => t.logs.filter((l) => /OIDC/.test(String(l.msg)))
  expect(String(start.headers.location), JSON.stringify(oidcLog())).toMatch(new RegExp(`^${provider.url}/`))
  const setCookie = String(start.headers['set-cookie'])
  expect(setCookie).toMatch(/HttpOnly/)
  expect(setCookie).toMatch(/SameSite=Lax/)
  const cookie = setCookie.split(';')[0]!
  const authorization = new URL(String(start.headers.location))
  const callback = await provider.signIn(authorization.href, who)
  return { authorization, callback, cookie }
}

async function visitCallback(t: TestApp, callback: URL, cookie?: string) {
  const res = await t.app.inject({
    method: 'GET',
    url: `${callback.pathname}${callback.search}`,
    headers: cookie ? { cookie } : {},
  })
  expect(res.statusCode, res.body).toBe(302)
  const location = String(res.headers.location)
  expect(location.startsWith('/sso/callback#')).toBe(true)
  return new URLSearchParams(location.slice(location.indexOf('#') + 1))
}

async function signOn(t: TestApp, who: ProviderLogin & { deny?: boolean }) {
  const { callback, cookie } = await startSignOn(t, who)
  return visitCallback(t, callback, cookie)
}

const exchange = (t: TestApp, code: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/oidc/exchange', payload: { code } })

const userByEmail = async (t: TestApp, email: string) =>
  (await t.database.db.select().from(users).where(eq(users.email, email)))[0]

describe('browser single sign-on (authorization code + PKCE against a local provider)', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await appWith()
  })

  it('is announced on GET auth/settings', async () => {
    const settings = (await t.app.inject({ method: 'GET', url: '/api/v1/auth/settings' })).json()
    expect(settings.sso).toEqual({ name: 'Test IdP', loginUrl: '/api/v1/auth/oidc/login' })
  })

  it('sends the browser to the provider with PKCE (S256), state and nonce', async () => {
    const { authorization } = await startSignOn(t, { email: given.email('sso') })
    const q = authorization.searchParams
    expect(authorization.origin + authorization.pathname).toBe(`${provider.url}/authorize`)
    expect(q.get('client_id')).toBe(CLIENT.clientId)
    expect(q.get('redirect_uri')).toBe(REDIRECT_URI)
    expect(q.get('response_type')).toBe('code')
    expect(q.get('scope')).toBe('openid email profile')
    expect(q.get('code_challenge_method')).toBe('S256')
    expect(q.get('code_challenge')).toMatch(/^[\w-]{43}$/)
    expect(q.get('state')).toMatch(/^[\w-]{20,}$/)
    expect(q.get('nonce')).toMatch(/^[\w-]{20,}$/)
  })

  it('signs a new person in: the web app gets a single-use code in the fragment and swaps it for a session', async () => {
    const email = given.email('sso')
    const back = await signOn(t, { email, name: 'Sam Sign-On' })
    const code = back.get('code')!
    expect(code).toMatch(/^[\w-]{40,}$/)
    expect([...back.keys()]).toEqual(['code'])

    const session = await exchange(t, code)
    expect(session.statusCode, session.body).toBe(200)
    const body = session.json()
    expect(body.user).toMatchObject({ email, name: 'Sam Sign-On', emailVerified: true })
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(body.accessToken) })
    expect(me.json()).toMatchObject({ email, externalId: expect.stringMatching(/^sub-/) })
    // the refresh token works like any session's
    const refreshed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: body.refreshToken },
    })
    expect(refreshed.statusCode).toBe(200)

    const again = await exchange(t, code)
    expect(again.statusCode).toBe(401)
  })

  it("accepts the parameters providers add to their answer (Keycloak's session_state, Google's scope and authuser)", async () => {
    const { callback, cookie } = await startSignOn(t, { email: given.email('sso-extra') })
    callback.searchParams.set('session_state', 'abc-123')
    callback.searchParams.set('scope', 'openid email profile')
    callback.searchParams.set('authuser', '0')
    expect((await visitCallback(t, callback, cookie)).get('code')).toBeTruthy()
  })

  it('refuses a callback whose state is not the one this browser started with, before asking the provider', async () => {
    const email = given.email('sso-state')
    const { callback, cookie } = await startSignOn(t, { email })
    const asked = provider.tokenRequests.length
    const forged = new URL(callback)
    forged.searchParams.set('state', 'someone-elses-state-value')
    expect(Object.fromEntries(await visitCallback(t, forged, cookie))).toEqual({ error: 'state_mismatch' })
    // the right state but no flow cookie (another browser: login CSRF)
    expect(Object.fromEntries(await visitCallback(t, callback))).toEqual({ error: 'state_mismatch' })
    expect(provider.tokenRequests.length).toBe(asked)
    expect(await userByEmail(t, email)).toBeUndefined()
  })

  it('refuses a replayed code (the provider spends it once)', async () => {
    const email = given.email('sso-replay')
    const { callback, cookie } = await startSignOn(t, { email })
    expect((await visitCallback(t, callback, cookie)).get('code')).toBeTruthy()
    // the same answer of the provider again, even with the flow cookie copied from the first visit
    expect(Object.fromEntries(await visitCallback(t, callback, cookie))).toEqual({ error: 'exchange_failed' })
  })

  it('refuses an address the provider has not verified, and creates nothing', async () => {
    const email = given.email('sso-unverified')
    expect(Object.fromEntries(await signOn(t, { email, verified: false }))).toEqual({ error: 'email_not_verified' })
    expect(await userByEmail(t, email)).toBeUndefined()
  })

  it('does not link a password account on an unverified address', async () => {
    const owner = await given.user(t.app)
    expect(Object.fromEntries(await signOn(t, { email: owner.email, verified: false }))).toEqual({
      error: 'email_not_verified',
    })
    expect((await userByEmail(t, owner.email))?.externalId).toBeNull()
  })

  it('links an existing account by its verified address, then by sub whatever the address', async () => {
    const owner = await given.user(t.app)
    const sub = `sub-linked-${owner.id}`
    const first = await exchange(t, (await signOn(t, { email: owner.email, sub })).get('code')!)
    expect(first.statusCode).toBe(200)
    expect(first.json().user).toMatchObject({ id: owner.id, email: owner.email, externalId: sub })
    // the provider now reports another address: the sub still finds the same account
    const second = await exchange(t, (await signOn(t, { email: given.email('renamed'), sub })).get('code')!)
    expect(second.json().user.id).toBe(owner.id)
  })

  it('refuses an address whose account is linked to another identity', async () => {
    const owner = await given.user(t.app)
    await signOn(t, { email: owner.email, sub: `sub-a-${owner.id}` })
    expect(Object.fromEntries(await signOn(t, { email: owner.email, sub: `sub-b-${owner.id}` }))).toEqual({
      error: 'account_conflict',
    })
  })

  it("passes on the provider's refusal", async () => {
    expect(Object.fromEntries(await signOn(t, { email: given.email('deny'), deny: true }))).toEqual({
      error: 'provider_error',
    })
  })

  it('asks for the second factor of an account that has one', async () => {
    const owner = await given.user(t.app)
    await t.database.db.insert(userTotp).values({ userId: owner.id, secretEnc: 'unused here', enabledAt: new Date() })
    const res = await exchange(t, (await signOn(t, { email: owner.email })).get('code')!)
    expect(res.json()).toMatchObject({ secondFactorRequired: true, challengeToken: expect.any(String) })
    expect(res.json().accessToken).toBeUndefined()
  })
})

describe('without OIDC_CLIENT_ID', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
    apps.push(t)
  })

  it('is not announced, and its routes answer 404', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/settings' })).json().sso).toBeNull()
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/oidc/login' })).statusCode).toBe(404)
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/oidc/callback?code=x&state=y' })).statusCode).toBe(
      404,
    )
  })
})

describe('single sign-on under OIDC_ALLOWED_DOMAINS', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await appWith({ OIDC_ALLOWED_DOMAINS: 'allowed.test, @Other.Test' })
  })

  it('refuses an address outside the allowed domains', async () => {
    const outside = given.email('outside')
    expect(Object.fromEntries(await signOn(t, { email: outside }))).toEqual({ error: 'domain_not_allowed' })
    expect(await userByEmail(t, outside)).toBeUndefined()
    const inside = `inside-${Date.now()}@other.test`
    expect((await signOn(t, { email: inside })).get('code')).toBeTruthy()
  })
})

describe('single sign-on under REGISTRATION=closed', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await appWith({ REGISTRATION: 'closed' })
  })

  it('signs existing accounts in but creates none', async () => {
    const stranger = given.email('stranger')
    expect(Object.fromEntries(await signOn(t, { email: stranger }))).toEqual({ error: 'registration_closed' })
    expect(await userByEmail(t, stranger)).toBeUndefined()
    const existing = given.email('existing')
    await insertUser(t.database.db, { email: existing, name: 'Existing', passwordHash: null })
    expect((await signOn(t, { email: existing })).get('code')).toBeTruthy()
  })
})

describe('single sign-on under REGISTRATION=invite', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await appWith({ REGISTRATION: 'invite' })
  })

  it('creates an account only for an invited address', async () => {
    const stranger = given.email('stranger')
    expect(Object.fromEntries(await signOn(t, { email: stranger }))).toEqual({ error: 'registration_closed' })

    const invited = given.email('invited')
    const owner = await ownerOfATeam(t)
    const invite = await t.app.inject({
      method: 'POST',
      url: `/api/v1/teams/${owner.teamId}/invitations`,
      headers: owner.auth,
      payload: { email: invited, role: 'member' },
    })
    expect(invite.statusCode, invite.body).toBe(201)
    const res = await exchange(t, (await signOn(t, { email: invited })).get('code')!)
    expect(res.json().user).toMatchObject({ email: invited, emailVerified: true })
    // the provider verified the invited address: the invitation is accepted, and they are in the team
    const teams = await t.app.inject({ method: 'GET', url: '/api/v1/teams', headers: bearer(res.json().accessToken) })
    expect(teams.json().items).toContainEqual(expect.objectContaining({ id: owner.teamId, role: 'member' }))
    const open = await t.app.inject({
      method: 'GET',
      url: `/api/v1/teams/${owner.teamId}/invitations`,
      headers: owner.auth,
    })
    expect(open.json().items).toEqual([])
  })
})

/** A signed-in owner of a team, on an app whose registration is by invitation (made as an admin would). */
async function ownerOfATeam(t: TestApp) {
  const email = given.email('owner')
  const created = await exchange(t, (await signOnAsExisting(t, email)).get('code')!)
  const auth = bearer(created.json().accessToken)
  const team = await t.app.inject({
    method: 'POST',
    url: '/api/v1/teams',
    headers: auth,
    payload: { name: 'SSO team' },
  })
  expect(team.statusCode, team.body).toBe(201)
  return { auth, teamId: team.json().id as string }
}

/** An account made directly in the database, then signed in by single sign-on (linked by its address). */
async function signOnAsExisting(t: TestApp, email: string) {
  await insertUser(t.database.db, { email, name: 'Owner', passwordHash: null })
  return signOn(t, { email })
}

describe('single sign-on rate limits', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await appWith({ RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_LOGIN_PER_MIN: '2' })
  })

  it('limits starts and code exchanges per IP like login', async () => {
    const start = () => t.app.inject({ method: 'GET', url: '/api/v1/auth/oidc/login' })
    expect((await start()).statusCode).toBe(302)
    expect((await start()).statusCode).toBe(302)
    const limited = await start()
    expect(limited.statusCode).toBe(429)
    expect(limited.headers['retry-after']).toBeDefined()
    const codes = [1, 2, 3].map((i) => `not-a-real-code-${i}-padding`)
    expect((await exchange(t, codes[0]!)).statusCode).toBe(401)
    expect((await exchange(t, codes[1]!)).statusCode).toBe(401)
    expect((await exchange(t, codes[2]!)).statusCode).toBe(429)
  })
})
