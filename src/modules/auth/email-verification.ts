import { and, eq, ne, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { serverError, UNIQUE_VIOLATION } from '../../db/errors.ts'
import { type UserRow, users } from '../../db/tables/users.ts'
import type { Actor } from '../../http/auth.ts'
import { conflict, forbidden, invalidField, Problem } from '../../http/problem.ts'
import type { Queue } from '../../infra/queue.ts'
import type { RateLimitStore } from '../../infra/rate-limit.ts'
import { findUserByEmail, getUserRow } from '../users/index.ts'
import { consumeAccountToken, spendAccountTokens } from './account-tokens.ts'
import { verifyPassword } from './passwords.ts'

export const VERIFY_EMAIL_JOB = 'auth.verify-email'
export const EMAIL_CHANGED_JOB = 'auth.email-changed'
export const VERIFY_TTL_SECONDS = 24 * 3600

export type VerificationMode = 'required' | 'optional' | 'off'
export interface VerificationDeps {
  db: Db
  queue: Pick<Queue, 'send'>
  mode: VerificationMode
}

/** The 403 of a sign-in refused until the address is verified (EMAIL_VERIFICATION=required). */
const emailNotVerified = () =>
  new Problem('email-not-verified', {
    detail: 'Verify your email address first: a new link was sent to it (check the inbox, then sign in again)',
  })

/** Queues a link proving `email` for the user (their address, or the one they are changing to). */
export async function queueVerification(queue: Pick<Queue, 'send'>, db: Db, userId: string, email: string) {
  await queue.send(VERIFY_EMAIL_JOB, { userId, email }, { tx: db })
}

/**
 * Spends a verification link. For the account's own address it marks it verified; for another one
 * (an email change) the address becomes the account's, verified, and the old address is told. A
 * change to an address that someone else took meanwhile is a 409, changing nothing.
 */
export async function confirmEmail(deps: VerificationDeps, token: string): Promise<UserRow> {
  return deps.db.transaction(async (tx) => {
    const spent = await consumeAccountToken(tx, 'verify_email', token)
    if (!spent?.email) throw invalidField('body.token', 'is invalid, used or expired: ask for a new link')
    const user = await getUserRow(tx, spent.userId)
    if (user.disabled) throw invalidField('body.token', 'is invalid, used or expired: ask for a new link')
    const changing = spent.email !== user.email
    if (changing) {
      const holder = await findUserByEmail(tx, spent.email)
      if (holder && holder.id !== user.id) throw conflict('Another account has taken this address meanwhile')
    }
    const [updated] = await tx
      .update(users)
      .set({
        email: spent.email,
        emailVerified: true,
        updatedAt: new Date(),
        version: sql`${users.version} + 1`,
      })
      .where(eq(users.id, user.id))
      .returning()
    await spendAccountTokens(tx, user.id, 'verify_email')
    if (changing) {
      // a reset link sent to the old address must not outlive it
      await spendAccountTokens(tx, user.id, 'password_reset')
      await deps.queue.send(EMAIL_CHANGED_JOB, { to: user.email, newEmail: spent.email }, { tx })
    }
    return updated!
  })
}

/** Sends the caller a new link for their address; 409 when it is verified already or verification is off. */
export async function resendVerification(deps: VerificationDeps, actor: Actor): Promise<void> {
  if (deps.mode === 'off') throw conflict('Email verification is off on this server')
  const user = await getUserRow(deps.db, actor.userId)
  if (user.emailVerified) throw conflict('The email address is verified already')
  await queueVerification(deps.queue, deps.db, user.id, user.email)
}

/**
 * Changes the caller's address, after their password (when the account has one). With verification
 * on, nothing changes until the link sent to the new address is used (`applied: false`); with it
 * off, the address changes at once and is unverified.
 */
export async function changeEmail(
  deps: VerificationDeps,
  actor: Actor,
  input: { email: string; currentPassword?: string },
): Promise<{ applied: boolean; user: UserRow }> {
  const user = await getUserRow(deps.db, actor.userId)
  if (user.passwordHash && !(await verifyPassword(user.passwordHash, input.currentPassword ?? ''))) {
    throw forbidden('The current password is wrong')
  }
  if (input.email === user.email) throw invalidField('body.email', 'is your address already')
  const holder = await findUserByEmail(deps.db, input.email)
  if (holder) throw conflict('Email already registered')
  if (deps.mode !== 'off') {
    await queueVerification(deps.queue, deps.db, user.id, input.email)
    return { applied: false, user }
  }
  return deps.db.transaction(async (tx) => {
    const [updated] = await tx
      .update(users)
      .set({ email: input.email, emailVerified: false, updatedAt: new Date(), version: sql`${users.version} + 1` })
      .where(and(eq(users.id, user.id), ne(users.email, input.email)))
      .returning()
      .catch((err) => {
        throw serverError(err)?.code === UNIQUE_VIOLATION ? conflict('Email already registered') : err
      })
    await spendAccountTokens(tx, user.id, 'password_reset')
    await deps.queue.send(EMAIL_CHANGED_JOB, { to: user.email, newEmail: input.email }, { tx })
    return { applied: true, user: updated ?? user }
  })
}

/**
 * With EMAIL_VERIFICATION=required, a right password of an unverified account gets a 403 and a new
 * link (at most 3 an hour, however often they try) instead of a session.
 */
export function verifiedGate(deps: VerificationDeps, limits: RateLimitStore) {
  return async (user: UserRow): Promise<undefined> => {
    if (deps.mode !== 'required' || user.emailVerified) return undefined
    const { count } = await limits.hit(`verify-resend:user:${user.id}`, 3600_000)
    if (count <= 3) await queueVerification(deps.queue, deps.db, user.id, user.email)
    throw emailNotVerified()
  }
}
