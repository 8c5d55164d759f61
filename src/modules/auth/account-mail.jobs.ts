import { eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { users } from '../../db/tables/users.ts'
import { deliverMail } from '../../infra/mail-compose.ts'
import type { Mailer } from '../../infra/mailer.ts'
import type { JobDefinition } from '../../infra/queue.ts'
import { findUserByEmail } from '../users/index.ts'
import { emailChangedMail, passwordResetMail, passwordSetMail, verifyEmailMail } from './account-mail.ts'
import { mintAccountToken } from './account-tokens.ts'
import { EMAIL_CHANGED_JOB, VERIFY_EMAIL_JOB, VERIFY_TTL_SECONDS } from './email-verification.ts'

export const PASSWORD_EMAIL_JOB = 'auth.password-email'

/** A reset link asked for by email (self-service), or a set-password link an administrator sends. */
export type PasswordEmail = { email: string } | { userId: string; welcome: boolean }

const SELF_RESET_TTL_SECONDS = 30 * 60
// an administrator's link often waits in an inbox for a day or two before the person sees it
const ADMIN_LINK_TTL_SECONDS = 72 * 3600

export interface AccountMailDeps {
  db: Db
  mailer: Mailer
  /** where links point (PUBLIC_URL: the web app) */
  baseUrl: string
  onEmail?: (outcome: 'sent' | 'failed') => void
}

/**
 * Account emails. Each link's secret is made here, in the worker, right before the message is sent:
 * the job's data (kept in the queue's tables) never holds a usable secret, and the request that asked
 * for a reset did the same work whether or not the address has an account.
 */
export function accountMailJobs(deps: AccountMailDeps): JobDefinition<never>[] {
  const { db, baseUrl } = deps
  const skipped = (reason: string) => ({ outcome: 'skipped', reason })

  const password: JobDefinition<PasswordEmail> = {
    name: PASSWORD_EMAIL_JOB,
    retryLimit: 3,
    retryDelaySeconds: 10,
    handle: async (data, ctx) => {
      const byAdmin = 'userId' in data
      const user = byAdmin
        ? (await db.select().from(users).where(eq(users.id, data.userId)))[0]
        : await findUserByEmail(db, data.email)
      if (!user || user.disabled) return skipped('no such active account')
      const ttlSeconds = byAdmin ? ADMIN_LINK_TTL_SECONDS : SELF_RESET_TTL_SECONDS
      // the address it goes to: using the link proves it (the email is verified then)
      const token = await mintAccountToken(db, {
        userId: user.id,
        purpose: 'password_reset',
        ttlSeconds,
        email: user.email,
      })
      const message = byAdmin
        ? passwordSetMail(user.email, token, ttlSeconds, baseUrl, data.welcome)
        : passwordResetMail(user.email, token, ttlSeconds, baseUrl)
      return deliverMail(deps.mailer, message, ctx.log, 'password', { onEmail: deps.onEmail, secret: true })
    },
  }

  const verify: JobDefinition<{ userId: string; email: string }> = {
    name: VERIFY_EMAIL_JOB,
    retryLimit: 3,
    retryDelaySeconds: 10,
    handle: async ({ userId, email }, ctx) => {
      const [user] = await db.select().from(users).where(eq(users.id, userId))
      if (!user || user.disabled) return skipped('no such active account')
      const change = email !== user.email
      if (!change && user.emailVerified) return skipped('verified already')
      const token = await mintAccountToken(db, {
        userId,
        purpose: 'verify_email',
        ttlSeconds: VERIFY_TTL_SECONDS,
        email,
      })
      const message = verifyEmailMail(email, token, VERIFY_TTL_SECONDS, baseUrl, change)
      return deliverMail(deps.mailer, message, ctx.log, 'verify-email', { onEmail: deps.onEmail, secret: true })
    },
  }

  const changed: JobDefinition<{ to: string; newEmail: string }> = {
    name: EMAIL_CHANGED_JOB,
    retryLimit: 3,
    retryDelaySeconds: 10,
    handle: async ({ to, newEmail }, ctx) =>
      deliverMail(deps.mailer, emailChangedMail(to, newEmail), ctx.log, 'email-changed', { onEmail: deps.onEmail }),
  }

  return [password, verify, changed] as JobDefinition<never>[]
}
