import { type SQL, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { activity, type Changes } from '../../db/tables/activity.ts'
import type { Action, EntityType } from './activity.catalog.ts'

export interface ActivityInput {
  actorId: string | null
  /** `<entity>.<verb>`: task.created, task.status_changed, member.removed… (the catalog lists them) */
  action: Action
  entityType: EntityType
  entityId: string
  teamId: string | null
  projectId?: string | null
  taskId?: string | null
  changes?: Changes
}

/** The channel instances LISTEN on to learn of new log entries; NOTIFY is delivered only on commit. */
export const ACTIVITY_CHANNEL = 'tasklane_activity'

/**
 * Appends to the log and, in the same statement, notifies listeners — PostgreSQL delivers the
 * notification when (and only if) the transaction commits. Call with the transaction of the change.
 * Resolves to the new entry's id.
 */
export async function recordActivity(tx: Db, entry: ActivityInput): Promise<number> {
  const changes = JSON.stringify(entry.changes ?? {})
  const result = (await tx.execute(sql`with entry as (
    insert into ${activity} (actor_id, action, entity_type, entity_id, team_id, project_id, task_id, changes)
    values (${entry.actorId}, ${entry.action}, ${entry.entityType}, ${entry.entityId}, ${entry.teamId},
            ${entry.projectId ?? null}, ${entry.taskId ?? null}, ${changes}::jsonb)
    returning id
  ) select id, pg_notify(${ACTIVITY_CHANNEL}, '') from entry`)) as unknown as { rows: { id: string | number }[] }
  return Number(result.rows[0]!.id)
}

/**
 * Appends one entry per row of `entries` and notifies listeners once, all in one statement, so a
 * change of many rows (a task's subtasks) logs them without a statement per row. `entries` is a
 * SELECT of (actor_id, action, entity_type, entity_id, team_id, project_id, task_id, changes) that
 * may read the WITH items in `source` (recursive ones too, e.g. a subtree and an `update … returning`).
 */
export async function recordActivities(tx: Db, source: SQL, entries: SQL): Promise<void> {
  await tx.execute(sql`with recursive ${source}, logged as (
    insert into ${activity} (actor_id, action, entity_type, entity_id, team_id, project_id, task_id, changes)
    ${entries}
    returning id
  ) select pg_notify(${ACTIVITY_CHANNEL}, '') where exists (select from logged)`)
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
