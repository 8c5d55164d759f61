import { and, gt, inArray, isNull, or, type SQL, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { sessions } from '../../db/tables/sessions.ts'
import { apiTokens } from '../../db/tables/tokens.ts'
import type { Actor, Scope } from '../../http/auth.ts'

/**
 * What a long-lived connection (an event stream, a ticket for one) was opened with, so it can be
 * checked again later: the user, and the session family or personal access token, when there is one.
 */
export interface Credential {
  userId: string
  sessionFamily?: string
  tokenId?: string
}

/** What an event ticket records of the caller that took it (the scopes only for a token). */
export type IssuedWith = Credential & { via: Actor['via']; scopes?: readonly Scope[] }

export const credentialOf = (actor: Actor): Credential => ({
  userId: actor.userId,
  ...(actor.sessionFamily ? { sessionFamily: actor.sessionFamily } : {}),
  ...(actor.tokenId ? { tokenId: actor.tokenId } : {}),
})

// a family is signed in while it holds a current refresh token: logout, logout-all, a password
// change, reuse detection and expiry all leave it without one
const currentRefreshToken = and(isNull(sessions.revokedAt), isNull(sessions.usedAt), gt(sessions.expiresAt, sql`now()`))
const usableToken = and(
  isNull(apiTokens.revokedAt),
  or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, sql`now()`)),
)

/**
 * A condition that holds while the credential is live, for the statement that acts on it (so no
 * cached copy can lag behind a revocation): the session is still signed in, the token neither
 * revoked nor expired. Undefined (always live) for an OIDC token, whose issuer decides.
 */
export function credentialLive(c: Credential): SQL | undefined {
  if (c.tokenId) {
    return sql`exists (select 1 from ${apiTokens} where ${apiTokens.id} = ${c.tokenId} and ${usableToken})`
  }
  if (c.sessionFamily) {
    return sql`exists (select 1 from ${sessions} where ${sessions.familyId} = ${c.sessionFamily} and ${currentRefreshToken})`
  }
  return undefined
}

/** Of `creds`, those whose session was signed out or whose token was revoked or expired (two queries at most). */
export async function endedCredentials<C extends Credential>(db: Db, creds: readonly C[]): Promise<C[]> {
  const families = [...new Set(creds.flatMap((c) => (c.sessionFamily && !c.tokenId ? [c.sessionFamily] : [])))]
  const tokens = [...new Set(creds.flatMap((c) => (c.tokenId ? [c.tokenId] : [])))]
  const [liveFamilies, liveTokens] = await Promise.all([
    families.length
      ? db
          .selectDistinct({ id: sessions.familyId })
          .from(sessions)
          .where(and(inArray(sessions.familyId, families), currentRefreshToken))
      : [],
    tokens.length
      ? db
          .select({ id: apiTokens.id })
          .from(apiTokens)
          .where(and(inArray(apiTokens.id, tokens), usableToken))
      : [],
  ])
  const live = new Set([...liveFamilies, ...liveTokens].map((r) => r.id))
  return creds.filter((c) => (c.tokenId ? !live.has(c.tokenId) : c.sessionFamily ? !live.has(c.sessionFamily) : false))
}
