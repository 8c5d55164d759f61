import { describe, expect, it } from 'vitest'
import { setNotification } from '../../../test/accounts.ts'
import { eventually } from '../../../test/eventually.ts'
import { given } from '../../../test/given.ts'
import { finished, postImport, startJob } from '../../../test/jobs.ts'
import { useMailingWorkerApp } from '../../../test/worker-app.ts'
import { startLogDispatch } from '../../dispatch.ts'
import { createLogger } from '../../logger.ts'

const BASE = 'https://tasklane.example.test'

describe('the email that tells a job’s creator it finished', { timeout: 120_000 }, () => {
  const { t, smtp } = useMailingWorkerApp(BASE)

  const world = async (name: string) => {
    const owner = await given.user(t.app, { name: 'Ada Owner' })
    const team = await given.team(t.app, owner, { name })
    const project = await given.project(t.app, team, owner)
    await given.task(t.app, owner, { projectId: project.id, title: 'one' })
    await given.task(t.app, owner, { projectId: project.id, title: 'two' })
    return { owner, team }
  }
  /** The email jobs queued for this job, once every one has run: their outputs. */
  const mailRuns = (jobId: string, n = 1) =>
    eventually(async () => {
      const { rows } = await t.database.sql.query<{ state: string; output: { outcome: string; reason?: string } }>(
        `select state, output from pgboss.job where name = 'notifications.job-finished' and data->>'jobId' = $1`,
        [jobId],
      )
      return rows.length >= n && rows.every((r) => r.state === 'completed') && rows.map((r) => r.output)
    }, 60_000)
  it('emails the creator once when an export is ready, with the download link', async () => {
    const { owner, team } = await world('Export team')
    const job = await startJob(t.app, owner, 'exports', { teamId: team.id, format: 'csv' })
    expect((await finished(t.app, owner, 'exports', job.id)).status).toBe('done')
    expect(await mailRuns(job.id)).toEqual([{ outcome: 'sent' }])
    const mails = smtp.to(owner.email)
    expect(mails).toHaveLength(1)
    expect(mails[0]!.subject).toBe('Your CSV export of Export team is ready')
    // the link opens the web app's page of the job's team (an /api/v1 link would answer a browser 401)
    expect(mails[0]!.raw).toContain(`${BASE}/import-export?team=${team.id}`)
    expect(mails[0]!.raw).toContain('Download it')
    expect(mails[0]!.raw).toContain('It holds 2 tasks.')
    expect(mails[0]!.raw).toContain('{"notifications":{"jobs":false}}')
  })

  it('emails the creator once when an import failed, with the job’s link and what went wrong', async () => {
    const { owner, team } = await world('Import team')
    const res = await postImport(
      t.app,
      owner,
      { teamId: team.id, format: 'csv' },
      'title,status\r\nok,todo\r\nbad,nope\r\n',
    )
    expect(res.statusCode, res.body).toBe(202)
    const job = await finished(t.app, owner, 'imports', res.json().id)
    expect(job.status).toBe('failed')
    expect(await mailRuns(job.id)).toEqual([{ outcome: 'sent' }])
    const mails = smtp.to(owner.email)
    expect(mails).toHaveLength(1)
    expect(mails[0]!.subject).toBe('Your import into Import team failed')
    expect(mails[0]!.raw).toContain(`${BASE}/import-export?team=${team.id}`)
    expect(mails[0]!.raw).toContain('See the import')
    expect(mails[0]!.raw).not.toContain('Download it')
    expect(mails[0]!.raw).toContain('1 rows are invalid, and nothing was written.')
  })

  it('sends nothing to a creator who turned job emails off', async () => {
    const { owner, team } = await world('Quiet team')
    await setNotification(t.app, owner, 'jobs')
    const job = await startJob(t.app, owner, 'reports', {
      teamId: team.id,
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-12-31T00:00:00.000Z',
    })
    expect((await finished(t.app, owner, 'reports', job.id)).status).toBe('done')
    expect(await mailRuns(job.id)).toEqual([{ outcome: 'skipped', reason: 'opted out' }])
    expect(smtp.to(owner.email)).toEqual([])
  })

  it('decides when it sends: nothing for a job deleted since, or to a creator who has left the team', async () => {
    const { owner, team } = await world('Changing team')
    const member = await given.member(t.app, team, owner, 'member')
    // the log is not followed while both jobs finish and the scene changes
    await t.dispatcher.stop()
    const deleted = await startJob(t.app, owner, 'exports', { teamId: team.id, format: 'json' })
    const left = await startJob(t.app, member, 'exports', { teamId: team.id, format: 'csv' })
    expect((await finished(t.app, owner, 'exports', deleted.id)).status).toBe('done')
    expect((await finished(t.app, member, 'exports', left.id)).status).toBe('done')
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/exports/${deleted.id}`, headers: owner.auth })
    expect(del.statusCode).toBe(204)
    const leave = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/teams/${team.id}/members/${member.id}`,
      headers: member.auth,
    })
    expect(leave.statusCode, leave.body).toBe(204)

    const dispatcher = await startLogDispatch({
      database: t.database,
      queue: t.queue,
      logger: createLogger({ LOG_LEVEL: 'silent' }),
      pollMs: 200,
    })
    try {
      expect(await mailRuns(deleted.id)).toEqual([{ outcome: 'skipped', reason: 'job gone' }])
      expect(await mailRuns(left.id)).toEqual([{ outcome: 'skipped', reason: 'no longer in the team' }])
    } finally {
      await dispatcher.stop()
    }
    expect(smtp.to(owner.email)).toEqual([])
    expect(smtp.to(member.email)).toEqual([])
  })
})
