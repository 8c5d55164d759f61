import { integer, pgTable, primaryKey, smallint, text, uuid } from 'drizzle-orm/pg-core'

/** The dimensions a task is counted by: `task_counters` rows per (team, project, dim, key), one per slot. */
const COUNTER_DIMS = ['status', 'priority', 'assignee', 'tag'] as const

/**
 * How many current tasks each project has per status, priority rank, assignee and tag, so the
 * dashboard reads counts in time proportional to the team's projects, never its tasks.
 *
 * Kept by triggers on `tasks` and `task_tags` (migration 0005_dashboard_counters), in the statement
 * that writes the task, so every path that writes tasks (the API, admin deletes, recurrence,
 * project moves, cascades from parent/project/team deletion, raw SQL) keeps them and a rolled-back
 * write rolls its counts back with it. Keys: status name; priority rank '1'..'4'; assignee user id
 * or '' for unassigned; tag id or '' for a task without tags (each task counts once per tag).
 * A key's count is the sum of its slots: each database connection writes the slot
 * pg_backend_pid() % 8 (migration 0021), so concurrent creates into one project do not wait for one
 * another's counter rows; a slot may go below 0 (a task counted in one slot, removed in another).
 * Rows that fall to 0 stay until their project is deleted. No foreign keys: a row must survive the
 * cascades that delete its team and project until the triggers have counted those deletions.
 */
export const taskCounters = pgTable(
  'task_counters',
  {
    teamId: uuid().notNull(),
    projectId: uuid().notNull(),
    dim: text({ enum: COUNTER_DIMS }).notNull(),
    key: text().notNull(),
    count: integer().notNull(),
    slot: smallint().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.projectId, t.dim, t.key, t.slot] })],
)
