import { bigint, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { projects } from './projects.ts'
import { users } from './users.ts'

/**
 * A personal note, optionally shared with a project (readable by the project's team). Its one
 * optional file lives in object storage under `fileKey`, written before the row names it.
 */
export const notes = pgTable(
  'notes',
  {
    id: uuid().primaryKey(),
    ownerId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    projectId: uuid().references(() => projects.id, { onDelete: 'set null' }),
    title: text().notNull(),
    body: text().notNull().default(''),
    fileKey: text().unique(),
    fileName: text(),
    fileContentType: text(),
    fileSize: bigint({ mode: 'number' }),
    fileSha256: text(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    version: integer().notNull().default(1),
  },
  (t) => [
    index('notes_owner_created_idx').on(t.ownerId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('notes_project_created_idx').on(t.projectId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
  ],
)
export type NoteRow = typeof notes.$inferSelect
