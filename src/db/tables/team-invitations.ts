import { sql } from 'drizzle-orm'
import { check, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { teams } from './teams.ts'
import { users } from './users.ts'

/**
 * An email address invited into a team with a role. The link's secret is made by the worker when it
 * sends the email (again on a resend, which kills the older link); only its SHA-256 is kept. Open
 * (neither accepted nor revoked) invitations are unique per team and address.
 */
export const teamInvitations = pgTable(
  'team_invitations',
  {
    id: uuid().primaryKey(),
    teamId: uuid()
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    // stored trimmed and lower-cased, like users.email
    email: text().notNull(),
    role: text({ enum: ['owner', 'admin', 'member', 'viewer'] }).notNull(),
    tokenHash: text().unique(),
    invitedBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    expiresAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    sentAt: timestamp({ withTimezone: true, precision: 3 }),
    acceptedAt: timestamp({ withTimezone: true, precision: 3 }),
    acceptedBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    revokedAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('team_invitations_open_key')
      .on(t.teamId, sql`lower(${t.email})`)
      .where(sql`${t.acceptedAt} is null and ${t.revokedAt} is null`),
    index('team_invitations_team_id_created_at_idx').on(t.teamId, t.createdAt, t.id),
    check('team_invitations_role_check', sql`${t.role} in ('owner', 'admin', 'member', 'viewer')`),
  ],
)
export type TeamInvitationRow = typeof teamInvitations.$inferSelect
