import { describe, expect, it } from 'vitest'
import { effectsOf, type LiveEvent } from './event-effects.ts'

const ev = (type: string, over: Partial<LiveEvent> = {}): LiveEvent => ({
  type,
  entityId: 'e1',
  teamId: 'team',
  projectId: 'proj',
  taskId: 'e1',
  at: '2026-01-01T00:00:00.000Z',
  ...over,
})

describe('effectsOf', () => {
  it('patches an updated task in place and refetches no list', () => {
    const fx = effectsOf([ev('task.updated'), ev('task.status_changed')])
    expect([...fx.refreshTasks]).toEqual(['e1'])
    expect(fx.projectLists.size).toBe(0)
    expect(fx.keys).toContainEqual(['dashboard', 'team'])
    expect(fx.keys).toContainEqual(['activity', { taskId: 'e1' }])
  })

  it('refetches the lists of the project a task was created in or moved to', () => {
    const fx = effectsOf([ev('task.created', { entityId: 'a', taskId: 'a' }), ev('task.moved', { projectId: 'p2' })])
    expect([...fx.projectLists].sort()).toEqual([
      ['p2', 'team'],
      ['proj', 'team'],
    ])
    expect([...fx.refreshTasks].sort()).toEqual(['a', 'e1'])
  })

  it('drops a deleted task and does not fetch it again, even after an earlier update in the batch', () => {
    const fx = effectsOf([ev('task.updated'), ev('task.deleted'), ev('task.updated')])
    expect([...fx.removeTasks]).toEqual(['e1'])
    expect(fx.refreshTasks.size).toBe(0)
  })

  it('refetches only the comments and files of the task they belong to', () => {
    const fx = effectsOf([
      ev('comment.created', { entityId: 'c1', taskId: 't1' }),
      ev('comment.created', { entityId: 'c2', taskId: 't1' }),
      ev('attachment.created', { entityId: 'a1', taskId: 't2' }),
    ])
    expect(fx.keys.filter((k) => k[0] === 'comments')).toEqual([['comments', 't1']])
    expect(fx.keys.filter((k) => k[0] === 'attachments')).toEqual([['attachments', 't2']])
    expect(fx.refreshTasks.size).toBe(0)
  })

  it('maps projects, members, tags and teams to their own lists', () => {
    const fx = effectsOf([
      ev('project.archived', { taskId: null }),
      ev('member.added', { taskId: null }),
      ev('tag.created', { taskId: null }),
    ])
    expect(fx.keys).toEqual(
      expect.arrayContaining([['projects', 'team'], ['members', 'team'], ['teams'], ['tags', 'team']]),
    )
  })
  it("patches a job's progress from its event and fetches a job once only when its status changes", () => {
    const job = (changes: LiveEvent['changes'], id = 'j1') =>
      ev('job.updated', { entityId: id, teamId: null, projectId: null, taskId: null, changes })
    const fx = effectsOf([
      job({ progress: { from: null, to: { done: 10, total: 100 } } }),
      job({ progress: { from: null, to: { done: 20, total: 100 } } }),
      job({ progress: { from: null, to: { done: 5, total: 50 } } }, 'j2'),
      job({ status: { from: 'running', to: 'done' } }, 'j2'),
      job({ progress: { from: null, to: { done: 50, total: 50 } } }, 'j2'),
      ev('job.created', {
        entityId: 'j3',
        teamId: null,
        taskId: null,
        changes: { status: { from: null, to: 'queued' } },
      }),
    ])
    expect([...fx.jobProgress]).toEqual([['j1', { done: 20, total: 100 }]])
    expect([...fx.refreshJobs].sort()).toEqual(['j2', 'j3'])
    expect(fx.keys).toEqual([])
  })

  it("makes the team's task lists, projects and tags look again after an import", () => {
    const fx = effectsOf([ev('import.completed', { entityId: 'j1', projectId: null, taskId: null })])
    expect(fx.keys).toEqual(
      expect.arrayContaining([['tasks'], ['board'], ['projects', 'team'], ['tags', 'team'], ['dashboard', 'team']]),
    )
    expect(fx.refreshTasks.size).toBe(0)
  })
})
