import type { Task, UpdateTaskInput } from '../../api/types.ts'
import { fromLocalInput, toLocalInput } from '../dates.ts'

/** A task as its edit form holds it: inputs' strings, '' for "none". */
export interface Draft {
  title: string
  description: string
  status: Task['status']
  priority: Task['priority']
  dueAt: string
  remindAt: string
  assigneeId: string
  tagIds: string[]
  recurrence: string
}

export const RECURRENCES = [
  { value: 'FREQ=DAILY', label: 'Every day' },
  { value: 'FREQ=WEEKLY', label: 'Every week' },
  { value: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', label: 'Every weekday' },
  { value: 'FREQ=WEEKLY;INTERVAL=2', label: 'Every two weeks' },
  { value: 'FREQ=MONTHLY', label: 'Every month' },
]

export const draftOf = (task: Task): Draft => ({
  title: task.title,
  description: task.description ?? '',
  status: task.status,
  priority: task.priority,
  dueAt: toLocalInput(task.dueAt),
  remindAt: toLocalInput(task.remindAt),
  assigneeId: task.assigneeId ?? '',
  tagIds: task.tags.map((t) => t.id),
  recurrence: task.recurrence ?? '',
})

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x))

/**
 * The merge patch from a task to a draft: only the fields the draft changed, '' as null (cleared).
 * A PATCH never names what the person did not touch, so it cannot undo someone else's change to it.
 */
export function changedFields(task: Task, draft: Draft): UpdateTaskInput {
  const from = draftOf(task)
  const patch: UpdateTaskInput = {}
  if (draft.title !== from.title) patch.title = draft.title
  if (draft.description !== from.description) patch.description = draft.description || null
  if (draft.status !== from.status) patch.status = draft.status
  if (draft.priority !== from.priority) patch.priority = draft.priority
  if (draft.dueAt !== from.dueAt) patch.dueAt = fromLocalInput(draft.dueAt)
  if (draft.remindAt !== from.remindAt) patch.remindAt = fromLocalInput(draft.remindAt)
  if (draft.assigneeId !== from.assigneeId) patch.assigneeId = draft.assigneeId || null
  if (!sameSet(draft.tagIds, from.tagIds)) patch.tagIds = draft.tagIds
  if (draft.recurrence.trim() !== from.recurrence) patch.recurrence = draft.recurrence.trim() || null
  return patch
}
