import * as oidc from 'openid-client'
import type { Logger } from 'pino'
import { type Config, publicBaseUrl } from '../../config.ts'
import type { OidcClaims } from './oidc.ts'
import { claimsOf } from './oidc.ts'
import type { SecretBox } from './two-factor.ts'

/** Why a single sign-on did not end in a session: the web app's callback page names each. */
export type SsoFailure =
  | 'state_mismatch'
  | 'provider_error'
  | 'exchange_failed'
  | 'unavailable'
  | 'email_not_verified'
  | 'domain_not_allowed'
  | 'registration_closed'
  | 'account_conflict'
  | 'account_disabled'

export class SsoRefused extends Error {
  constructor(readonly reason: SsoFailure) {
    super(reason)
    this.name = 'SsoRefused'
  }
}

/** What the browser carries between the redirect to the provider and its way back (sealed in a cookie). */
interface Flow {
  state: string
  nonce: string
  verifier: string
  expiresAt: number
}

export const FLOW_TTL_SECONDS = 10 * 60
export const SSO_LOGIN_URL = '/api/v1/auth/oidc/login'

/**
 * The relying party of browser single sign-on: authorization code flow with PKCE (S256), `state`
 * and `nonce`, done by openid-client. The provider's metadata is discovered on first use and kept;
 * a failed discovery is tried again by the next sign-in.
 */
export function ssoClient(config: Config, box: SecretBox, log: Logger) {
  const { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: secret } = config
  if (!issuer || !clientId) return null
  const redirectUri = config.OIDC_REDIRECT_URI ?? `${publicBaseUrl(config)}/api/v1/auth/oidc/callback`
  // plain HTTP only outside production (a provider on this machine in development and the tests; config refuses it in production)
  const insecure = new URL(issuer).protocol === 'http:' && config.NODE_ENV !== 'production'
  let discovered: Promise<oidc.Configuration> | undefined

  function configuration() {
    discovered ??= oidc
      .discovery(new URL(issuer!), clientId!, secret, secret ? oidc.ClientSecretPost(secret) : oidc.None(), {
        execute: insecure ? [oidc.allowInsecureRequests] : [],
      })
      .catch((err: unknown) => {
        discovered = undefined
        log.warn({ issuer, err: (err as Error).message }, 'the OIDC provider could not be discovered')
        throw new SsoRefused('unavailable')
      })
    return discovered
  }

  return {
    name: config.OIDC_PROVIDER_NAME,
    redirectUri,
    /** the cookie is sent over HTTPS only when the callback is */
    secureCookie: redirectUri.startsWith('https:'),

    /** The provider's authorization URL and the sealed flow the callback will need. */
    async start(): Promise<{ url: string; sealedFlow: string }> {
      const cfg = await configuration()
      const flow: Flow = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        verifier: oidc.randomPKCECodeVerifier(),
        expiresAt: Date.now() + FLOW_TTL_SECONDS * 1000,
      }
      const url = oidc.buildAuthorizationUrl(cfg, {
        redirect_uri: redirectUri,
        scope: config.OIDC_SCOPES,
        state: flow.state,
        nonce: flow.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
        code_challenge_method: 'S256',
      })
      return { url: url.href, sealedFlow: box.seal(JSON.stringify(flow)) }
    },

    /**
     * Checks the provider's answer against the flow this browser started (state, then the code at the
     * token endpoint with the PKCE verifier, then the ID token's nonce, issuer, audience and expiry)
     * and returns who signed in.
     */
    async finish(sealedFlow: string | undefined, query: URLSearchParams): Promise<OidcClaims> {
      const flow = openFlow(box, sealedFlow)
      if (query.has('error')) {
        log.info({ error: query.get('error')?.slice(0, 100) }, 'the OIDC provider refused the sign-in')
        throw new SsoRefused('provider_error')
      }
      if (!flow || query.get('state') !== flow.state) throw new SsoRefused('state_mismatch')
      const cfg = await configuration()
      const current = new URL(redirectUri)
      current.search = query.toString()
      let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>
      try {
        tokens = await oidc.authorizationCodeGrant(cfg, current, {
          pkceCodeVerifier: flow.verifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        })
      } catch (err) {
        // the provider refusing the code (used, expired, not for this client) or an ID token that fails a check
        const refused = err instanceof oidc.ResponseBodyError || err instanceof oidc.ClientError
        log.warn({ err: (err as Error).message }, 'the OIDC code exchange failed')
        throw new SsoRefused(refused ? 'exchange_failed' : 'unavailable')
      }
      const claims = claimsOf(tokens.claims() ?? {})
      if (!claims) throw new SsoRefused('exchange_failed')
      return claims
    },

    /** OIDC_ALLOWED_DOMAINS: the address must be verified and of one of them. */
    domainAllowed(claims: OidcClaims): boolean {
      const allowed = config.OIDC_ALLOWED_DOMAINS
      if (!allowed?.length) return true
      const domain = claims.email?.split('@')[1]?.toLowerCase()
      return !!domain && claims.emailVerified && allowed.includes(domain)
    },
  }
}
export type SsoClient = NonNullable<ReturnType<typeof ssoClient>>

function openFlow(box: SecretBox, sealed: string | undefined): Flow | null {
  if (!sealed) return null
  try {
    const flow = JSON.parse(box.open(sealed)) as Flow
    return flow.expiresAt > Date.now() ? flow : null
  } catch {
    // tampered, or sealed with another JWT_SECRET
    return null
  }
}
