import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose'
import { Email } from '../users/users.schema.ts'

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
export function oidcVerifier(opts: { issuer: string; audience: string; jwksUrl?: string }) {
  const issuer = opts.issuer.replace(/\/$/, '')
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined

  async function keySet() {
    if (jwks) return jwks
    let url = opts.jwksUrl
    if (!url) {
      // the discovery document names the JWKS; Cognito's is also at the conventional path
      url = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5_000) })
        .then((r) => (r.ok ? (r.json() as Promise<{ jwks_uri?: string }>) : {}))
        .then((d: { jwks_uri?: string }) => d.jwks_uri)
        .catch(() => undefined)
      url ??= `${issuer}/.well-known/jwks.json`
    }
    jwks = createRemoteJWKSet(new URL(url), {
      cacheMaxAge: 10 * 60_000,
      cooldownDuration: 30_000,
      timeoutDuration: 5_000,
    })
    return jwks
  }

  return {
    issuer,
    /** The verified claims, or null when the token is not a valid token of this issuer. */
    async verify(token: string): Promise<OidcClaims | null> {
      let payload: JWTPayload
      try {
        ;({ payload } = await jwtVerify(token, await keySet(), {
          issuer: [issuer, `${issuer}/`],
          algorithms: ALGORITHMS,
          requiredClaims: ['sub', 'exp'],
        }))
      } catch (err) {
        if (err instanceof errors.JOSEError) return null
        throw err
      }
      const aud = Array.isArray(payload.aud) ? payload.aud : payload.aud ? [payload.aud] : []
      if (!aud.includes(opts.audience) && payload.client_id !== opts.audience) return null
      // the sub becomes the user's externalId, bounded like every string on the wire
      if (!payload.sub || payload.sub.length > 255) return null
      // claims are the issuer's word, not well-formed input: a malformed email is treated as absent
      const email = Email.safeParse(payload.email)
      const name = [payload.name, payload['cognito:username'], payload.username]
        .find((v): v is string => typeof v === 'string' && v.trim().length > 0)
        ?.trim()
        .slice(0, 100)
      return {
        sub: payload.sub,
        email: email.success ? email.data : undefined,
        emailVerified: payload.email_verified === true || payload.email_verified === 'true',
        name,
      }
    },
  }
}
export type OidcVerifier = ReturnType<typeof oidcVerifier>
