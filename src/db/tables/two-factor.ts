import { index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { users } from './users.ts'

/**
 * A user's TOTP authenticator (RFC 6238). The secret must be read back to check codes, so it is
 * encrypted (AES-256-GCM, a key derived from JWT_SECRET) rather than hashed. `enabledAt` is null
 * while the enrolment waits for its first code; `lastUsedStep` is the time step of the last code
 * accepted, so a code is never accepted twice.
 */
export const userTotp = pgTable('user_totp', {
  userId: uuid()
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  secretEnc: text().notNull(),
  enabledAt: timestamp({ withTimezone: true, precision: 3 }),
  lastUsedStep: integer(),
  createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
})

/** Single-use recovery codes of a second factor, stored as SHA-256 (80 random bits each). */
export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    id: uuid().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text().notNull().unique(),
    usedAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('recovery_codes_user_id_idx').on(t.userId)],
)
