import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { eventually } from '../../../test/eventually.ts'
import { STORAGE_MODES, useFilesApp } from '../../../test/files-app.ts'
import { given } from '../../../test/given.ts'
import { download, finished, startJob } from '../../../test/jobs.ts'
import { CSV_COLUMNS } from './export.format.ts'
import { sweepJobs } from './jobs.jobs.ts'

const TRICKY = [
  'plain',
  'with, a comma',
  'with "quotes"',
  'two\nlines',
  'crlf\r\nline',
  'ünïcødé — 日本語 🚀',
  '=HYPERLINK("http://evil.example","x")',
  '+1 plus',
  '-2 minus',
  '@SUM(A1)',
  "'=already quoted",
]

describe.each(STORAGE_MODES)('exports on %s storage', (mode) => {
  const t = useFilesApp(mode, { JOB_BATCH_ROWS: '3' })

  async function world() {
    const owner = await given.user(t.app, { name: 'Owner' })
    const team = await given.team(t.app, owner)
    const project = await given.project(t.app, team, owner, { name: 'Work, "the" project' })
    const tag = await given.tag(t.app, team, owner, { name: 'red', color: '#ff0000' })
    const tag2 = await given.tag(t.app, team, owner, { name: 'blue', color: '#0000ff' })
    return { owner, team, project, tags: [tag, tag2] }
  }

  it('writes RFC 4180 CSV with the fixed columns, tags joined by ; and formulas neutralised', async () => {
    const { owner, team, project, tags } = await world()
    const created: { id: string }[] = []
    for (const title of TRICKY) {
      created.push(
        await given.task(t.app, owner, {
          projectId: project.id,
          title,
          description: `desc of ${title}`,
          assigneeId: owner.id,
          tagIds: tags.map((g) => g.id),
          dueAt: '2030-01-02T03:04:05.000Z',
        }),
      )
    }
    const sub = await given.task(t.app, owner, { projectId: project.id, title: 'a subtask', parentId: created[0]!.id })
    const job = await startJob(t.app, owner, 'exports', { teamId: team.id, format: 'csv' })
    expect(job).toMatchObject({
      kind: 'export',
      status: 'queued',
      teamId: team.id,
      createdBy: owner.id,
      params: { format: 'csv', filter: {} },
    })
    const done = await finished(t.app, owner, 'exports', job.id)
    expect(done.status, done.error ?? '').toBe('done')
    expect(done.progress).toEqual({ done: TRICKY.length + 1, total: TRICKY.length + 1 })
    const res = await download(t.app, owner, 'exports', job.id)
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="tasklane-tasks-\d{4}-\d\d-\d\d\.csv"/)
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(done.result).toMatchObject({ rows: TRICKY.length + 1, size: res.rawPayload.length })

    const rows: string[][] = parse(res.rawPayload, { relaxQuotes: false })
    expect(rows[0]).toEqual([...CSV_COLUMNS])
    const byId = new Map(rows.slice(1).map((r) => [r[0], Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, r[i]]))]))
    expect(byId.size).toBe(TRICKY.length + 1)
    TRICKY.forEach((title, i) => {
      const row = byId.get(created[i]!.id)!
      const guarded = /^'*[=+\-@\t\r]/.test(title) ? `'${title}` : title
      expect(row.title).toBe(guarded)
      expect(row).toMatchObject({
        status: 'todo',
        priority: 'medium',
        project: 'Work, "the" project',
        assignee: 'Owner',
        assigneeEmail: owner.email,
        tags: 'blue;red',
        dueAt: '2030-01-02T03:04:05.000Z',
        parentId: '',
      })
    })
    // a formula never starts a cell
    for (const r of rows.slice(1)) for (const cell of r) expect(cell).not.toMatch(/^[=+\-@\t\r]/)
    expect(byId.get(sub.id)?.parentId).toBe(created[0]!.id)
  })

  it('exports one project with the task filters', async () => {
    const { owner, team, project } = await world()
    const other = await given.project(t.app, team, owner, { name: 'Other' })
    await given.task(t.app, owner, { projectId: project.id, title: 'open one' })
    const done = await given.task(t.app, owner, { projectId: project.id, title: 'done one', status: 'done' })
    await given.task(t.app, owner, { projectId: other.id, title: 'elsewhere', status: 'done' })
    const job = await startJob(t.app, owner, 'exports', {
      teamId: team.id,
      projectId: project.id,
      format: 'csv',
      filter: { status: ['done'] },
    })
    expect((await finished(t.app, owner, 'exports', job.id)).result).toMatchObject({ rows: 1 })
    const rows: string[][] = parse((await download(t.app, owner, 'exports', job.id)).rawPayload)
    expect(rows.slice(1).map((r) => r[0])).toEqual([done.id])
  })

  it('writes the Tasklane JSON format with subtasks, tags and comments', async () => {
    const { owner, team, project, tags } = await world()
    const parent = await given.task(t.app, owner, { projectId: project.id, title: 'parent', tagIds: [tags[0]!.id] })
    const child = await given.task(t.app, owner, { projectId: project.id, title: 'child', parentId: parent.id })
    const c = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tasks/${child.id}/comments`,
      headers: owner.auth,
      payload: { body: 'a comment' },
    })
    expect(c.statusCode).toBe(201)
    const job = await startJob(t.app, owner, 'exports', { teamId: team.id, format: 'json' })
    const finishedJob = await finished(t.app, owner, 'exports', job.id)
    expect(finishedJob.status).toBe('done')
    const data = JSON.parse((await download(t.app, owner, 'exports', job.id)).body)
    expect(data).toMatchObject({ format: 'tasklane', version: 1, team: { id: team.id, name: team.name } })
    expect(data.members).toEqual([{ userId: owner.id, name: 'Owner', email: owner.email, role: 'owner' }])
    expect(data.projects.map((p: { name: string }) => p.name)).toEqual([project.name])
    expect(data.tags.map((g: { name: string }) => g.name).sort()).toEqual(['blue', 'red'])
    expect(data.tasks).toHaveLength(2)
    expect(data.tasks.find((x: { id: string }) => x.id === parent.id)).toMatchObject({ tags: ['red'], parentId: null })
    expect(data.tasks.find((x: { id: string }) => x.id === child.id)).toMatchObject({ parentId: parent.id })
    expect(data.comments).toEqual([
      expect.objectContaining({ taskId: child.id, body: 'a comment', authorEmail: owner.email }),
    ])
  })

  it('shows a job to its creator and the team admins only; others get 404', async () => {
    const { owner, team } = await world()
    const admin = await given.member(t.app, team, owner, 'admin')
    const member = await given.member(t.app, team, owner, 'member')
    const viewer = await given.member(t.app, team, owner, 'viewer')
    const outsider = await given.user(t.app)
    const job = await startJob(t.app, member, 'exports', { teamId: team.id, format: 'csv' })
    await finished(t.app, member, 'exports', job.id)
    const status = async (by: typeof owner, url: string) =>
      (await t.app.inject({ method: 'GET', url, headers: by.auth })).statusCode
    for (const by of [member, admin, owner]) expect(await status(by, `/api/v1/exports/${job.id}`)).toBe(200)
    for (const by of [viewer, outsider]) {
      expect(await status(by, `/api/v1/exports/${job.id}`)).toBe(404)
      expect(await status(by, `/api/v1/exports/${job.id}/download`)).toBe(404)
    }
    const list = async (by: typeof owner) =>
      (await t.app.inject({ method: 'GET', url: `/api/v1/exports?teamId=${team.id}`, headers: by.auth })).json()
    expect((await list(admin)).items.map((j: { id: string }) => j.id)).toEqual([job.id])
    expect((await list(viewer)).items).toEqual([])
    expect(await status(outsider, `/api/v1/exports?teamId=${team.id}`)).toBe(404)
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/v1/exports',
      headers: outsider.auth,
      payload: { teamId: team.id, format: 'csv' },
    })
    expect(refused.statusCode).toBe(404)
    // a report of the job on the reports routes does not exist
    expect(await status(owner, `/api/v1/reports/${job.id}`)).toBe(404)
  })

  it('answers 409 for the download of a job that is not done', async () => {
    const { owner, team } = await world()
    const job = await startJob(t.app, owner, 'exports', { teamId: team.id, format: 'csv' })
    await finished(t.app, owner, 'exports', job.id)
    await t.database.sql.query(`update jobs set status = 'running' where id = $1`, [job.id])
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/exports/${job.id}/download`, headers: owner.auth })
    expect(res.statusCode).toBe(409)
  })

  it('removes expired jobs and their files, and objects no job names', async () => {
    const { owner, team } = await world()
    const job = await startJob(t.app, owner, 'exports', { teamId: team.id, format: 'json' })
    await finished(t.app, owner, 'exports', job.id)
    const [{ result_key: key }] = (
      await t.database.sql.query<{ result_key: string }>('select result_key from jobs where id = $1', [job.id])
    ).rows as [{ result_key: string }]
    expect(await t.storage.exists(key)).toBe(true)
    const expiresAt = Date.parse((await finished(t.app, owner, 'exports', job.id)).expiresAt)
    expect(expiresAt - Date.now()).toBeGreaterThan(6.9 * 86_400_000)

    const sweep = await sweepJobs({ db: t.database.db, storage: t.storage }, new Date(expiresAt + 1000))
    expect(sweep.expired).toBeGreaterThanOrEqual(1)
    expect(await t.storage.exists(key)).toBe(false)
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/exports/${job.id}`, headers: owner.auth })
    expect(res.statusCode).toBe(404)
  })

  it('deletes a job and, in the background, its file', async () => {
    const { owner, team } = await world()
    const job = await startJob(t.app, owner, 'exports', { teamId: team.id, format: 'csv' })
    await finished(t.app, owner, 'exports', job.id)
    const { rows } = await t.database.sql.query<{ k: string }>('select result_key as k from jobs where id = $1', [
      job.id,
    ])
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/exports/${job.id}`, headers: owner.auth })
    expect(del.statusCode).toBe(204)
    await eventually(async () => !(await t.storage.exists(rows[0]!.k)))
  })
})
