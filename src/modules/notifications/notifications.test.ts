import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setNotification } from '../../../test/accounts.ts'
import { eventually } from '../../../test/eventually.ts'
import { type GivenUser, given } from '../../../test/given.ts'
import { createWorkerApp, startSmtp, type WorkerTestApp } from '../../../test/worker-app.ts'

describe('email notifications', { timeout: 90_000 }, () => {
  let t: WorkerTestApp
  let smtp: Awaited<ReturnType<typeof startSmtp>>
  beforeAll(async () => {
    smtp = await startSmtp()
    t = await createWorkerApp({ env: { SMTP_URL: smtp.url, PUBLIC_URL: 'https://tasklane.example.test/' } })
  })
  afterAll(async () => {
    await t?.close()
    await smtp?.close()
  })

  const world = async () => {
    const owner = await given.user(t.app, { name: 'Ada Owner' })
    const team = await given.team(t.app, owner)
    const member = await given.member(t.app, team, owner, 'member', { name: 'Max Member' })
    const project = await given.project(t.app, team, owner)
    return { owner, team, member, project }
  }
  const patchTask = async (by: GivenUser, id: string, payload: object) => {
    const res = await t.app.inject({ method: 'PATCH', url: `/api/v1/tasks/${id}`, headers: by.auth, payload })
    expect(res.statusCode, res.body).toBe(200)
  }
  const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString()
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))

  it('emails the assignee, in text and HTML with a link, but not someone who assigns themselves', async () => {
    const { owner, member, project } = await world()
    await given.task(t.app, owner, { projectId: project.id, title: 'Self-made', assigneeId: owner.id })
    const task = await given.task(t.app, owner, { projectId: project.id, title: 'Fix the <roof>' })
    await patchTask(owner, task.id, { assigneeId: member.id })
    const [mail] = await eventually(() => smtp.to(member.email).length === 1 && smtp.to(member.email))
    expect(mail!.subject).toBe('Ada Owner assigned you: Fix the <roof>')
    expect(mail!.raw).toContain('text/plain')
    expect(mail!.raw).toContain('text/html')
    // the web app's page of the task, which signs the person in first
    expect(mail!.raw).toContain(`https://tasklane.example.test/tasks/${task.id}`)
    expect(mail!.raw).toContain('https://tasklane.example.test/account')
    expect(mail!.raw).toContain('Fix the &lt;roof&gt;')
    await pause(1000)
    expect(smtp.to(owner.email)).toEqual([])
  })

  it('queues a reminder days ahead for its time, and mails an assignment made right after it at once', async () => {
    const { owner, member, project } = await world()
    const remindAt = new Date(Date.now() + 2 * 24 * 3600_000).toISOString()
    const later = await given.task(t.app, owner, {
      projectId: project.id,
      title: 'Later',
      assigneeId: member.id,
      remindAt,
    })
    await given.task(t.app, owner, { projectId: project.id, title: 'Right after', assigneeId: member.id })
    await eventually(() => smtp.to(member.email).some((m) => m.subject.endsWith('Right after')))
    const { rows } = await t.database.sql.query<{ state: string; start_after: Date }>(
      `select state, start_after from pgboss.job where name = 'notifications.reminder' and data->>'taskId' = $1`,
      [later.id],
    )
    expect(rows.map((r) => ({ state: r.state, at: new Date(r.start_after).toISOString() }))).toEqual([
      { state: 'created', at: remindAt },
    ])
    expect(smtp.to(member.email).some((m) => m.subject === 'Reminder: Later')).toBe(false)
  })

  it('emails an assignment made at creation', async () => {
    const { owner, member, project } = await world()
    await given.task(t.app, owner, { projectId: project.id, title: 'Born assigned', assigneeId: member.id })
    await eventually(() => smtp.to(member.email).some((m) => m.subject.endsWith('Born assigned')))
  })

  it('honours an opt-out per kind', async () => {
    const { owner, member, project } = await world()
    await setNotification(t.app, member, 'assigned')
    await given.task(t.app, owner, { projectId: project.id, title: 'Quietly', assigneeId: member.id })
    // reminders stay on: this one arrives, the assignment email never does
    await given.task(t.app, owner, {
      projectId: project.id,
      assigneeId: member.id,
      remindAt: inSeconds(1),
      title: 'Loud',
    })
    await eventually(() => smtp.to(member.email).some((m) => m.subject === 'Reminder: Loud'))
    await pause(500)
    expect(smtp.to(member.email).map((m) => m.subject)).toEqual(['Reminder: Loud'])
  })

  it('sends a reminder at remindAt to the assignee, or to the creator of an unassigned task', async () => {
    const { owner, member, project } = await world()
    const remindAt = inSeconds(2)
    const task = await given.task(t.app, owner, { projectId: project.id, title: 'Call back', remindAt })
    await given.task(t.app, member, {
      projectId: project.id,
      title: 'Mine',
      remindAt: inSeconds(1),
      assigneeId: member.id,
    })
    await eventually(() => smtp.to(member.email).some((m) => m.subject === 'Reminder: Mine'))
    const [mail] = await eventually(() => smtp.to(owner.email).length === 1 && smtp.to(owner.email))
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(remindAt))
    expect(mail!.subject).toBe('Reminder: Call back')
    expect(mail!.raw).toContain(`/tasks/${task.id}`)
    expect(mail!.raw).not.toContain(`/api/v1/tasks/${task.id}`)
  })

  it('moves a reminder when remindAt changes, and drops it when the task is cancelled, done or deleted', async () => {
    const { owner, project } = await world()
    // reminder times leave room for a loaded machine: every change below is made long before the
    // first of them (a reminder that fired before its cancel would be right to go out)
    const start = Date.now()
    const at = (s: number) => new Date(start + s * 1000).toISOString()
    const moved = await given.task(t.app, owner, { projectId: project.id, title: 'Moved', remindAt: at(12) })
    await patchTask(owner, moved.id, { remindAt: at(16) })
    const cancelled = await given.task(t.app, owner, {
      projectId: project.id,
      title: 'Cancelled',
      remindAt: at(12),
    })
    const status = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/tasks/${cancelled.id}/status`,
      headers: owner.auth,
      payload: { status: 'cancelled' },
    })
    expect(status.statusCode, status.body).toBe(200)
    const done = await given.task(t.app, owner, { projectId: project.id, title: 'Done', remindAt: at(12) })
    await patchTask(owner, done.id, { status: 'done' })
    const deleted = await given.task(t.app, owner, { projectId: project.id, title: 'Deleted', remindAt: at(12) })
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/tasks/${deleted.id}`, headers: owner.auth })
    expect(del.statusCode).toBe(204)
    const cleared = await given.task(t.app, owner, { projectId: project.id, title: 'Cleared', remindAt: at(12) })
    await patchTask(owner, cleared.id, { remindAt: null })
    expect(Date.now() - start, 'the changes took longer than the reminders leave room for').toBeLessThan(11_000)

    await pause(start + 14_500 - Date.now())
    expect(smtp.to(owner.email)).toEqual([])
    await eventually(() => smtp.to(owner.email).length === 1)
    await pause(1000)
    expect(smtp.to(owner.email).map((m) => m.subject)).toEqual(['Reminder: Moved'])
  })
})
