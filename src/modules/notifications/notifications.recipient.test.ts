import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from '../../../test/eventually.ts'
import { type GivenUser, given } from '../../../test/given.ts'
import { createWorkerApp, startSmtp, type WorkerTestApp } from '../../../test/worker-app.ts'
import { startLogDispatch } from '../../dispatch.ts'
import { createLogger } from '../../logger.ts'
import { ASSIGNED_JOB, REMINDER_JOB } from './notifications.jobs.ts'

/**
 * The changes are all made before the log is dispatched (the test's dispatcher is held back), so
 * every email job runs after the change that should cancel it: what is mailed is decided at send time.
 */
describe('email recipients are checked when the email is sent', { timeout: 120_000 }, () => {
  let t: WorkerTestApp
  let smtp: Awaited<ReturnType<typeof startSmtp>>
  beforeAll(async () => {
    smtp = await startSmtp()
    t = await createWorkerApp({ env: { SMTP_URL: smtp.url } })
    await t.dispatcher.stop()
  })
  afterAll(async () => {
    await t?.close()
    await smtp?.close()
  })

  /** How a job for this task and recipient ended (`completed` with its output), once it has. */
  const outcome = (job: string, taskId: string) =>
    eventually(async () => {
      const { rows } = await t.database.sql.query<{ state: string; output: { outcome: string; reason?: string } }>(
        `select state, output from pgboss.job where name = $1 and data->>'taskId' = $2 and state = 'completed'`,
        [job, taskId],
      )
      return rows[0]?.output
    }, 60_000)

  const removeMember = async (owner: GivenUser, teamId: string, user: GivenUser) => {
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/teams/${teamId}/members/${user.id}`,
      headers: owner.auth,
    })
    expect(res.statusCode, res.body).toBe(204)
  }

  it('mails neither an assignee reassigned at once, nor one removed from the team, nor a creator who left', async () => {
    const owner = await given.user(t.app, { name: 'Olga Owner' })
    const team = await given.team(t.app, owner)
    const project = await given.project(t.app, team, owner)
    const [b, c, d, m] = await Promise.all(
      ['Bea', 'Cem', 'Dora', 'Mona'].map((name) => given.member(t.app, team, owner, 'member', { name })),
    )

    const merger = await given.task(t.app, owner, {
      projectId: project.id,
      title: 'CONFIDENTIAL merger plan',
      assigneeId: b!.id,
    })
    await removeMember(owner, team.id, b!)
    const handover = await given.task(t.app, owner, { projectId: project.id, title: 'Handover', assigneeId: c!.id })
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/tasks/${handover.id}`,
      headers: owner.auth,
      payload: { assigneeId: d!.id },
    })
    expect(patch.statusCode, patch.body).toBe(200)
    const reminded = await given.task(t.app, m!, {
      projectId: project.id,
      title: 'Reminder for a leaver',
      remindAt: new Date(Date.now() + 1000).toISOString(),
    })
    await removeMember(owner, team.id, m!)

    const logger = createLogger(t.config, { write: () => {} })
    const dispatcher = await startLogDispatch({ database: t.database, queue: t.queue, logger, pollMs: 200 })
    try {
      await eventually(() => smtp.to(d!.email).some((mail) => mail.subject === 'Olga Owner assigned you: Handover'))
      expect(await outcome(ASSIGNED_JOB, merger.id)).toEqual({ outcome: 'skipped', reason: 'no longer the assignee' })
      const handovers = await eventually(async () => {
        const { rows } = await t.database.sql.query<{ assignee: string; reason: string | null }>(
          `select data->>'assigneeId' as assignee, output->>'reason' as reason from pgboss.job
           where name = $1 and data->>'taskId' = $2 and state = 'completed'`,
          [ASSIGNED_JOB, handover.id],
        )
        return rows.length === 2 && rows
      }, 60_000)
      expect(handovers).toContainEqual({ assignee: c!.id, reason: 'no longer the assignee' })
      expect(await outcome(REMINDER_JOB, reminded.id)).toEqual({ outcome: 'skipped', reason: 'cannot see the task' })
      // registration mailed each a verification link; nothing else may reach them
      const notVerification = (mail: { subject: string }) => !mail.subject.startsWith('Verify your')
      for (const gone of [b!, c!, m!]) expect(smtp.to(gone.email).filter(notVerification)).toEqual([])
    } finally {
      await dispatcher.stop()
    }
  })
})
