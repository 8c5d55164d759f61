import { createRemoteJWKSet, decodeJwt, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose'
import type { Logger } from 'pino'
import { serviceUnavailable } from '../../http/problem.ts'
import { Email } from '../users/index.ts'

export interface OidcClaims {
  sub: string
  email?: string
  emailVerified: boolean
  name?: string
}

// asymmetric algorithms only: an issuer's token is never verified with a shared secret
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']

/**
 * Verifies bearer tokens of an external OIDC issuer (AWS Cognito or any other) against its JWKS.
 * jose caches the key set and refetches it when a token names an unknown key id (key rotation).
 * Cognito access tokens carry the app client in `client_id` instead of `aud`; both are accepted.
 */
export function oidcVerifier(opts: { issuer: string; audience: string; jwksUrl?: string; log: Logger }) {
  const issuer = opts.issuer.replace(/\/$/, '')
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined

  async function keySet() {
    jwks ??= createRemoteJWKSet(new URL(opts.jwksUrl ?? (await discoverJwksUrl(issuer))), {
      cacheMaxAge: 10 * 60_000,
      cooldownDuration: 30_000,
      timeoutDuration: 5_000,
    })
    return jwks
  }
  // resolved only once the token's algorithm passed the allowlist: our own expired tokens and
  // garbage never make a request to the issuer
  const key: JWTVerifyGetKey = async (header, token) => (await keySet())(header, token)

  const namesThisIssuer = (token: string) => {
    try {
      const { iss } = decodeJwt(token)
      return iss === issuer || iss === `${issuer}/`
    } catch {
      return false
    }
  }

  return {
    issuer,
    /**
     * The verified claims, or null when the token is not a valid token of this issuer. Throws 503
     * when the issuer cannot be reached: the caller's credentials may well be fine.
     */
    async verify(token: string): Promise<OidcClaims | null> {
      // the unverified claims only route the token: one that names another issuer (or is no JWT) is
      // not this issuer's, and asking the issuer about it would let anyone turn an outage of the
      // issuer into 503s and error lines. Whatever it claims is verified below before it is used.
      if (!namesThisIssuer(token)) return null
      let payload: JWTPayload
      try {
        ;({ payload } = await jwtVerify(token, key, {
          issuer: [issuer, `${issuer}/`],
          algorithms: ALGORITHMS,
          requiredClaims: ['sub', 'exp'],
        }))
      } catch (err) {
        // jose's own failures are the token's fault, except fetching the key set (a timeout, a network
        // error, or the generic error it throws for a non-200 answer or a body that is not JSON)
        const unreachable =
          !(err instanceof errors.JOSEError) || err instanceof errors.JWKSTimeout || err.code === 'ERR_JOSE_GENERIC'
        if (!unreachable) return null
        opts.log.warn({ issuer, err: (err as Error).message }, 'the OIDC issuer could not be reached')
        throw serviceUnavailable('The identity provider cannot be reached; retry shortly', 5)
      }
      const aud = Array.isArray(payload.aud) ? payload.aud : payload.aud ? [payload.aud] : []
      if (!aud.includes(opts.audience) && payload.client_id !== opts.audience) return null
      return claimsOf(payload)
    },
  }
}

/** The identity in a verified token's claims, or null when its `sub` is unusable. */
export function claimsOf(payload: JWTPayload): OidcClaims | null {
  // the sub becomes the user's externalId, bounded like every string on the wire
  if (!payload.sub || payload.sub.length > 255) return null
  // claims are the issuer's word, not well-formed input: a malformed email is treated as absent
  const email = Email.safeParse(payload.email)
  const name = [payload.name, payload['cognito:username'], payload.preferred_username, payload.username]
    .find((v): v is string => typeof v === 'string' && v.trim().length > 0)
    ?.trim()
    .slice(0, 100)
  return {
    sub: payload.sub,
    email: email.success ? email.data : undefined,
    emailVerified: payload.email_verified === true || payload.email_verified === 'true',
    name,
  }
}

/**
 * The JWKS URL from the issuer's discovery document, or Cognito's conventional path when there is
 * none. An issuer that cannot be reached throws, so that the next request asks again rather than
 * settling on a guess for the life of the process.
 */
async function discoverJwksUrl(issuer: string): Promise<string> {
  const res = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5_000) })
  if (res.status === 404) return `${issuer}/.well-known/jwks.json`
  if (!res.ok) throw new Error(`the discovery document answered ${res.status}`)
  const doc = (await res.json()) as { jwks_uri?: unknown }
  return typeof doc.jwks_uri === 'string' ? doc.jwks_uri : `${issuer}/.well-known/jwks.json`
}
