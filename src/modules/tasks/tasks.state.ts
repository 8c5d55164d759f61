import { asc, eq } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import type { Changes } from '../../db/tables/activity.ts'
import { type TaskRow, taskTags } from '../../db/tables/tasks.ts'
import { priorityOf } from './tasks.queries.ts'

/** What the activity log records of a task: its fields as the API names them, tags as sorted ids. */
export const stateOf = (row: TaskRow, tagIds: readonly string[]) => ({
  projectId: row.projectId,
  parentId: row.parentId,
  title: row.title,
  description: row.description,
  status: row.status,
  priority: priorityOf(row.priorityRank),
  dueAt: row.dueAt,
  remindAt: row.remindAt,
  assigneeId: row.assigneeId,
  tagIds: [...tagIds].sort(),
  position: row.position,
  recurrence: row.recurrence,
  completedAt: row.completedAt,
  completedBy: row.completedBy,
})
export type TaskState = ReturnType<typeof stateOf>
export const TRACKED: readonly (keyof TaskState)[] = [
  'projectId',
  'parentId',
  'title',
  'description',
  'status',
  'priority',
  'dueAt',
  'remindAt',
  'assigneeId',
  'tagIds',
  'position',
  'recurrence',
  'completedAt',
  'completedBy',
]

/** Fields whose change is a status change (`task.status_changed`) rather than an edit. */
export const STATUS_FIELDS = ['status', 'completedAt', 'completedBy'] as const

export const pick = (changes: Changes, fields: readonly string[], keep: boolean): Changes =>
  Object.fromEntries(Object.entries(changes).filter(([f]) => fields.includes(f) === keep))

/** Every non-null field of a removed row as `{ field: { from, to: null } }`. */
export function removed(state: TaskState): Changes {
  const changes: Changes = {}
  for (const [f, v] of Object.entries(state)) {
    if (v === null || (Array.isArray(v) && !v.length)) continue
    changes[f] = { from: v instanceof Date ? v.toISOString() : v, to: null }
  }
  return changes
}

export async function tagIdsOf(tx: Db, taskId: string): Promise<string[]> {
  const rows = await tx
    .select({ id: taskTags.tagId })
    .from(taskTags)
    .where(eq(taskTags.taskId, taskId))
    .orderBy(asc(taskTags.tagId))
  return rows.map((r) => r.id)
}

export async function setTags(tx: Db, taskId: string, tagIds: readonly string[], replace: boolean): Promise<void> {
  if (replace) await tx.delete(taskTags).where(eq(taskTags.taskId, taskId))
  if (tagIds.length) await tx.insert(taskTags).values(tagIds.map((tagId) => ({ taskId, tagId })))
}
