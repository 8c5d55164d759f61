import { bigint, index, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { users } from './users.ts'

export type Changes = Record<string, { from: unknown; to: unknown }>

/**
 * The one append-only log of every change, written in the transaction of the change. It is the
 * audit trail, the SSE stream (the id is the event id), the change feed and the source of webhooks.
 * No foreign keys: entries outlive what they describe (deletions are events too).
 */
export const activity = pgTable(
  'activity',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    actorId: uuid(),
    action: text().notNull(),
    entityType: text().notNull(),
    entityId: uuid().notNull(),
    teamId: uuid(),
    projectId: uuid(),
    taskId: uuid(),
    changes: jsonb().$type<Changes>().notNull().default({}),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index('activity_team_id_idx').on(t.teamId, t.id),
    index('activity_project_id_idx').on(t.projectId, t.id),
    index('activity_task_id_idx').on(t.taskId, t.id),
    index('activity_actor_id_idx').on(t.actorId, t.id),
  ],
)
export type ActivityRow = typeof activity.$inferSelect

/**
 * Who may read entries of a team without being (any longer) its member: the members of a deleted team,
 * over the entries of its deletion (`fromId` is its `team.deleted`, `throughId` the last entry the
 * delete wrote), recorded in the delete's transaction. The audience an entry had when it was written,
 * kept where membership can no longer say it. No foreign key to the team: it is gone.
 */
export const activityAudience = pgTable(
  'activity_audience',
  {
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    teamId: uuid().notNull(),
    fromId: bigint({ mode: 'number' }).notNull(),
    throughId: bigint({ mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.teamId, t.fromId] })],
)
