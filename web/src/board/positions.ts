import type { Task, TaskStatus } from '../api/types.ts'

const GAP = 1024

/** A column's tasks in board order: by position, then oldest first (equal positions stay stable). */
const byPosition = (a: Task, b: Task) => a.position - b.position || a.createdAt.localeCompare(b.createdAt)

/** The board's columns: each status's tasks in board order. */
export function columnsOf(tasks: Task[]): Record<TaskStatus, Task[]> {
  const columns: Record<TaskStatus, Task[]> = { todo: [], in_progress: [], done: [], cancelled: [] }
  for (const task of tasks) columns[task.status].push(task)
  for (const column of Object.values(columns)) column.sort(byPosition)
  return columns
}

/**
 * The columns of `tasks`, reusing a previous column's array when it holds the very same task objects
 * in the same order: an unchanged column then skips re-rendering (a move touches one or two of four).
 */
export function stableColumns(
  previous: Record<TaskStatus, Task[]> | undefined,
  tasks: Task[],
): Record<TaskStatus, Task[]> {
  const next = columnsOf(tasks)
  if (!previous) return next
  for (const status of Object.keys(next) as TaskStatus[]) {
    const before = previous[status]
    const after = next[status]
    if (before.length === after.length && before.every((t, i) => t === after[i])) next[status] = before
  }
  return next
}

/**
 * The position that puts a task at `index` of a column (the column without that task): halfway
 * between its new neighbours, or a gap past the one it has. Only the moved task is written.
 */
export function positionAt(column: Task[], index: number): number {
  const before = column[index - 1]?.position
  const after = column[index]?.position
  if (before === undefined && after === undefined) return GAP
  if (before === undefined) return after! - GAP
  if (after === undefined) return before + GAP
  return (before + after) / 2
}

/**
 * Where a task lands when moved by `step` places within its column, or into the column `to`
 * (at its end): the target status and position, or null when it cannot move that way.
 */
export function moveBy(
  columns: Record<TaskStatus, Task[]>,
  task: Task,
  move: { step: -1 | 1 } | { to: TaskStatus },
): { status: TaskStatus; position: number } | null {
  if ('to' in move) {
    if (move.to === task.status) return null
    const target = columns[move.to]
    return { status: move.to, position: positionAt(target, target.length) }
  }
  const column = columns[task.status]
  const index = column.findIndex((t) => t.id === task.id)
  const next = index + move.step
  if (index < 0 || next < 0 || next >= column.length) return null
  const rest = column.filter((t) => t.id !== task.id)
  return { status: task.status, position: positionAt(rest, next) }
}
