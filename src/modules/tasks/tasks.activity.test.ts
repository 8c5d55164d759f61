import { describe, expect, it } from 'vitest'
import { activityOfTask } from '../../../test/activity.ts'
import { useTestApp } from '../../../test/app.ts'
import { given, type Task } from '../../../test/given.ts'
import { http } from '../../../test/http.ts'
import { archiveProject } from '../../../test/tasks.ts'

const t = useTestApp()

const { get, post, patch, del } = http(t)

async function activityOfTeam(teamId: string) {
  const { rows } = await t.database.sql.query<{ n: number }>(
    'select count(*)::int as n from activity where team_id = $1',
    [teamId],
  )
  return rows[0]!.n
}

describe('task activity', () => {
  it('records task.created with every field set, in the task’s team and project', async () => {
    const w = await given.taskWorld(t.app)
    const task = await given.task(t.app, w.member, {
      projectId: w.project.id,
      title: 'Logged',
      priority: 'high',
      dueAt: '2030-01-01T00:00:00.000Z',
      assigneeId: w.admin.id,
      tagIds: [w.tag.id],
    })
    const rows = await activityOfTask(t.app, task.id)
    expect(rows).toEqual([
      {
        action: 'task.created',
        actor_id: w.member.id,
        entity_type: 'task',
        entity_id: task.id,
        team_id: w.team.id,
        project_id: w.project.id,
        task_id: task.id,
        changes: expect.objectContaining({
          title: { from: null, to: 'Logged' },
          status: { from: null, to: 'todo' },
          priority: { from: null, to: 'high' },
          dueAt: { from: null, to: '2030-01-01T00:00:00.000Z' },
          assigneeId: { from: null, to: w.admin.id },
          tagIds: { from: null, to: [w.tag.id] },
          projectId: { from: null, to: w.project.id },
          position: { from: null, to: task.position },
        }),
      },
    ])
    expect(rows[0]!.changes).not.toHaveProperty('description')
  })

  it('records exactly the changed fields of an update, and a status change as task.status_changed', async () => {
    const w = await given.taskWorld(t.app)
    const task = await given.task(t.app, w.member, { projectId: w.project.id, title: 'Before' })
    const url = `/api/v1/tasks/${task.id}`
    await patch(url, w.member.auth, { title: 'After', priority: 'urgent', description: null })
    await patch(url, w.member.auth, { tagIds: [w.tag.id] })
    const done = await patch(`${url}/status`, w.member.auth, { status: 'done' })
    await patch(url, w.member.auth, { status: 'todo', title: 'Both' })
    await patch(url, w.member.auth, { title: 'Both' })
    const rows = (await activityOfTask(t.app, task.id)).map((r) => [r.action, r.changes])
    expect(rows).toEqual([
      ['task.created', expect.any(Object)],
      ['task.updated', { title: { from: 'Before', to: 'After' }, priority: { from: 'medium', to: 'urgent' } }],
      ['task.updated', { tagIds: { from: [], to: [w.tag.id] } }],
      [
        'task.status_changed',
        {
          status: { from: 'todo', to: 'done' },
          completedAt: { from: null, to: done.json().completedAt },
          completedBy: { from: null, to: w.member.id },
        },
      ],
      [
        'task.status_changed',
        {
          status: { from: 'done', to: 'todo' },
          completedAt: { from: done.json().completedAt, to: null },
          completedBy: { from: w.member.id, to: null },
        },
      ],
      ['task.updated', { title: { from: 'After', to: 'Both' } }],
    ])
  })

  it('records task.moved for a moved task and each subtask it takes along', async () => {
    const w = await given.taskWorld(t.app)
    const target = await given.project(t.app, w.team, w.owner, { name: 'Target' })
    const task = await given.task(t.app, w.member, { projectId: w.project.id })
    const sub = await given.task(t.app, w.member, { projectId: w.project.id, parentId: task.id })
    await patch(`/api/v1/tasks/${task.id}`, w.member.auth, { projectId: target.id, title: 'Moved' })
    const moved = { projectId: { from: w.project.id, to: target.id } }
    const ofTask = (await activityOfTask(t.app, task.id)).slice(1)
    expect(ofTask.map((r) => [r.action, r.project_id])).toEqual([
      ['task.moved', target.id],
      ['task.updated', target.id],
    ])
    expect(ofTask[0]!.changes).toEqual(moved)
    expect(ofTask[1]!.changes).toMatchObject({ title: { to: 'Moved' } })
    const ofSub = (await activityOfTask(t.app, sub.id)).slice(1)
    expect(ofSub.map((r) => [r.action, r.changes, r.project_id])).toEqual([['task.moved', moved, target.id]])
  })

  it('records task.deleted for the task and its subtasks', async () => {
    const w = await given.taskWorld(t.app)
    const task = await given.task(t.app, w.member, { projectId: w.project.id, title: 'Doomed' })
    const sub = await given.task(t.app, w.member, { projectId: w.project.id, parentId: task.id, title: 'Sub' })
    await del(`/api/v1/tasks/${task.id}`, w.member.auth)
    const last = (await activityOfTask(t.app, task.id)).at(-1)!
    expect(last).toMatchObject({ action: 'task.deleted', actor_id: w.member.id, team_id: w.team.id })
    expect(last.changes).toMatchObject({ title: { from: 'Doomed', to: null } })
    expect((await activityOfTask(t.app, sub.id)).at(-1)).toMatchObject({
      action: 'task.deleted',
      changes: { title: { from: 'Sub', to: null } },
    })
  })

  it('logs a move and a delete with a fixed number of queries, however many subtasks go along (no N+1)', async () => {
    const w = await given.taskWorld(t.app)
    const target = await given.project(t.app, w.team, w.owner, { name: 'Target' })
    const queriesOf = async (n: number) => {
      const task = await given.task(t.app, w.member, { projectId: w.project.id })
      const subs: Task[] = []
      for (let i = 0; i < n; i++) {
        // every other subtask nested under the one before: the whole subtree goes along
        const parentId = i % 2 ? subs[i - 1]!.id : task.id
        subs.push(await given.task(t.app, w.member, { projectId: w.project.id, parentId, title: `Sub ${i}` }))
      }
      t.queries.length = 0
      const moved = await patch(`/api/v1/tasks/${task.id}`, w.member.auth, { projectId: target.id })
      expect(moved.statusCode, moved.body).toBe(200)
      const moving = t.queries.length
      t.queries.length = 0
      const deleted = await del(`/api/v1/tasks/${task.id}`, w.member.auth)
      expect(deleted.statusCode, deleted.body).toBe(204)
      const deleting = t.queries.length
      for (const [i, sub] of subs.entries()) {
        const rows = (await activityOfTask(t.app, sub.id)).map((r) => [r.action, r.project_id, r.changes])
        expect(rows.slice(1)).toEqual([
          ['task.moved', target.id, { projectId: { from: w.project.id, to: target.id } }],
          [
            'task.deleted',
            target.id,
            { title: { from: `Sub ${i}`, to: null }, parentId: { from: sub.parentId, to: null } },
          ],
        ])
      }
      return { moving, deleting }
    }
    expect(await queriesOf(5)).toEqual(await queriesOf(1))
  })

  it('records comment.created, comment.updated and comment.deleted on the task', async () => {
    const w = await given.taskWorld(t.app)
    const task = await given.task(t.app, w.member, { projectId: w.project.id })
    const created = await post(`/api/v1/tasks/${task.id}/comments`, w.member.auth, { body: 'First' })
    const id = created.json().id
    await patch(`/api/v1/comments/${id}`, w.member.auth, { body: 'Edited' })
    await del(`/api/v1/comments/${id}`, w.admin.auth)
    const rows = (await activityOfTask(t.app, task.id)).filter((r) => r.entity_type === 'comment')
    expect(rows.map((r) => [r.action, r.actor_id, r.entity_id, r.team_id, r.project_id, r.changes])).toEqual([
      ['comment.created', w.member.id, id, w.team.id, w.project.id, { body: { from: null, to: 'First' } }],
      ['comment.updated', w.member.id, id, w.team.id, w.project.id, { body: { from: 'First', to: 'Edited' } }],
      ['comment.deleted', w.admin.id, id, w.team.id, w.project.id, { body: { from: 'Edited', to: null } }],
    ])
  })

  it('writes nothing for a rejected write (400, 403, 404, 409, 412) or a change that changes nothing', async () => {
    const w = await given.taskWorld(t.app)
    const task = await given.task(t.app, w.member, { projectId: w.project.id })
    const archived = await given.project(t.app, w.team, w.owner, { name: 'Archived' })
    await archiveProject(t.app, archived.id)
    const before = await activityOfTeam(w.team.id)
    const url = `/api/v1/tasks/${task.id}`
    const attempts = [
      await post('/api/v1/tasks', w.member.auth, { projectId: w.project.id, title: 'x', assigneeId: w.outsider.id }),
      await post('/api/v1/tasks', w.member.auth, { projectId: archived.id, title: 'x' }),
      await patch(url, w.viewer.auth, { title: 'viewer' }),
      await patch(url, w.outsider.auth, { title: 'outsider' }),
      await patch(url, { ...w.member.auth, 'if-match': '"9"' }, { title: 'stale' }),
      await patch(url, w.member.auth, { projectId: archived.id }),
      await patch(url, w.member.auth, { title: task.title }),
      await del(url, w.viewer.auth),
    ]
    expect(attempts.map((r) => r.statusCode)).toEqual([400, 409, 403, 404, 412, 409, 200, 403])
    expect(await activityOfTeam(w.team.id)).toBe(before)
  })

  it('a change that fails late in its transaction leaves neither the change nor its activity', async () => {
    const w = await given.taskWorld(t.app)
    // the next occurrence of this recurring task cannot be inserted: completing it must roll back whole
    await t.database.sql.exec(`
      create or replace function refuse_boom() returns trigger language plpgsql as $$
      begin
        if new.title = 'Boom' and new.status = 'todo' and new.version = 1 and tg_op = 'INSERT'
           and exists (select 1 from tasks where title = 'Boom' and status = 'done') then
          raise exception 'refused';
        end if;
        return new;
      end $$;
      create trigger refuse_boom before insert on tasks for each row execute function refuse_boom();`)
    try {
      const task = await given.task(t.app, w.member, {
        projectId: w.project.id,
        title: 'Boom',
        recurrence: 'FREQ=DAILY',
      })
      const res = await patch(`/api/v1/tasks/${task.id}/status`, w.member.auth, { status: 'done' })
      expect(res.statusCode).toBe(500)
      const again = await get(`/api/v1/tasks/${task.id}`, w.member.auth)
      expect(again.json()).toMatchObject({ status: 'todo', version: 1, completedAt: null })
      expect((await activityOfTask(t.app, task.id)).map((r) => r.action)).toEqual(['task.created'])
    } finally {
      await t.database.sql.exec('drop trigger refuse_boom on tasks; drop function refuse_boom()')
    }
  })
})
