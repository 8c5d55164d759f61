import { describe, expect, it } from 'vitest'
import type { ActivityEntry } from '../../api/types.ts'
import { describeEntry } from './activity-log.tsx'

const entry = (action: string, changes: ActivityEntry['changes']): ActivityEntry => ({
  id: 1,
  action,
  actor: { id: 'u', name: 'Ada' },
  entityType: 'task',
  entityId: 't',
  teamId: 'team',
  projectId: 'p',
  taskId: 't',
  changes,
  createdAt: '2026-01-01T00:00:00.000Z',
})

describe('describeEntry', () => {
  it('names a new task by its title and a new comment by its text', () => {
    expect(
      describeEntry(entry('task.created', { title: { from: null, to: 'Plan' }, status: { from: null, to: 'todo' } })),
    ).toBe('Ada created the task: Plan')
    expect(describeEntry(entry('comment.created', { body: { from: null, to: 'Hi' } }))).toBe('Ada commented: Hi')
  })

  it('lists each changed field from old to new, with a dash for none', () => {
    expect(
      describeEntry(entry('task.updated', { title: { from: 'A', to: 'B' }, dueAt: { from: null, to: '2026-02-01' } })),
    ).toBe('Ada edited: title: A → B; dueAt: — → 2026-02-01')
  })

  it('says who even without changes, and someone when the actor is gone', () => {
    expect(describeEntry({ ...entry('attachment.deleted', {}), actor: null })).toBe('Someone removed a file')
  })
})
