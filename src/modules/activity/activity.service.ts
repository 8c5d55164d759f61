import type { Db } from '../../db/client.ts'
import { activity, type Changes } from './activity.table.ts'

export interface ActivityInput {
  actorId: string | null
  /** `<entity>.<verb>`: task.created, task.status_changed, member.removed… */
  action: string
  entityType: string
  entityId: string
  teamId: string | null
  projectId?: string | null
  taskId?: string | null
  changes?: Changes
}

/** Appends to the log. Call with the transaction of the change it records, never after it. */
export async function recordActivity(tx: Db, entry: ActivityInput): Promise<void> {
  await tx.insert(activity).values({ ...entry, changes: entry.changes ?? {} })
}

const same = (a: unknown, b: unknown) =>
  a instanceof Date || b instanceof Date
    ? (a as Date | null)?.valueOf() === (b as Date | null)?.valueOf()
    : JSON.stringify(a) === JSON.stringify(b)

const wire = (v: unknown) => (v instanceof Date ? v.toISOString() : (v ?? null))

/** The fields that differ between two versions of a row, as `{ field: { from, to } }` (dates as ISO strings). */
export function diff<T extends Record<string, unknown>>(
  before: T,
  after: T,
  fields: readonly (keyof T & string)[],
): Changes {
  const changes: Changes = {}
  for (const f of fields) {
    if (!same(before[f], after[f])) changes[f] = { from: wire(before[f]), to: wire(after[f]) }
  }
  return changes
}

/** Every non-null field of a new row as `{ field: { from: null, to } }`. */
export function created<T extends Record<string, unknown>>(row: T, fields: readonly (keyof T & string)[]): Changes {
  const changes: Changes = {}
  for (const f of fields) if (row[f] !== null && row[f] !== undefined) changes[f] = { from: null, to: wire(row[f]) }
  return changes
}
