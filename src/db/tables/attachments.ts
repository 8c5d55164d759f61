import { sql } from 'drizzle-orm'
import { bigint, check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { tasks } from './tasks.ts'
import { teams } from './teams.ts'
import { users } from './users.ts'

export const EXTRACTION_STATUSES = ['queued', 'processing', 'done', 'failed', 'skipped'] as const

/**
 * A file on a task: metadata here, bytes in object storage under `storageKey`. A row is written
 * only after its object, so it never names a missing one (see files.sweep.ts for the reverse).
 */
export const attachments = pgTable(
  'attachments',
  {
    id: uuid().primaryKey(),
    taskId: uuid()
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    // denormalised from the task so visibility needs no join
    teamId: uuid()
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    filename: text().notNull(),
    contentType: text().notNull(),
    size: bigint({ mode: 'number' }).notNull(),
    sha256: text().notNull(),
    storageKey: text().notNull().unique(),
    uploadedBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    extractionStatus: text({ enum: EXTRACTION_STATUSES }).notNull(),
    extractionError: text(),
    extractedText: text(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    version: integer().notNull().default(1),
  },
  (t) => [
    index('attachments_task_created_idx').on(t.taskId, t.createdAt, t.id),
    check(
      'attachments_extraction_status_check',
      sql`${t.extractionStatus} in ('queued', 'processing', 'done', 'failed', 'skipped')`,
    ),
  ],
)
export type AttachmentRow = typeof attachments.$inferSelect
