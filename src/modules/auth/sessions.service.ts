import { and, eq, isNull, lt, ne } from 'drizzle-orm'
import type { Logger } from 'pino'
import type { Db } from '../../db/client.ts'
import { sessions } from '../../db/tables/sessions.ts'
import { users } from '../../db/tables/users.ts'
import { unauthorized } from '../../http/problem.ts'
import { randomSecret, sha256 } from '../../lib/crypto.ts'
import { newId } from '../../lib/ids.ts'
import type { AccessTokens } from './jwt.ts'
import type { UserStates } from './user-state.ts'

export interface SessionDeps {
  db: Db
  tokens: AccessTokens
  states: UserStates
  refreshTtlSeconds: number
  log: Logger
}

export interface TokenPair {
  accessToken: string
  refreshToken: string
  expiresIn: number
}

async function insertRefreshToken(db: Db, deps: SessionDeps, userId: string, familyId: string): Promise<string> {
  const refreshToken = randomSecret()
  await db.insert(sessions).values({
    id: newId(),
    userId,
    familyId,
    tokenHash: sha256(refreshToken),
    expiresAt: new Date(Date.now() + deps.refreshTtlSeconds * 1000),
  })
  return refreshToken
}

/** Starts a new session family for a user (register, login). */
export async function startSession(db: Db, deps: SessionDeps, userId: string): Promise<TokenPair> {
  const familyId = newId()
  const refreshToken = await insertRefreshToken(db, deps, userId, familyId)
  return { accessToken: await deps.tokens.sign(userId, familyId), refreshToken, expiresIn: deps.tokens.ttlSeconds }
}

/**
 * Exchanges a refresh token for a new pair. The token is marked used atomically, so of two
 * concurrent refreshes only one wins; a token already used means it leaked, and its whole
 * family is revoked.
 */
export async function rotateSession(deps: SessionDeps, refreshToken: string): Promise<TokenPair> {
  const hash = sha256(refreshToken)
  const outcome = await deps.db.transaction(async (tx) => {
    const [claimed] = await tx
      .update(sessions)
      .set({ usedAt: new Date() })
      .where(and(eq(sessions.tokenHash, hash), isNull(sessions.usedAt), isNull(sessions.revokedAt)))
      .returning()
    if (claimed) {
      if (claimed.expiresAt.getTime() <= Date.now()) return { kind: 'expired' as const }
      // read through the transaction, never the outer handle: the embedded database is a single
      // session, and a query outside the open transaction would wait for it forever
      const [owner] = await tx.select({ disabled: users.disabled }).from(users).where(eq(users.id, claimed.userId))
      if (!owner || owner.disabled) return { kind: 'disabled' as const }
      const next = await insertRefreshToken(tx, deps, claimed.userId, claimed.familyId)
      return { kind: 'rotated' as const, userId: claimed.userId, familyId: claimed.familyId, refreshToken: next }
    }
    const [known] = await tx.select().from(sessions).where(eq(sessions.tokenHash, hash))
    if (known?.usedAt && !known.revokedAt) {
      await tx
        .update(sessions)
        .set({ revokedAt: new Date() })
        .where(and(eq(sessions.familyId, known.familyId), isNull(sessions.revokedAt)))
      return { kind: 'reused' as const, userId: known.userId, familyId: known.familyId }
    }
    return { kind: 'invalid' as const }
  })
  if (outcome.kind === 'reused') {
    deps.states.invalidate(outcome.userId)
    deps.log.warn(
      { event: 'refresh_token_reuse', userId: outcome.userId, familyId: outcome.familyId },
      'security: a used refresh token was presented again; its session family is revoked',
    )
  }
  if (outcome.kind !== 'rotated') throw unauthorized('Invalid or expired refresh token')
  return {
    accessToken: await deps.tokens.sign(outcome.userId, outcome.familyId),
    refreshToken: outcome.refreshToken,
    expiresIn: deps.tokens.ttlSeconds,
  }
}

/** Revokes the family of a refresh token (logout). Unknown tokens are ignored: logout is idempotent. */
export async function revokeFamilyOf(deps: SessionDeps, refreshToken: string): Promise<void> {
  const [known] = await deps.db
    .select()
    .from(sessions)
    .where(eq(sessions.tokenHash, sha256(refreshToken)))
  if (!known) return
  await deps.db
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(sessions.familyId, known.familyId), isNull(sessions.revokedAt)))
  deps.states.invalidate(known.userId)
}

/** Revokes every session of a user, optionally sparing one family (the caller's, on password change). */
export async function revokeAllSessions(db: Db, states: UserStates, userId: string, except?: string): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(
      and(eq(sessions.userId, userId), isNull(sessions.revokedAt), except ? ne(sessions.familyId, except) : undefined),
    )
  states.invalidate(userId)
}

// a day past expiry: longer than any access token lives (ACCESS_TOKEN_TTL ≤ 1 day), so no revocation a
// live access token still depends on is ever swept
const SWEEP_GRACE_MS = 24 * 60 * 60_000

/** Deletes refresh tokens expired for more than a day (every refresh adds a row). Returns how many. */
export async function sweepSessions(db: Db, now = new Date()): Promise<number> {
  const gone = await db
    .delete(sessions)
    .where(lt(sessions.expiresAt, new Date(now.getTime() - SWEEP_GRACE_MS)))
    .returning({ id: sessions.id })
  return gone.length
}
