import { errors, jwtVerify, SignJWT } from 'jose'
import { newId } from '../../lib/ids.ts'

export const ISSUER = 'tasklane'
export const AUDIENCE = 'tasklane-api'

export interface AccessClaims {
  /** the user id */
  sub: string
  /** the session family the token was issued for: revoking the family ends it at once */
  sid: string
}

/** Signs and verifies Tasklane's own access tokens: HS256 only, with issuer, audience, expiry and a jti. */
export function accessTokens(secret: string, ttlSeconds: number) {
  const key = new TextEncoder().encode(secret)
  return {
    ttlSeconds,
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
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: AUDIENCE,
          requiredClaims: ['sub', 'iat', 'exp', 'jti', 'sid'],
        })
        if (typeof payload.sid !== 'string') return null
        return { sub: payload.sub!, sid: payload.sid }
      } catch (err) {
        if (err instanceof errors.JOSEError) return null
        throw err
      }
    },
  }
}
export type AccessTokens = ReturnType<typeof accessTokens>
