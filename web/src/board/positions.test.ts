import { describe, expect, it } from 'vitest'
import type { Task } from '../api/types.ts'
import { columnsOf, moveBy, positionAt, stableColumns } from './positions.ts'

let n = 0
const task = (status: Task['status'], position: number): Task => ({
  id: `t${++n}`,
  projectId: 'p',
  teamId: 'team',
  parentId: null,
  title: `task ${n}`,
  description: null,
  status,
  priority: 'medium',
  dueAt: null,
  remindAt: null,
  assigneeId: null,
  assignee: null,
  tags: [],
  position,
  recurrence: null,
  subtaskCount: 0,
  completedAt: null,
  createdAt: `2026-01-01T00:00:${String(n).padStart(2, '0')}.000Z`,
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 1,
})

describe('board positions', () => {
  it('groups tasks by status in position order, oldest first on a tie', () => {
    const a = task('todo', 2)
    const b = task('todo', 1)
    const c = task('todo', 1)
    const d = task('done', 5)
    const columns = columnsOf([a, b, c, d])
    expect(columns.todo.map((t) => t.id)).toEqual([b.id, c.id, a.id])
    expect(columns.done).toEqual([d])
    expect(columns.in_progress).toEqual([])
  })

  it('places a task between, before, after its neighbours or alone', () => {
    const column = [task('todo', 10), task('todo', 20)]
    expect(positionAt(column, 1)).toBe(15)
    expect(positionAt(column, 0)).toBe(10 - 1024)
    expect(positionAt(column, 2)).toBe(20 + 1024)
    expect(positionAt([], 0)).toBe(1024)
  })

  it('moves a task up and down its column, and not past either end', () => {
    const [a, b, c] = [task('todo', 1), task('todo', 2), task('todo', 3)]
    const columns = columnsOf([a!, b!, c!])
    expect(moveBy(columns, c!, { step: -1 })).toEqual({ status: 'todo', position: 1.5 })
    expect(moveBy(columns, a!, { step: 1 })).toEqual({ status: 'todo', position: 2.5 })
    expect(moveBy(columns, a!, { step: -1 })).toBeNull()
    expect(moveBy(columns, c!, { step: 1 })).toBeNull()
  })

  it('moves a task to the end of another column', () => {
    const a = task('todo', 1)
    const columns = columnsOf([a, task('in_progress', 7)])
    expect(moveBy(columns, a, { to: 'in_progress' })).toEqual({ status: 'in_progress', position: 7 + 1024 })
    expect(moveBy(columns, a, { to: 'done' })).toEqual({ status: 'done', position: 1024 })
    expect(moveBy(columns, a, { to: 'todo' })).toBeNull()
  })

  it('keeps the arrays of columns a change did not touch', () => {
    const [a, b, c] = [task('todo', 1), task('in_progress', 1), task('done', 1)]
    const before = columnsOf([a!, b!, c!])
    const moved = { ...a!, status: 'done' as const, position: 2 }
    const after = stableColumns(before, [moved, b!, c!])
    expect(after.in_progress).toBe(before.in_progress)
    expect(after.cancelled).toBe(before.cancelled)
    expect(after.todo).not.toBe(before.todo)
    expect(after.done.map((t) => t.id)).toEqual([c!.id, a!.id])
  })
})
