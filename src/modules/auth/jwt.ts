import { errors, jwtVerify, SignJWT } from 'jose'
import { newId } from '../../lib/ids.ts'

const ISSUER = 'tasklane'
const AUDIENCE = 'tasklane-api'

export interface AccessClaims {
  /** the user id */
  sub: string
  /** the session family the token was issued for: revoking the family ends it at once */
  sid: string
}

/**
 * Signs and verifies Tasklane's own access tokens: HS256 only, with issuer, audience, expiry and a jti.
 * A token verified once is remembered until it expires (at most `cacheSize` of them, none when 0):
 * a client sends the same token with every request, and checking its signature again is the
 * costliest part of a cached request. Whether its session or user still may act is checked per
 * request elsewhere (user state), so remembering the signature check changes no answer.
 */
export function accessTokens(secret: string, ttlSeconds: number, cacheSize = 10_000) {
  const key = new TextEncoder().encode(secret)
  const verified = new Map<string, AccessClaims & { expiresAt: number }>()
  const stats = { hits: 0, misses: 0 }
  return {
    ttlSeconds,
    stats,
    sign: (userId: string, sessionFamily: string): Promise<string> =>
      new SignJWT({ sid: sessionFamily })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .setJti(newId())
        .sign(key),
    /** Resolves the claims, or null for any token that is not a valid one of ours. */
    verify: async (token: string): Promise<AccessClaims | null> => {
      const known = verified.get(token)
      if (known && known.expiresAt > Date.now()) {
        stats.hits++
        return { sub: known.sub, sid: known.sid }
      }
      if (known) verified.delete(token)
      stats.misses++
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: AUDIENCE,
          requiredClaims: ['sub', 'iat', 'exp', 'jti', 'sid'],
        })
        if (typeof payload.sid !== 'string') return null
        const claims = { sub: payload.sub!, sid: payload.sid }
        if (cacheSize > 0) {
          if (verified.size >= cacheSize) verified.delete(verified.keys().next().value!)
          verified.set(token, { ...claims, expiresAt: payload.exp! * 1000 })
        }
        return claims
      } catch (err) {
        if (err instanceof errors.JOSEError) return null
        throw err
      }
    },
  }
}
export type AccessTokens = ReturnType<typeof accessTokens>
