import { describe, expect, it } from 'vitest'
import { useFilesApp } from '../../../test/files-app.ts'
import { type GivenUser, given } from '../../../test/given.ts'
import { download, finished, postImport, startJob } from '../../../test/jobs.ts'
import { walkTasks } from '../../../test/tasks.ts'
import type { Job } from './jobs.schema.ts'

const t = useFilesApp('local', { JOB_BATCH_ROWS: '2' })

async function importFile(by: GivenUser, teamId: string, format: 'tasklane' | 'csv', content: string, dryRun = false) {
  const res = await postImport(t.app, by, { teamId, format, dryRun }, content)
  expect(res.statusCode, res.body).toBe(202)
  expect(res.headers.location).toBe(`/api/v1/imports/${res.json().id}`)
  return finished(t.app, by, 'imports', res.json().id)
}

const count = async (table: string, teamId: string) =>
  Number(
    (await t.database.sql.query<{ n: string }>(`select count(*)::text as n from ${table} where team_id = $1`, [teamId]))
      .rows[0]!.n,
  )

async function sourceTeam() {
  const owner = await given.user(t.app, { name: 'Owner' })
  const helper = await given.user(t.app, { name: 'Helper' })
  const team = await given.team(t.app, owner, { name: 'Source', members: [{ user: helper, role: 'member' }] })
  const work = await given.project(t.app, team, owner, { name: 'Work' })
  const home = await given.project(t.app, team, owner, { name: 'Home' })
  const red = await given.tag(t.app, team, owner, { name: 'Red', color: '#ff0000' })
  const parent = await given.task(t.app, owner, {
    projectId: work.id,
    title: '=1+1 parent, "quoted"',
    description: 'line one\nline two — ünïcødé',
    priority: 'urgent',
    dueAt: '2031-05-06T07:08:09.000Z',
    assigneeId: helper.id,
    tagIds: [red.id],
  })
  const child = await given.task(t.app, owner, {
    projectId: work.id,
    title: 'child',
    parentId: parent.id,
    status: 'done',
  })
  await given.task(t.app, owner, { projectId: home.id, title: 'at home', status: 'in_progress' })
  const comment = await t.app.inject({
    method: 'POST',
    url: `/api/v1/tasks/${child.id}/comments`,
    headers: helper.auth,
    payload: { body: 'done, see notes' },
  })
  expect(comment.statusCode).toBe(201)
  return { owner, helper, team }
}

