import { describe, expect, it } from 'vitest'
import { activityOfTask } from '../../../test/activity.ts'
import { useTestApp } from '../../../test/app.ts'
import { given, type Task } from '../../../test/given.ts'
import { http } from '../../../test/http.ts'
import { commitWhileWaiting } from '../../../test/races.ts'

const t = useTestApp()
const { get, patch, del } = http(t)

const removeMember = (teamId: string, userId: string, auth: Record<string, string>) =>
  del(`/api/v1/teams/${teamId}/members/${userId}`, auth)
const fetchTask = async (task: Task, auth: Record<string, string>): Promise<Task> =>
  (await get(`/api/v1/tasks/${task.id}`, auth)).json()

describe('removing a member from a team', () => {
  it('unassigns their tasks in that team, each with a task.updated entry by the remover and a new version', async () => {
    const w = await given.taskWorld(t.app)
    const mine = await Promise.all(
      ['One', 'Two', 'Three'].map((title) =>
        given.task(t.app, w.owner, { projectId: w.project.id, title, assigneeId: w.member.id }),
      ),
    )
    const someoneElses = await given.task(t.app, w.owner, { projectId: w.project.id, assigneeId: w.admin.id })
    // their own Inbox task (another team) stays theirs
    const inbox = await given.task(t.app, w.member, { title: 'Private', assigneeId: w.member.id })

    const res = await removeMember(w.team.id, w.member.id, w.owner.auth)
    expect(res.statusCode, res.body).toBe(204)

    for (const task of mine) {
      const after = await fetchTask(task, w.owner.auth)
      expect(after).toMatchObject({ assigneeId: null, assignee: null, version: task.version + 1 })
      const last = (await activityOfTask(t.app, task.id)).at(-1)
      expect(last).toMatchObject({
        action: 'task.updated',
        actor_id: w.owner.id,
        team_id: w.team.id,
        project_id: w.project.id,
        changes: { assigneeId: { from: w.member.id, to: null } },
      })
    }
    expect(await fetchTask(someoneElses, w.owner.auth)).toMatchObject({ assigneeId: w.admin.id, version: 1 })
    expect(await fetchTask(inbox, w.member.auth)).toMatchObject({ assigneeId: w.member.id, version: 1 })
  })

  it('unassigns a member who leaves on their own, and writes nothing to tasks when they had none', async () => {
    const w = await given.taskWorld(t.app)
    const task = await given.task(t.app, w.owner, { projectId: w.project.id, assigneeId: w.viewer.id })
    expect((await removeMember(w.team.id, w.viewer.id, w.viewer.auth)).statusCode).toBe(204)
    expect(await fetchTask(task, w.owner.auth)).toMatchObject({ assigneeId: null })

    const untouched = await given.task(t.app, w.owner, { projectId: w.project.id })
    expect((await removeMember(w.team.id, w.admin.id, w.owner.auth)).statusCode).toBe(204)
    expect(await fetchTask(untouched, w.owner.auth)).toMatchObject({ version: 1 })
  })

  it('leaves everything assigned when the removal is refused', async () => {
    const w = await given.taskWorld(t.app)
    const task = await given.task(t.app, w.owner, { projectId: w.project.id, assigneeId: w.owner.id })
    expect((await removeMember(w.team.id, w.owner.id, w.owner.auth)).statusCode).toBe(409)
    expect(await fetchTask(task, w.owner.auth)).toMatchObject({ assigneeId: w.owner.id, version: 1 })
  })

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'an assignment racing the removal waits for it, then answers 400: no task is left with a non-member',
    async () => {
      const w = await given.taskWorld(t.app)
      const task = await given.task(t.app, w.owner, { projectId: w.project.id })
      const res = await commitWhileWaiting(
        t.database,
        [
          ['select user_id from team_members where team_id = $1 for no key update', [w.team.id]],
          ['delete from team_members where team_id = $1 and user_id = $2', [w.team.id, w.member.id]],
        ],
        () => patch(`/api/v1/tasks/${task.id}`, w.owner.auth, { assigneeId: w.member.id }),
      )
      expect(res.statusCode, res.body).toBe(400)
      expect(res.json().errors[0].path).toBe('body.assigneeId')
      expect(await fetchTask(task, w.owner.auth)).toMatchObject({ assigneeId: null, version: 1 })
    },
  )

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'a removal and reassignments of the removed member’s tasks at the same time neither deadlock nor leave one assigned',
    async () => {
      const w = await given.taskWorld(t.app)
      const assigned = await Promise.all(
        Array.from({ length: 8 }, () =>
          given.task(t.app, w.owner, { projectId: w.project.id, assigneeId: w.member.id }),
        ),
      )
      const reassign = (task: Task, payload: object) => patch(`/api/v1/tasks/${task.id}`, w.owner.auth, payload)
      const answers = await Promise.all([
        ...assigned.map((task, i) => reassign(task, { assigneeId: i % 2 ? w.admin.id : w.member.id, title: `T${i}` })),
        removeMember(w.team.id, w.member.id, w.owner.auth),
      ])
      expect(answers.map((r) => r.statusCode).filter((s) => s >= 500)).toEqual([])
      const { rows } = await t.database.sql.query('select id from tasks where assignee_id = $1 and team_id = $2', [
        w.member.id,
        w.team.id,
      ])
      expect(rows).toEqual([])
    },
  )
})
