import { iso, isoOrNull } from '../../lib/time.ts'
import { priorityOf } from '../tasks/index.ts'
import type { ExportTaskRow } from './export.queries.ts'

/** The CSV columns, in order (API.md); an import reads the same names. */
export const CSV_COLUMNS = [
  'id',
  'title',
  'description',
  'status',
  'priority',
  'project',
  'assignee',
  'assigneeEmail',
  'tags',
  'dueAt',
  'completedAt',
  'createdAt',
  'updatedAt',
  'parentId',
  'recurrence',
] as const

// what a spreadsheet may run as a formula (OWASP CSV injection), behind any quotes already added
const FORMULA = /^'*[=+\-@\t\r]/
const GUARDED = /^'+[=+\-@\t\r]/

/**
 * One CSV field (RFC 4180): a value a spreadsheet would read as a formula gets a leading `'`
 * (also one that already starts with quotes before such a character, so `unguard` restores
 * every value exactly), then it is quoted when it holds a comma, a quote or a line break.
 */
function csvField(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return ''
  const safe = FORMULA.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}

/** The value `csvField` guarded, as it was (for an import of an export). */
export const unguard = (value: string): string => (GUARDED.test(value) ? value.slice(1) : value)

const csvRow = (fields: (string | null | undefined)[]): string => `${fields.map(csvField).join(',')}\r\n`

export const csvHeader = () => csvRow([...CSV_COLUMNS])

export function taskCsvRow(t: ExportTaskRow): string {
  return csvRow([
    t.id,
    t.title,
    t.description,
    t.status,
    priorityOf(t.priorityRank),
    t.project,
    t.assignee,
    t.assigneeEmail,
    t.tags.join(';'),
    isoOrNull(t.dueAt),
    isoOrNull(t.completedAt),
    iso(t.createdAt),
    iso(t.updatedAt),
    t.parentId,
    t.recurrence,
  ])
}

/** A task of the Tasklane JSON format. */
export const taskJson = (t: ExportTaskRow) => ({
  id: t.id,
  projectId: t.projectId,
  parentId: t.parentId,
  title: t.title,
  description: t.description,
  status: t.status,
  priority: priorityOf(t.priorityRank),
  dueAt: isoOrNull(t.dueAt),
  remindAt: isoOrNull(t.remindAt),
  assigneeEmail: t.assigneeEmail,
  tags: t.tags,
  position: t.position,
  recurrence: t.recurrence,
  completedAt: isoOrNull(t.completedAt),
  createdAt: iso(t.createdAt),
  updatedAt: iso(t.updatedAt),
})
