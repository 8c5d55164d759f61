import { sql } from 'drizzle-orm'
import { boolean, check, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { users } from './users.ts'

export const teams = pgTable(
  'teams',
  {
    id: uuid().primaryKey(),
    name: text().notNull(),
    // every user gets one personal team (with an Inbox project) at registration
    personal: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    version: integer().notNull().default(1),
  },
  (t) => [index('teams_created_at_id_idx').on(t.createdAt, t.id)],
)
export type TeamRow = typeof teams.$inferSelect

export const teamMembers = pgTable(
  'team_members',
  {
    teamId: uuid()
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text({ enum: ['owner', 'admin', 'member', 'viewer'] }).notNull(),
    joinedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.userId] }),
    // "which teams is this user in" is asked on every request: an index-only scan
    index('team_members_user_id_team_id_idx').on(t.userId, t.teamId, t.role),
    check('team_members_role_check', sql`${t.role} in ('owner', 'admin', 'member', 'viewer')`),
  ],
)
