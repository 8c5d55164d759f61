import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'

/** Who signs in at the stand-in provider's login form. */
export interface ProviderLogin {
  email: string
  /** the provider's word that it verified the address (default true) */
  verified?: boolean
  /** default: derived from the email */
  sub?: string
  name?: string
}

interface PendingRequest {
  redirectUri: string
  state: string
  nonce: string
  challenge: string
}
interface IssuedCode extends PendingRequest {
  login: Required<ProviderLogin>
  used: boolean
  expiresAt: number
}

const b64url = (buf: Buffer) => buf.toString('base64url')
const s256 = (verifier: string) => b64url(createHash('sha256').update(verifier).digest())
const html = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = ''
  for await (const chunk of req) body += chunk
  return new URLSearchParams(body)
}

/**
 * A small OpenID provider on 127.0.0.1 for the tests (vitest and e2e): discovery, an authorization
 * endpoint with a login form (email, "verified", sub), a token endpoint that checks the client's
 * secret, the redirect URI and the PKCE verifier and spends each code once, and RS256 ID tokens
 * carrying the request's nonce. A real provider's checks, none of its UI.
 */
export async function startOidcProvider(opts: { clientId: string; clientSecret: string; redirectUris?: string[] }) {
  const { publicKey, privateKey } = await generateKeyPair('RS256')
  const kid = randomUUID()
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] }
  const redirectUris = new Set(opts.redirectUris ?? [])
  const pending = new Map<string, PendingRequest>()
  const codes = new Map<string, IssuedCode>()
  const tokenRequests: URLSearchParams[] = []
  let url = ''

  const json = (res: ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body))
  const redirect = (res: ServerResponse, to: URL) => res.writeHead(302, { location: to.href }).end()

  function authorize(res: ServerResponse, q: URLSearchParams) {
    const redirectUri = q.get('redirect_uri') ?? ''
    if (q.get('client_id') !== opts.clientId || !redirectUris.has(redirectUri)) {
      return res.writeHead(400, { 'content-type': 'text/plain' }).end('unknown client or redirect_uri')
    }
    const back = new URL(redirectUri)
    back.searchParams.set('state', q.get('state') ?? '')
    if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) {
      back.searchParams.set('error', 'invalid_request')
      return redirect(res, back)
    }
    const id = randomUUID()
    pending.set(id, {
      redirectUri,
      state: q.get('state') ?? '',
      nonce: q.get('nonce') ?? '',
      challenge: q.get('code_challenge')!,
    })
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<html lang="en"><head><title>Test provider</title></head><body><main>
<h1>Test provider sign-in</h1>
<form method="post" action="/authorize/${html(id)}">
<label>Email <input name="email" type="email" required></label>
<label>Name <input name="name"></label>
<label><input name="verified" type="checkbox" value="true" checked> Email verified</label>
<button type="submit">Continue</button>
</form></main></body></html>`)
  }

  async function login(req: IncomingMessage, res: ServerResponse, id: string) {
    const request = pending.get(id)
    if (!request) return res.writeHead(400).end('unknown authorization request')
    pending.delete(id)
    const form = await readForm(req)
    const back = new URL(request.redirectUri)
    back.searchParams.set('state', request.state)
    if (form.get('deny')) {
      back.searchParams.set('error', 'access_denied')
      return redirect(res, back)
    }
    const email = form.get('email') ?? ''
    const code = b64url(randomBytes(24))
    codes.set(code, {
      ...request,
      login: {
        email,
        verified: form.get('verified') === 'true',
        sub: form.get('sub') || `sub-${createHash('sha256').update(email).digest('hex').slice(0, 16)}`,
        name: form.get('name') || email.split('@')[0]!,
      },
      used: false,
      expiresAt: Date.now() + 60_000,
    })
    back.searchParams.set('code', code)
    redirect(res, back)
  }

  async function token(req: IncomingMessage, res: ServerResponse) {
    const form = await readForm(req)
    tokenRequests.push(form)
    if (form.get('client_id') !== opts.clientId || form.get('client_secret') !== opts.clientSecret) {
      return json(res, 401, { error: 'invalid_client' })
    }
    const issued = codes.get(form.get('code') ?? '')
    if (form.get('grant_type') !== 'authorization_code' || !issued || issued.used || issued.expiresAt < Date.now()) {
      return json(res, 400, { error: 'invalid_grant', error_description: 'the code is unknown, used or expired' })
    }
    issued.used = true
    if (form.get('redirect_uri') !== issued.redirectUri || s256(form.get('code_verifier') ?? '') !== issued.challenge) {
      return json(res, 400, { error: 'invalid_grant', error_description: 'redirect_uri or PKCE verifier mismatch' })
    }
    const { login } = issued
    const idToken = await new SignJWT({
      nonce: issued.nonce || undefined,
      email: login.email,
      email_verified: login.verified,
      name: login.name,
    })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(url)
      .setAudience(opts.clientId)
      .setSubject(login.sub)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey)
    json(res, 200, { access_token: b64url(randomBytes(24)), token_type: 'Bearer', expires_in: 300, id_token: idToken })
  }

  const server = createServer((req, res) => {
    const { pathname, searchParams } = new URL(req.url ?? '/', 'http://x')
    const run = async () => {
      if (pathname === '/.well-known/openid-configuration') {
        return json(res, 200, {
          issuer: url,
          authorization_endpoint: `${url}/authorize`,
          token_endpoint: `${url}/token`,
          jwks_uri: `${url}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['client_secret_post'],
          scopes_supported: ['openid', 'email', 'profile'],
        })
      }
      if (pathname === '/jwks') return json(res, 200, jwks)
      if (pathname === '/authorize' && req.method === 'GET') return authorize(res, searchParams)
      if (pathname.startsWith('/authorize/') && req.method === 'POST') return login(req, res, pathname.slice(11))
      if (pathname === '/token' && req.method === 'POST') return token(req, res)
      res.writeHead(404).end()
    }
    run().catch(() => res.writeHead(500).end())
  })
  // idle connections outlive the client's (undici's) own keep-alive: a server closing one just as the
  // client reuses it would fail a request now and then on a loaded machine ("fetch failed")
  server.keepAliveTimeout = 120_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url,
    /** the token endpoint's requests, as sent */
    tokenRequests,
    allowRedirect: (uri: string) => redirectUris.add(uri),
    /**
     * Plays the browser at the provider: opens the authorization URL, submits the login form and
     * returns where the provider sends the browser back (the callback with code and state).
     */
    async signIn(authorizationUrl: string, who: ProviderLogin & { deny?: boolean }): Promise<URL> {
      const page = await fetch(authorizationUrl, { redirect: 'manual' })
      if (page.status === 302) return new URL(page.headers.get('location')!)
      const action = /action="([^"]+)"/.exec(await page.text())?.[1]
      if (!action) throw new Error(`the provider answered ${page.status} without a login form`)
      const form = new URLSearchParams({ email: who.email, name: who.name ?? '' })
      if (who.verified !== false) form.set('verified', 'true')
      if (who.sub) form.set('sub', who.sub)
      if (who.deny) form.set('deny', '1')
      const res = await fetch(new URL(action, url), { method: 'POST', body: form, redirect: 'manual' })
      const location = res.headers.get('location')
      if (res.status !== 302 || !location) throw new Error(`the provider answered ${res.status} to the login`)
      return new URL(location)
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
export type OidcProvider = Awaited<ReturnType<typeof startOidcProvider>>
