import { QueryClient } from '@tanstack/react-query'
import { describe, expect, it } from 'vitest'
import type { Task } from '../api/types.ts'
import { isShown, patchTask, removeTask } from './task-cache.ts'

const task = (id: string, title = id): Task =>
  ({ id, title, status: 'todo', position: 1, createdAt: '2026-01-01T00:00:00.000Z', version: 1 }) as Task

function cache() {
  const queryClient = new QueryClient()
  // a paged list ("Load more"), a one-page list (subtasks) and a board
  queryClient.setQueryData(['tasks', { projectId: 'p' }], {
    pages: [
      { items: [task('a'), task('b')], nextCursor: 'x' },
      { items: [task('c')], nextCursor: null },
    ],
    pageParams: [undefined, 'x'],
  })
  queryClient.setQueryData(['tasks', { parentId: 'a' }], { items: [task('c')], nextCursor: null })
  queryClient.setQueryData(['board', 'p'], [task('b'), task('c')])
  return queryClient
}

describe('task cache', () => {
  it('puts a changed task into every list shape and board that holds it, and its detail', () => {
    const queryClient = cache()
    patchTask(queryClient, { ...task('c', 'renamed'), version: 2 })
    const paged = queryClient.getQueryData<{ pages: { items: Task[] }[] }>(['tasks', { projectId: 'p' }])
    expect(paged?.pages[1]?.items[0]?.title).toBe('renamed')
    expect(paged?.pages[0]?.items.map((t) => t.title)).toEqual(['a', 'b'])
    expect(queryClient.getQueryData<{ items: Task[] }>(['tasks', { parentId: 'a' }])?.items[0]?.title).toBe('renamed')
    expect(queryClient.getQueryData<Task[]>(['board', 'p'])?.[1]?.title).toBe('renamed')
    expect(queryClient.getQueryData<Task>(['task', 'c'])?.version).toBe(2)
  })

  it('drops a deleted task everywhere', () => {
    const queryClient = cache()
    expect(isShown(queryClient, 'c')).toBe(true)
    removeTask(queryClient, 'c')
    expect(isShown(queryClient, 'c')).toBe(false)
    expect(queryClient.getQueryData<{ items: Task[] }>(['tasks', { parentId: 'a' }])?.items).toEqual([])
    expect(queryClient.getQueryData<Task[]>(['board', 'p'])?.map((t) => t.id)).toEqual(['b'])
  })

  it('knows a task no screen shows', () => {
    expect(isShown(cache(), 'zzz')).toBe(false)
  })
})
