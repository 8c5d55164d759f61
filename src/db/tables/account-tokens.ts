import { sql } from 'drizzle-orm'
import { check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { users } from './users.ts'

const ACCOUNT_TOKEN_PURPOSES = ['password_reset', 'verify_email', 'sso_exchange', 'login_challenge'] as const
export type AccountTokenPurpose = (typeof ACCOUNT_TOKEN_PURPOSES)[number]

/**
 * Single-use secrets sent to or held by one user: a password-reset link, an email-verification link
 * (for `email`, the address it proves), the code that hands a single sign-on session to the web app,
 * and the challenge between a password and its second factor. Only the SHA-256 of the secret is kept.
 */
export const accountTokens = pgTable(
  'account_tokens',
  {
    id: uuid().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text({ enum: ACCOUNT_TOKEN_PURPOSES }).notNull(),
    tokenHash: text().notNull().unique(),
    email: text(),
    // failed attempts against it (a second-factor challenge burns after a few)
    attempts: integer().notNull().default(0),
    expiresAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    usedAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index('account_tokens_user_id_purpose_idx').on(t.userId, t.purpose),
    index('account_tokens_expires_at_idx').on(t.expiresAt),
    check(
      'account_tokens_purpose_check',
      sql`${t.purpose} in ('password_reset', 'verify_email', 'sso_exchange', 'login_challenge')`,
    ),
  ],
)
export type AccountTokenRow = typeof accountTokens.$inferSelect