/** What a team holds, without ids: comparable across teams. */
async function contents(by: GivenUser, teamId: string) {
  const tasks = await walkTasks(t.app, by, `teamId=${teamId}`)
  const titles = new Map(tasks.map((x) => [x.id, x.title]))
  const comments = []
  for (const x of tasks) {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/tasks/${x.id}/comments`, headers: by.auth })
    for (const c of res.json().items) comments.push({ task: x.title, body: c.body, author: c.author?.name ?? null })
  }
  const projects = (
    await t.app.inject({ method: 'GET', url: `/api/v1/projects?teamId=${teamId}&limit=100`, headers: by.auth })
  ).json()
  const tags = (
    await t.app.inject({ method: 'GET', url: `/api/v1/tags?teamId=${teamId}&limit=100`, headers: by.auth })
  ).json()
  return {
    ids: tasks.map((x) => x.id),
    projects: projects.items.map((p: { name: string }) => p.name).sort(),
    tags: tags.items.map((g: { name: string; color: string }) => `${g.name} ${g.color}`).sort(),
    tasks: tasks
      .map((x) => ({
        title: x.title,
        description: x.description,
        status: x.status,
        priority: x.priority,
        dueAt: x.dueAt,
        assignee: x.assignee?.name ?? null,
        tags: x.tags.map((g) => g.name),
        parent: x.parentId ? titles.get(x.parentId) : null,
        project: projects.items.find((p: { id: string }) => p.id === x.projectId)?.name,
      }))
      .sort((a, b) => a.title.localeCompare(b.title)),
    comments,
  }
}

describe('imports', () => {
  it('loads a Tasklane JSON export into another team: same data, new ids, one activity entry', async () => {
    const { owner, helper, team } = await sourceTeam()
    const exported = await startJob(t.app, owner, 'exports', { teamId: team.id, format: 'json' })
    await finished(t.app, owner, 'exports', exported.id)
    const file = (await download(t.app, owner, 'exports', exported.id)).body

    const target = await given.team(t.app, owner, { name: 'Target', members: [{ user: helper, role: 'member' }] })
    const job = await importFile(owner, target.id, 'tasklane', file)
    expect(job.status, JSON.stringify(job.result)).toBe('done')
    expect(job.result).toEqual({ created: { projects: 2, tags: 1, tasks: 3, comments: 1 }, errors: [], dryRun: false })

    const before = await contents(owner, team.id)
    const after = await contents(owner, target.id)
    expect(after.projects).toEqual(before.projects)
    expect(after.tags).toEqual(before.tags)
    expect(after.tasks).toEqual(before.tasks)
    expect(after.comments).toEqual(before.comments)
    for (const id of after.ids) expect(before.ids).not.toContain(id)

    const { rows } = await t.database.sql.query<{ action: string; changes: unknown }>(
      `select action, changes from activity where team_id = $1 and action not in ('team.created', 'member.added')`,
      [target.id],
    )
    expect(rows).toEqual([
      {
        action: 'import.completed',
        changes: {
          projects: { from: null, to: 2 },
          tags: { from: null, to: 1 },
          tasks: { from: null, to: 3 },
          comments: { from: null, to: 1 },
        },
      },
    ])
    // counters and search follow the imported tasks
    const metrics = await t.app.inject({
      method: 'GET',
      url: `/api/v1/dashboard/metrics?teamId=${target.id}`,
      headers: owner.auth,
    })
    expect(metrics.json().byStatus).toEqual({ todo: 1, in_progress: 1, done: 1, cancelled: 0 })
    const found = await walkTasks(t.app, owner, `teamId=${target.id}&q=home`)
    expect(found.map((x) => x.title)).toEqual(['at home'])
  })

  it('loads a CSV export back with every value exactly as it was (the formula guard undone)', async () => {
    const { owner, helper, team } = await sourceTeam()
    const exported = await startJob(t.app, owner, 'exports', { teamId: team.id, format: 'csv' })
    await finished(t.app, owner, 'exports', exported.id)
    const file = (await download(t.app, owner, 'exports', exported.id)).body
    const target = await given.team(t.app, owner, { name: 'CSV target', members: [{ user: helper, role: 'member' }] })
    const job = await importFile(owner, target.id, 'csv', file)
    expect(job.status, JSON.stringify(job.result)).toBe('done')
    const before = await contents(owner, team.id)
    const after = await contents(owner, target.id)
    expect(after.tasks).toEqual(before.tasks)
    expect(after.tags).toEqual(['Red #808080'])
  })

  it('fails the whole import on one bad row, naming the row and the field, and writes nothing', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const csv =
      'title,status,project,tags,assigneeEmail\r\nfine,todo,P,a;b,\r\nbad,finished,P,,\r\n,todo,P,,\r\nok,done,P,,nobody@example.test\r\n'
    const job: Job = await importFile(owner, team.id, 'csv', csv)
    expect(job.status).toBe('failed')
    expect(job.error).toMatch(/3 errors/)
    expect(job.result).toMatchObject({ created: { projects: 0, tags: 0, tasks: 0, comments: 0 } })
    const errors = (job.result as { errors: { row: number; path: string }[] }).errors
    expect(errors.map((e) => [e.row, e.path])).toEqual([
      [3, 'status'],
      [4, 'title'],
      [5, 'assigneeEmail'],
    ])
    expect(await count('tasks', team.id)).toBe(0)
    expect(await count('projects', team.id)).toBe(0)
    expect(await count('tags', team.id)).toBe(0)
  })

  it('checks everything and writes nothing on a dry run', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    await given.project(t.app, team, owner, { name: 'Existing' })
    const csv = 'title,project,tags\r\none,Existing,x\r\ntwo,New,x;y\r\n'
    const job = await importFile(owner, team.id, 'csv', csv, true)
    expect(job.status).toBe('done')
    expect(job.result).toEqual({ created: { projects: 1, tags: 2, tasks: 2, comments: 0 }, errors: [], dryRun: true })
    expect(job.params).toEqual({ format: 'csv', dryRun: true, filename: 'tasks.csv', size: Buffer.byteLength(csv) })
    expect(await count('tasks', team.id)).toBe(0)
    expect(await count('projects', team.id)).toBe(1)
  })

  it('needs a team admin: a member gets 403, an outsider 404, bad fields 400', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const member = await given.member(t.app, team, owner, 'member')
    const outsider = await given.user(t.app)
    expect((await postImport(t.app, member, { teamId: team.id, format: 'csv' }, 'title\r\nx\r\n')).statusCode).toBe(403)
    expect((await postImport(t.app, outsider, { teamId: team.id, format: 'csv' }, 'title\r\nx\r\n')).statusCode).toBe(
      404,
    )
    const bad = await postImport(t.app, owner, { teamId: team.id, format: 'xlsx' as 'csv' }, 'title\r\nx\r\n')
    expect(bad.statusCode).toBe(400)
    expect(bad.json().errors[0].path).toBe('body.format')
    expect(await count('jobs', team.id)).toBe(0)
    const owned = await importFile(owner, team.id, 'csv', 'title\r\nx\r\n')
    const seen = await t.app.inject({ method: 'GET', url: `/api/v1/imports/${owned.id}`, headers: member.auth })
    expect(seen.statusCode).toBe(404)
  })

  it('refuses a file that is not what it claims', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const job = await importFile(owner, team.id, 'tasklane', '{"format":"other","tasks":[')
    expect(job.status).toBe('failed')
    expect((job.result as { errors: { path: string }[] }).errors[0]!.path).toBe('file')
  })
})
