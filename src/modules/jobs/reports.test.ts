import { extractText, getDocumentProxy } from 'unpdf'
import { describe, expect, it } from 'vitest'
import { STORAGE_MODES, useFilesApp } from '../../../test/files-app.ts'
import { given } from '../../../test/given.ts'
import { finished, startJob } from '../../../test/jobs.ts'

describe.each(STORAGE_MODES)('reports on %s storage', (mode) => {
  const t = useFilesApp(mode)

  it("makes a PDF with the dashboard's figures, the throughput, the leaderboard and the overdue tasks", async () => {
    const owner = await given.user(t.app, { name: 'Olga Owner' })
    const team = await given.team(t.app, owner, { name: 'Reporting team' })
    const project = await given.project(t.app, team, owner, { name: 'Work' })
    const member = await given.member(t.app, team, owner, 'member', { name: 'Max Member' })
    for (let i = 0; i < 3; i++)
      await given.task(t.app, owner, {
        projectId: project.id,
        title: `done ${i}`,
        status: 'done',
        assigneeId: member.id,
      })
    await given.task(t.app, owner, {
      projectId: project.id,
      title: 'Late quarterly filing',
      dueAt: '2020-01-01T00:00:00.000Z',
    })
    await given.task(t.app, owner, { projectId: project.id, title: 'still open', priority: 'urgent' })
    const to = new Date(Date.now() + 60_000).toISOString()
    const from = new Date(Date.now() - 14 * 86_400_000).toISOString()
    const job = await startJob(t.app, owner, 'reports', { teamId: team.id, from, to })
    const done = await finished(t.app, owner, 'reports', job.id)
    expect(done.status, done.error ?? '').toBe('done')
    expect(done.params).toEqual({ from, to })
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/reports/${job.id}/download`, headers: owner.auth })
    let bytes: Buffer
    if (mode === 's3') {
      // a PDF proves its type: on S3 the download is a redirect to a presigned URL
      expect(res.statusCode).toBe(302)
      bytes = Buffer.from(await (await fetch(String(res.headers.location))).arrayBuffer())
    } else {
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toBe('application/pdf')
      bytes = res.rawPayload
    }
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-')
    const { text } = await extractText(await getDocumentProxy(new Uint8Array(bytes)), { mergePages: true })
    const flat = text.replace(/\s+/g, ' ')
    expect(flat).toContain('Reporting team')
    expect(flat).toMatch(/Completed in range 3/)
    expect(flat).toMatch(/Created in range 5/)
    expect(flat).toMatch(/Completion rate 60\.0 %/)
    expect(flat).toMatch(/Overdue 1/)
    expect(flat).toContain('Weekly throughput')
    expect(flat).toMatch(/Max Member 3/)
    expect(flat).toContain('Late quarterly filing')
    expect(flat).toContain('2020-01-01')
    expect(done.result).toMatchObject({ size: bytes.length })
  })

  it('refuses a range that ends before it starts, and a team the caller cannot see', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const outsider = await given.user(t.app)
    const body = { teamId: team.id, from: '2026-02-01T00:00:00.000Z', to: '2026-01-01T00:00:00.000Z' }
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/reports', headers: owner.auth, payload: body })
    expect(bad.statusCode).toBe(400)
    const hidden = await t.app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: outsider.auth,
      payload: { ...body, from: '2025-12-01T00:00:00.000Z' },
    })
    expect(hidden.statusCode).toBe(404)
  })
})
