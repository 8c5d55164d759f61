import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'
import { deletedDuring } from '../../../test/races.ts'

const t = useTestApp()

const tagsOf = async (taskId: string) =>
  (await t.database.sql.query('select tag_id from task_tags where task_id = $1', [taskId])).rows

// the embedded database is one session: its transactions never interleave, so only PostgreSQL races
describe.skipIf(!process.env.TEST_DATABASE_URL)('attaching a tag deleted at the same moment', () => {
  const world = async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const project = await given.project(t.app, team, owner)
    const tag = await given.tag(t.app, team, owner)
    return { owner, project, tag }
  }

  it('creating a task with it answers 400 naming body.tagIds, and creates no task', async () => {
    const { owner, project, tag } = await world()
    const res = await deletedDuring(t.database, 'tags', tag.id, () =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/tasks',
        headers: owner.auth,
        payload: { title: 'Tagged too late', projectId: project.id, tagIds: [tag.id] },
      }),
    )
    expect(res.statusCode, res.body).toBe(400)
    expect(res.headers['content-type']).toBe('application/problem+json')
    expect(res.json().errors).toEqual([{ path: 'body.tagIds', message: expect.stringContaining(tag.id) }])
    const { rows } = await t.database.sql.query('select id from tasks where project_id = $1', [project.id])
    expect(rows).toEqual([])
  })

  it('adding it to a task answers 400 naming body.tagIds, and leaves the task as it was', async () => {
    const { owner, project, tag } = await world()
    const task = await given.task(t.app, owner, { projectId: project.id, title: 'Untagged' })
    const res = await deletedDuring(t.database, 'tags', tag.id, () =>
      t.app.inject({
        method: 'PATCH',
        url: `/api/v1/tasks/${task.id}`,
        headers: owner.auth,
        payload: { tagIds: [tag.id], title: 'Retitled' },
      }),
    )
    expect(res.statusCode, res.body).toBe(400)
    expect(res.json().errors).toEqual([{ path: 'body.tagIds', message: expect.stringContaining(tag.id) }])
    const again = await t.app.inject({ url: `/api/v1/tasks/${task.id}`, headers: owner.auth })
    expect(again.json()).toMatchObject({ title: 'Untagged', tags: [], version: 1 })
    expect(await tagsOf(task.id)).toEqual([])
  })
})
