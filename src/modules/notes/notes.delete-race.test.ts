import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'
import { deletedDuring } from '../../../test/races.ts'

const t = useTestApp()

// the embedded database is one session: its transactions never interleave, so only PostgreSQL races
describe.skipIf(!process.env.TEST_DATABASE_URL)('a note written into a project deleted at the same moment', () => {
  const world = async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    return { owner, project: await given.project(t.app, team, owner) }
  }
  const notesOf = async (ownerId: string) =>
    (await t.database.sql.query('select title, project_id from notes where owner_id = $1', [ownerId])).rows

  it('creating it answers 400 naming body.projectId, and stores no note', async () => {
    const { owner, project } = await world()
    const res = await deletedDuring(t.database, 'projects', project.id, () =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/notes',
        headers: owner.auth,
        payload: { title: 'Shared too late', projectId: project.id },
      }),
    )
    expect(res.statusCode, res.body).toBe(400)
    expect(res.headers['content-type']).toBe('application/problem+json')
    expect(res.json().errors).toEqual([{ path: 'body.projectId', message: 'project not found' }])
    expect(await notesOf(owner.id)).toEqual([])
  })

  it('sharing a note there answers 400 naming body.projectId, and leaves the note personal', async () => {
    const { owner, project } = await world()
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/notes',
      headers: owner.auth,
      payload: { title: 'Personal' },
    })
    expect(created.statusCode, created.body).toBe(201)
    const res = await deletedDuring(t.database, 'projects', project.id, () =>
      t.app.inject({
        method: 'PATCH',
        url: `/api/v1/notes/${created.json().id}`,
        headers: owner.auth,
        payload: { projectId: project.id, title: 'Shared' },
      }),
    )
    expect(res.statusCode, res.body).toBe(400)
    expect(res.json().errors).toEqual([{ path: 'body.projectId', message: 'project not found' }])
    expect(await notesOf(owner.id)).toEqual([{ title: 'Personal', project_id: null }])
  })
})
