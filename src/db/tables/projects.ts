import { sql } from 'drizzle-orm'
import { boolean, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { teams } from './teams.ts'

export const projects = pgTable(
  'projects',
  {
    id: uuid().primaryKey(),
    teamId: uuid()
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    description: text(),
    archived: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    version: integer().notNull().default(1),
  },
  (t) => [
    index('projects_team_id_created_at_id_idx').on(t.teamId, t.createdAt, t.id),
    // task lists leave out archived projects' tasks: this keeps that lookup to the few archived rows
    index('projects_archived_idx').on(t.id).where(sql`${t.archived}`),
  ],
)
export type ProjectRow = typeof projects.$inferSelect
