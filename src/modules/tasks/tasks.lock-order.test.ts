import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'
import { http } from '../../../test/http.ts'
import { commitWhileWaiting } from '../../../test/races.ts'

const t = useTestApp()

const { patch } = http(t)

describe('lock order (docs/dashboard.md: project row, then task row, then counter rows)', () => {
  it.each([
    ['completes a recurring task', { recurrence: 'FREQ=WEEKLY' }, { status: 'done' }],
    ['sets a recurrence and completes the task in one request', {}, { recurrence: 'FREQ=DAILY', status: 'done' }],
  ])('a PATCH that %s locks the project before it updates the task', async (_, created, payload) => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user, { title: 'Repeats', ...created })
    t.queries.length = 0
    const res = await patch(`/api/v1/tasks/${task.id}`, user.auth, payload)
    expect(res.statusCode, res.body).toBe(200)
    const projectLock = t.queries.findIndex((q) => /from "projects" .*for no key update/i.test(q))
    const taskUpdate = t.queries.findIndex((q) => /^update "tasks"/i.test(q))
    expect(projectLock).toBeGreaterThanOrEqual(0)
    expect(taskUpdate).toBeGreaterThan(projectLock)
  })
})

// the embedded database is one session: its transactions never interleave, so only PostgreSQL can deadlock
describe.skipIf(!process.env.TEST_DATABASE_URL)('lock order: project row, then task row, then counter rows', () => {
  it('a PATCH that sets a recurrence and completes the task takes the project lock before its update', async () => {
    const user = await given.user(t.app)
    const task = await given.task(t.app, user, { title: 'Becomes recurring' })
    // a create in the same project, as createTask does it: the project row, then the new task and
    // its counter rows. Were the PATCH holding its own counter rows while waiting for the project,
    // the two would deadlock and one would be rolled back.
    const res = await commitWhileWaiting(
      t.database,
      [['select id from projects where id = $1 for no key update', [task.projectId]]],
      () => patch(`/api/v1/tasks/${task.id}`, user.auth, { recurrence: 'FREQ=DAILY', status: 'done' }),
      [
        [
          `insert into tasks (id, team_id, project_id, title, position)
           values (gen_random_uuid(), $1, $2, 'Created meanwhile', 1000000)`,
          [task.teamId, task.projectId],
        ],
      ],
    )
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ status: 'done', recurrence: 'FREQ=DAILY' })
    const { rows } = await t.database.sql.query<{ title: string; status: string }>(
      'select title, status from tasks where previous_occurrence_id = $1',
      [task.id],
    )
    expect(rows).toEqual([{ title: 'Becomes recurring', status: 'todo' }])
  })
})
