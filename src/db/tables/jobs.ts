import { sql } from 'drizzle-orm'
import { check, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { teams } from './teams.ts'
import { users } from './users.ts'

export const JOB_KINDS = ['export', 'import', 'report'] as const
export type JobKind = (typeof JOB_KINDS)[number]
export const JOB_STATUSES = ['queued', 'running', 'done', 'failed'] as const
export type JobStatus = (typeof JOB_STATUSES)[number]

/**
 * Exports, imports and reports: one row per job, written in the transaction that queues its
 * pg-boss job. A run claims the row with a fresh `runId`; progress and the final result are written
 * only while the row still carries that run's id, so a run that lost its claim (its worker was taken
 * for dead and the job ran again) can never write a second result.
 */
export const jobs = pgTable(
  'jobs',
  {
    id: uuid().primaryKey(),
    kind: text({ enum: JOB_KINDS }).notNull(),
    teamId: uuid()
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    // no foreign key: a job outlives a deleted project (its file is still the export that was made)
    projectId: uuid(),
    createdBy: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    status: text({ enum: JOB_STATUSES }).notNull().default('queued'),
    /** what was asked: format, filter, dryRun, range */
    params: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    progressDone: integer().notNull().default(0),
    progressTotal: integer().notNull().default(0),
    result: jsonb().$type<Record<string, unknown>>(),
    error: text(),
    /** the stored result (export, report) */
    resultKey: text(),
    /** the uploaded file an import reads; removed once the import has finished */
    inputKey: text(),
    runId: uuid(),
    attempts: integer().notNull().default(0),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    startedAt: timestamp({ withTimezone: true, precision: 3 }),
    finishedAt: timestamp({ withTimezone: true, precision: 3 }),
    expiresAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [
    index('jobs_team_kind_idx').on(t.teamId, t.kind, t.id),
    index('jobs_created_by_kind_idx').on(t.createdBy, t.kind, t.id),
    index('jobs_expires_at_idx').on(t.expiresAt),
    check('jobs_kind_check', sql`${t.kind} in ('export', 'import', 'report')`),
    check('jobs_status_check', sql`${t.status} in ('queued', 'running', 'done', 'failed')`),
  ],
)
export type JobRow = typeof jobs.$inferSelect
