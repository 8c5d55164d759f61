import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { sendFile } from '../../../test/files-app.ts'
import { type GivenUser, given } from '../../../test/given.ts'
import { deletedDuring } from '../../../test/races.ts'

const t = useTestApp()

const count = async (table: string, column: string, id: string) =>
  (await t.database.sql.query<{ n: number }>(`select count(*)::int as n from ${table} where ${column} = $1`, [id]))
    .rows[0]!.n

// the embedded database is one session: its transactions never interleave, so only PostgreSQL races
describe.skipIf(!process.env.TEST_DATABASE_URL)('a write under a task deleted at the same moment', () => {
  let user: GivenUser
  const parentTask = async () => {
    user = await given.user(t.app)
    return given.task(t.app, user, { title: 'Doomed' })
  }

  it('creating a subtask answers 400 naming body.parentId, and leaves no subtask', async () => {
    const parent = await parentTask()
    const res = await deletedDuring(t.database, 'tasks', parent.id, () =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/tasks',
        headers: user.auth,
        payload: { title: 'Child', parentId: parent.id, projectId: parent.projectId },
      }),
    )
    expect(res.statusCode, res.body).toBe(400)
    expect(res.headers['content-type']).toBe('application/problem+json')
    expect(res.json().errors).toEqual([{ path: 'body.parentId', message: 'task not found' }])
    expect(await count('tasks', 'parent_id', parent.id)).toBe(0)
  })

  it('commenting answers 404 and stores no comment', async () => {
    const task = await parentTask()
    const res = await deletedDuring(t.database, 'tasks', task.id, () =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/tasks/${task.id}/comments`,
        headers: user.auth,
        payload: { body: 'Too late' },
      }),
    )
    expect(res.statusCode, res.body).toBe(404)
    expect(res.json().type).toBe('urn:tasklane:problem:not-found')
    expect(await count('comments', 'task_id', task.id)).toBe(0)
  })

  it('attaching a file answers 404 and stores no attachment', async () => {
    const task = await parentTask()
    const res = await deletedDuring(t.database, 'tasks', task.id, () =>
      sendFile(t.app, user, `/api/v1/tasks/${task.id}/attachments`, 'late.txt', Buffer.from('too late')),
    )
    expect(res.statusCode, res.body).toBe(404)
    expect(await count('attachments', 'task_id', task.id)).toBe(0)
  })
})
