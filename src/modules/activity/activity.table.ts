import { bigint, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'

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
