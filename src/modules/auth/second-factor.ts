import { and, eq, gt, isNull, sql } from 'drizzle-orm'
import { accountTokens } from '../../db/tables/account-tokens.ts'
import type { UserRow } from '../../db/tables/users.ts'
import { tooManyRequests, unauthorized } from '../../http/problem.ts'
import type { RateLimitStore } from '../../infra/rate-limit.ts'
import { sha256 } from '../../lib/crypto.ts'
import { getUserRow, toUser } from '../users/index.ts'
import { consumeAccountToken, mintAccountToken } from './account-tokens.ts'
import type { Identity } from './identity.ts'
import { startSession } from './sessions.service.ts'
import { checkSecondFactor, hasSecondFactor, type TwoFactorDeps } from './two-factor.ts'

const CHALLENGE_TTL_SECONDS = 5 * 60
// wrong codes one challenge takes before it is burnt, and per account in 15 minutes across challenges
const ATTEMPTS_PER_CHALLENGE = 5
const ATTEMPTS_PER_ACCOUNT = 10

/** After a right password, an account with a second factor gets a short-lived challenge instead of a session. */
export function secondFactorGate(deps: TwoFactorDeps) {
  return async (user: UserRow) => {
    if (!(await hasSecondFactor(deps.db, user.id))) return undefined
    const challengeToken = await mintAccountToken(deps.db, {
      userId: user.id,
      purpose: 'login_challenge',
      ttlSeconds: CHALLENGE_TTL_SECONDS,
    })
    return { secondFactorRequired: true as const, challengeToken, expiresIn: CHALLENGE_TTL_SECONDS }
  }
}

/**
 * The second step of a sign-in: a code of the authenticator (or a recovery code) for a live
 * challenge. Guessing is bounded twice: a challenge dies after 5 wrong codes, and an account takes
 * 10 wrong codes in 15 minutes whatever the challenge (then 429).
 */
export async function completeSecondFactor(
  identity: Identity,
  deps: TwoFactorDeps & { limits: RateLimitStore },
  input: { challengeToken: string; code: string },
) {
  const { db } = deps
  const [challenge] = await db
    .select()
    .from(accountTokens)
    .where(
      and(
        eq(accountTokens.tokenHash, sha256(input.challengeToken)),
        eq(accountTokens.purpose, 'login_challenge'),
        isNull(accountTokens.usedAt),
        gt(accountTokens.expiresAt, new Date()),
      ),
    )
  if (!challenge) throw unauthorized('The sign-in challenge is invalid or expired: sign in again')
  const failures = `second-factor:user:${challenge.userId}`
  const { count: tried, resetAt } = await deps.limits.hit(failures, 15 * 60_000)
  if (tried > ATTEMPTS_PER_ACCOUNT) throw tooManyRequests(Math.max(1, Math.ceil((resetAt - Date.now()) / 1000)))
  if (!(await checkSecondFactor(deps, challenge.userId, input.code))) {
    await db
      .update(accountTokens)
      .set({
        attempts: sql`${accountTokens.attempts} + 1`,
        usedAt: sql`case when ${accountTokens.attempts} + 1 >= ${ATTEMPTS_PER_CHALLENGE} then now() else null end`,
      })
      .where(eq(accountTokens.id, challenge.id))
    throw unauthorized('The code is wrong')
  }
  if (!(await consumeAccountToken(db, 'login_challenge', input.challengeToken))) {
    throw unauthorized('The sign-in challenge is invalid or expired: sign in again')
  }
  const user = await getUserRow(db, challenge.userId)
  if (user.disabled) throw unauthorized('Invalid email or password')
  return { user: toUser(user), ...(await startSession(db, identity.sessionDeps, user.id)) }
}
