import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { type GivenUser, given } from '../../../test/given.ts'
import { http } from '../../../test/http.ts'
import { getJson } from '../../../test/tasks.ts'

const t = useTestApp()

type Entry = { id: number; action: string; entityId: string; projectId: string | null; changes: object }

/** The change feed after `after`, to its end, as `reader` sees it. */
async function changesAfter(reader: GivenUser, after: number): Promise<Entry[]> {
  const items: Entry[] = []
  for (let cursor = after; ; ) {
    const page = await getJson<{ items: Entry[]; nextCursor: string | null }>(
      t.app,
      reader,
      `/api/v1/changes?after=${cursor}&limit=100`,
    )
    items.push(...page.items)
    if (!page.nextCursor) return items
    cursor = Number(page.nextCursor)
  }
}

const lastEntryId = async () =>
  Number((await t.app.database.sql.query<{ id: string }>('select max(id) as id from activity')).rows[0]!.id)

const { del } = http(t)
/** A delete that must succeed (204). */
const deleteOk = async (url: string, by: GivenUser) => {
  const res = await del(url, by.auth)
  expect(res.statusCode, res.body).toBe(204)
}

/** A project with a task, its subtask and another task: the ids of the three. */
async function projectWithTasks(owner: GivenUser, team: { id: string }) {
  const project = await given.project(t.app, team, owner)
  const parent = await given.task(t.app, owner, { projectId: project.id, title: 'Parent' })
  const child = await given.task(t.app, owner, { projectId: project.id, parentId: parent.id, title: 'Child' })
  const other = await given.task(t.app, owner, { projectId: project.id, title: 'Other' })
  return { project, taskIds: [parent.id, child.id, other.id] }
}

const deletedTasks = (entries: Entry[]) =>
  entries
    .filter((e) => e.action === 'task.deleted')
    .map((e) => e.entityId)
    .sort()

describe('deleting a project or a team on the change feed', () => {
  it('puts a task.deleted for every task of a deleted project after its project.deleted', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const { project, taskIds } = await projectWithTasks(owner, team)
    const mark = await lastEntryId()
    await deleteOk(`/api/v1/projects/${project.id}`, owner)

    const entries = await changesAfter(owner, mark)
    expect(entries[0]).toMatchObject({ action: 'project.deleted', entityId: project.id })
    expect(deletedTasks(entries)).toEqual([...taskIds].sort())
    const child = entries.find((e) => e.entityId === taskIds[1])
    expect(child).toMatchObject({ projectId: project.id, changes: { title: { from: 'Child', to: null } } })
  })

  it('puts project.deleted and task.deleted for everything a deleted team held', async () => {
    const owner = await given.user(t.app)
    const admin = await given.admin(t.app)
    const team = await given.team(t.app, owner)
    const first = await projectWithTasks(owner, team)
    const second = await projectWithTasks(owner, team)
    const mark = await lastEntryId()
    await deleteOk(`/api/v1/teams/${team.id}`, owner)

    // read by a global admin: what former members see is the visibility test's business
    const entries = (await changesAfter(admin, mark)).filter((e) => e.action.endsWith('.deleted'))
    expect(entries[0]).toMatchObject({ action: 'team.deleted', entityId: team.id })
    expect(entries.filter((e) => e.action === 'project.deleted').map((e) => e.entityId)).toEqual(
      expect.arrayContaining([first.project.id, second.project.id]),
    )
    expect(deletedTasks(entries)).toEqual([...first.taskIds, ...second.taskIds].sort())
  })

  it('writes the entries of a project of any size in the same number of statements', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const statements = async (count: number) => {
      const project = await given.project(t.app, team, owner)
      const ids = await given.tasks(t.app, { id: project.id, teamId: team.id }, count)
      const mark = await lastEntryId()
      t.queries.length = 0
      await deleteOk(`/api/v1/projects/${project.id}`, owner)
      const n = t.queries.length
      expect(deletedTasks(await changesAfter(owner, mark))).toEqual([...ids].sort())
      return n
    }
    expect(await statements(40)).toBe(await statements(2))
  })
})
