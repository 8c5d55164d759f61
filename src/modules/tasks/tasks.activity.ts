import type { Changes } from '../../db/tables/activity.ts'
import type { TaskRow } from '../../db/tables/tasks.ts'
import type { Actor } from '../../http/auth.ts'
import type { Action } from '../activity/index.ts'
import { priorityOf } from './tasks.queries.ts'

/*
 * A task's entries in the activity log: what is recorded of it (its state), which fields count as a
 * status change, and the entry itself, built here for every write (create, update, delete).
 */

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

/** The activity entry of one task: every task write records its change through this. */
export const taskEntry = (actor: Actor, task: TaskRow, action: Action, changes: Changes) => ({
  actorId: actor.userId,
  action,
  entityType: 'task' as const,
  entityId: task.id,
  teamId: task.teamId,
  projectId: task.projectId,
  taskId: task.id,
  changes,
})
