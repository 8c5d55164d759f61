import { sql } from 'drizzle-orm'
import { boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'

export const users = pgTable(
  'users',
  {
    id: uuid().primaryKey(),
    // stored trimmed and lower-cased: the unique index is on the normalised form
    email: text().notNull(),
    name: text().notNull(),
    passwordHash: text(),
    role: text({ enum: ['user', 'admin'] })
      .notNull()
      .default('user'),
    disabled: boolean().notNull().default(false),
    externalId: text(),
    // proven by a link sent to the address (or vouched for by the identity provider or an administrator)
    emailVerified: boolean().notNull().default(false),
    notifications: jsonb().$type<Record<string, boolean>>().notNull().default({}),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    version: integer().notNull().default(1),
  },
  (t) => [
    uniqueIndex('users_email_key').on(sql`lower(${t.email})`),
    uniqueIndex('users_external_id_key').on(t.externalId),
    index('users_created_at_id_idx').on(t.createdAt, t.id),
    check('users_role_check', sql`${t.role} in ('user', 'admin')`),
  ],
)
export type UserRow = typeof users.$inferSelect
