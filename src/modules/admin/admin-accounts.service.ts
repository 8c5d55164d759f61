import { eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { users } from '../../db/tables/users.ts'
import { conflict, notFound } from '../../http/problem.ts'
import type { Queue } from '../../infra/queue.ts'
import type { UserCreatedHook } from '../auth/index.ts'
import {
  checkNewPassword,
  hashPassword,
  PASSWORD_EMAIL_JOB,
  type PasswordEmail,
  queueVerification,
  type VerificationMode,
} from '../auth/index.ts'
import { insertUser, toUser } from '../users/index.ts'

export interface AdminAccountDeps {
  db: Db
  queue: Pick<Queue, 'send'>
  userCreated: UserCreatedHook
  verification: VerificationMode
}

/**
 * Creates an account whatever the sign-up policy. Without a password the person gets an email with
 * a link to choose one; the email is queued in the same transaction, so it exists only with the user.
 */
export async function createUserAsAdmin(
  { db, queue, userCreated, verification }: AdminAccountDeps,
  input: { email: string; name: string; role: 'user' | 'admin'; password?: string; emailVerified: boolean },
) {
  if (input.password !== undefined) checkNewPassword('body.password', input.password)
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password)
  const row = await db.transaction(async (tx) => {
    const { email, name, role, emailVerified } = input
    const user = await insertUser(tx, { email, name, role, passwordHash, emailVerified })
    await userCreated(tx, user)
    if (!passwordHash) {
      // using the link proves the address too
      await queue.send(PASSWORD_EMAIL_JOB, { userId: user.id, welcome: true } satisfies PasswordEmail, { tx })
    } else if (verification !== 'off' && !emailVerified) await queueVerification(queue, tx, user.id, email)
    return user
  })
  return { ...toUser(row), disabled: row.disabled }
}

/** Emails a user a link to set their password (72 hours, single use). A disabled account gets none: 409. */
export async function sendPasswordLink({ db, queue }: AdminAccountDeps, userId: string): Promise<void> {
  const [user] = await db.select({ disabled: users.disabled }).from(users).where(eq(users.id, userId))
  if (!user) throw notFound('user', userId)
  if (user.disabled) throw conflict('The account is disabled: enable it before sending a password link')
  await queue.send(PASSWORD_EMAIL_JOB, { userId, welcome: false } satisfies PasswordEmail)
}
