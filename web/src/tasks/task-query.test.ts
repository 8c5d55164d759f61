import { describe, expect, it } from 'vitest'
import { taskListQuery } from './task-query.ts'

const scope = { teamId: 'team-1', projectId: 'project-1' }
const q = (search: string) => taskListQuery(new URLSearchParams(search), scope)

describe('taskListQuery', () => {
  it('lists the current project, top-level tasks, 50 at a time, by default', () => {
    expect(q('')).toEqual({ limit: 50, projectId: 'project-1', parentId: 'none' })
  })

  it('lists the whole team when asked', () => {
    expect(q('project=all')).toEqual({ limit: 50, teamId: 'team-1', parentId: 'none' })
    expect(taskListQuery(new URLSearchParams(''), { teamId: 'team-1' }).teamId).toBe('team-1')
  })

  it('reads repeated and comma lists of statuses, priorities and tags, leaving out unknown values', () => {
    const query = q('status=todo&status=in_progress,nope&priority=high,urgent&tag=t1&tag=t2')
    expect(query).toMatchObject({ status: ['todo', 'in_progress'], priority: ['high', 'urgent'], tag: ['t1', 't2'] })
  })

  it('passes the assignee (me, none or an id), overdue, search and a known sort', () => {
    expect(q('assignee=me&overdue=true&q=%20report%20&sort=dueAt')).toMatchObject({
      assigneeId: 'me',
      overdue: 'true',
      q: 'report',
      sort: 'dueAt',
    })
    expect(q('sort=drop table').sort).toBeUndefined()
    expect(q('q=%20%20').q).toBeUndefined()
  })

  it('makes due dates instants: after from the day start, before including the whole day', () => {
    const query = q('dueAfter=2026-03-01&dueBefore=2026-03-10')
    expect(query.dueAfter).toBe(new Date('2026-03-01T00:00:00').toISOString())
    expect(query.dueBefore).toBe(new Date('2026-03-11T00:00:00').toISOString())
    expect(q('dueAfter=not-a-day').dueAfter).toBeUndefined()
  })

  it('includes subtasks when asked', () => {
    expect(q('subtasks=true').parentId).toBeUndefined()
  })
})
