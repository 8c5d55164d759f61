import { eq, sql } from 'drizzle-orm'
import { type UserRow, users } from '../../db/tables/users.ts'
import type { Actor } from '../../http/auth.ts'
import { forbidden, unauthorized } from '../../http/problem.ts'
import { claimInvitation } from '../teams/index.ts'
import { findUserByEmail, getUserRow, insertUser, toUser } from '../users/index.ts'
import { queueVerification, type VerificationDeps } from './email-verification.ts'
import type { RegistrationPolicy } from './external-accounts.ts'
import type { Identity } from './identity.ts'
import { checkNewPassword, hashPassword, verifyPassword } from './passwords.ts'
import { revokeAllSessions, startSession } from './sessions.service.ts'

export async function register(
  identity: Identity,
  input: { email: string; password: string; name: string; invitationToken?: string },
  policy: RegistrationPolicy = 'open',
  verification?: Pick<VerificationDeps, 'queue' | 'mode'>,
) {
  if (policy === 'closed') throw forbidden('Registration is closed: an administrator creates accounts')
  if (policy === 'invite' && !input.invitationToken) throw forbidden('Registration needs an invitation')
  checkNewPassword('body.password', input.password)
  const passwordHash = await hashPassword(input.password)
  const { db } = identity.sessionDeps
  return db.transaction(async (tx) => {
    const user = await insertUser(tx, { email: input.email, name: input.name, passwordHash })
    await identity.userCreated(tx, user)
    // a bad token rolls the new account back with it
    if (input.invitationToken) {
      await claimInvitation(tx, input.invitationToken, user, { path: 'body.invitationToken', sameEmail: true })
    }
    // the invitation's link went to this address: that proves it
    const created = await getUserRow(tx, user.id)
    const mode = verification?.mode ?? 'off'
    if (mode !== 'off' && !created.emailVerified) await queueVerification(verification!.queue, tx, user.id, user.email)
    if (mode === 'required' && !created.emailVerified) {
      return { user: toUser(created), emailVerificationRequired: true as const }
    }
    return { user: toUser(created), ...(await startSession(tx, identity.sessionDeps, user.id)) }
  })
}

/** The same 401 for an unknown email, a wrong password and a disabled account, in about the same time. */
/**
 * What stands between a right password and a session: it throws (an unverified address), answers
 * in the session's place (a second-factor challenge), or lets the session start (undefined).
 */
export type SignInGate<T> = (user: UserRow) => Promise<T | undefined>

export async function login<T = never>(
  identity: Identity,
  input: { email: string; password: string },
  gate?: SignInGate<T>,
) {
  const { db } = identity.sessionDeps
  const user = await findUserByEmail(db, input.email)
  const ok = await verifyPassword(user?.passwordHash, input.password)
  if (!user || !ok || user.disabled) throw unauthorized('Invalid email or password')
  const instead = await gate?.(user)
  if (instead !== undefined) return instead
  return { user: toUser(user), ...(await startSession(db, identity.sessionDeps, user.id)) }
}

/** Changes the password and signs out every other session of the caller (the current one stays). */
export async function changePassword(
  identity: Identity,
  actor: Actor,
  input: { currentPassword: string; newPassword: string },
) {
  const { db, states } = identity.sessionDeps
  const user = await getUserRow(db, actor.userId)
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw forbidden('The current password is wrong')
  }
  checkNewPassword('body.newPassword', input.newPassword)
  const passwordHash = await hashPassword(input.newPassword)
  await db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ passwordHash, updatedAt: new Date(), version: sql`${users.version} + 1` })
      .where(eq(users.id, actor.userId))
    await revokeAllSessions(tx, states, actor.userId, actor.sessionFamily)
  })
  // again after the commit: a request between the invalidation above and the commit could have cached the old state
  states.invalidate(actor.userId)
}
