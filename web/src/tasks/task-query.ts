import type { operations } from '../api/schema'
import { PRIORITIES, STATUSES } from '../api/types.ts'

const STATUS_VALUES = STATUSES.map((s) => s.value)
const PRIORITY_VALUES = PRIORITIES.map((p) => p.value)

export type TaskListQuery = NonNullable<operations['listTasks']['parameters']['query']>
export type TaskSort = NonNullable<TaskListQuery['sort']>

export const SORTS: { value: TaskSort; label: string }[] = [
  { value: '-createdAt', label: 'Newest first' },
  { value: 'createdAt', label: 'Oldest first' },
  { value: 'dueAt', label: 'Due date' },
  { value: '-priority', label: 'Priority' },
  { value: '-updatedAt', label: 'Recently updated' },
  { value: 'position', label: 'Board order' },
]
const SORT_VALUES = new Set<string>(SORTS.map((s) => s.value))

// a date input gives a day; the API compares instants: the day starts at local midnight
const dayStart = (day: string, plusDays = 0) => {
  const date = new Date(`${day}T00:00:00`)
  date.setDate(date.getDate() + plusDays)
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString()
}

/**
 * The API query of the task list from the page's address (?status=todo,done&assignee=me&q=…), so a
 * filtered list survives a reload and can be shared. `scope` is the team, or one of its projects.
 */
export function taskListQuery(params: URLSearchParams, scope: { teamId: string; projectId?: string }): TaskListQuery {
  const query: TaskListQuery = { limit: 50 }
  if (params.get('project') === 'all') query.teamId = scope.teamId
  else if (scope.projectId) query.projectId = scope.projectId
  else query.teamId = scope.teamId
  const list = <T extends string>(name: string, allowed?: readonly T[]) =>
    params
      .getAll(name)
      .flatMap((v) => v.split(','))
      .filter((v): v is T => !!v && (!allowed || allowed.includes(v as T)))
  const status = list('status', STATUS_VALUES)
  if (status.length) query.status = status
  const priority = list('priority', PRIORITY_VALUES)
  if (priority.length) query.priority = priority
  const tag = list('tag')
  if (tag.length) query.tag = tag
  const assignee = params.get('assignee')
  if (assignee) query.assigneeId = assignee
  const after = params.get('dueAfter') && dayStart(params.get('dueAfter')!)
  if (after) query.dueAfter = after
  // "due before the 10th" includes the 10th: the API's bound is exclusive, so it is the next midnight
  const before = params.get('dueBefore') && dayStart(params.get('dueBefore')!, 1)
  if (before) query.dueBefore = before
  if (params.get('overdue') === 'true') query.overdue = 'true'
  const q = params.get('q')?.trim()
  if (q) query.q = q
  const sort = params.get('sort')
  if (sort && SORT_VALUES.has(sort)) query.sort = sort as TaskSort
  if (params.get('subtasks') !== 'true') query.parentId = 'none'
  return query
}
