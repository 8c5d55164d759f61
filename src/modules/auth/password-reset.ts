import { and, eq, sql } from 'drizzle-orm'
import { users } from '../../db/tables/users.ts'
import { invalidField } from '../../http/problem.ts'
import type { Queue } from '../../infra/queue.ts'
import { PASSWORD_EMAIL_JOB, type PasswordEmail } from './account-mail.jobs.ts'
import { consumeAccountToken, spendAccountTokens } from './account-tokens.ts'
import type { Identity } from './identity.ts'
import { checkNewPassword, hashPassword } from './passwords.ts'
import { revokeAllSessions } from './sessions.service.ts'

/**
 * Asks for a reset link. The request only queues the address: looking it up, making the token and
 * sending happen in the worker, so the answer takes the same time whether or not it has an account.
 */
export async function requestPasswordReset(queue: Pick<Queue, 'send'>, email: string): Promise<void> {
  await queue.send(PASSWORD_EMAIL_JOB, { email } satisfies PasswordEmail)
}

/**
 * Sets a new password with a reset link's token: the token and every other reset link of the account
 * are spent, and every session is signed out, in one transaction.
 */
export async function confirmPasswordReset(identity: Identity, input: { token: string; password: string }) {
  checkNewPassword('body.password', input.password)
  const passwordHash = await hashPassword(input.password)
  const { db, states } = identity.sessionDeps
  const userId = await db.transaction(async (tx) => {
    const token = await consumeAccountToken(tx, 'password_reset', input.token)
    const [user] = token
      ? await tx
          .update(users)
          .set({
            passwordHash,
            // the link went to the account's address: using it proves the address
            emailVerified: sql`${users.emailVerified} or ${users.email} = ${token.email}`,
            updatedAt: new Date(),
            version: sql`${users.version} + 1`,
          })
          .where(and(eq(users.id, token.userId), eq(users.disabled, false)))
          .returning({ id: users.id })
      : []
    if (!token || !user) throw invalidField('body.token', 'is invalid, used or expired: ask for a new link')
    await spendAccountTokens(tx, user.id, 'password_reset', token.id)
    await revokeAllSessions(tx, states, user.id)
    return user.id
  })
  // again after the commit: a request in between could have cached the state from before
  states.invalidate(userId)
}
