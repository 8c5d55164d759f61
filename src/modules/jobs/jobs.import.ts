import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import type { Database, Db } from '../../db/client.ts'
import { comments } from '../../db/tables/comments.ts'
import { jobs } from '../../db/tables/jobs.ts'
import { projects } from '../../db/tables/projects.ts'
import { tags } from '../../db/tables/tags.ts'
import { tasks, taskTags } from '../../db/tables/tasks.ts'
import { teamMembers } from '../../db/tables/teams.ts'
import { users } from '../../db/tables/users.ts'
import type { Storage } from '../../infra/storage.ts'
import { newId } from '../../lib/ids.ts'
import { recordActivity } from '../activity/index.ts'
import { nextPosition, rankOf } from '../tasks/index.ts'
import { parseCsv, parseTasklane } from './import.parse.ts'
import { type CheckedImport, checkImport, type ImportError } from './import.validate.ts'
import { finishJob, JobLost, type Run } from './jobs.run.ts'

export interface ImportDeps {
  database: Database
  storage: Storage
  /** rows per insert statement */
  batchRows: number
  maxRows: number
  log: Logger
}

type Created = { projects: number; tags: number; tasks: number; comments: number }

const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size))

/** The team's members by lower-cased email. */
async function membersByEmail(db: Db, teamId: string): Promise<Map<string, string>> {
  const rows = await db
    .select({ id: users.id, email: users.email })
    .from(teamMembers)
    .innerJoin(users, eq(users.id, teamMembers.userId))
    .where(eq(teamMembers.teamId, teamId))
  return new Map(rows.map((r) => [r.email.toLowerCase(), r.id]))
}

/** The team's projects and tags that the file names already: those are used, the others created. */
async function existing(db: Db, teamId: string, file: CheckedImport) {
  const names = [...file.projects.keys()]
  const projectRows = names.length
    ? await db
        .select({ id: projects.id, name: projects.name })
        .from(projects)
        .where(and(eq(projects.teamId, teamId), inArray(projects.name, names)))
        .orderBy(asc(projects.createdAt), asc(projects.id))
    : []
  const tagNames = [...file.tags.keys()]
  const tagRows = tagNames.length
    ? await db
        .select({ id: tags.id, name: tags.name })
        .from(tags)
        .where(and(eq(tags.teamId, teamId), inArray(sql`lower(${tags.name})`, tagNames)))
    : []
  const projectIds = new Map<string, string>()
  for (const p of projectRows) if (!projectIds.has(p.name)) projectIds.set(p.name, p.id)
  return { projectIds, tagIds: new Map(tagRows.map((t) => [t.name.toLowerCase(), t.id])) }
}

/**
 * Writes a checked file into the team in `tx`: missing projects and tags by name, then tasks
 * (parents first, new ids, at the end of their projects), their tags and comments, each kind in
 * statements of `batchRows` rows. Counters follow by the tasks' statement triggers, search by the
 * generated column. No progress is written meanwhile: the transaction holds the job's row.
 */
async function writeImport(tx: Db, run: Run, file: CheckedImport, members: Map<string, string>, deps: ImportDeps) {
  const { teamId, createdBy } = run.job
  const now = new Date()
  const { projectIds, tagIds } = await existing(tx, teamId, file)
  const created: Created = { projects: 0, tags: 0, tasks: 0, comments: 0 }
  const newProjects = [...file.projects.values()].filter((p) => !projectIds.has(p.name))
  for (const p of newProjects) projectIds.set(p.name, newId())
  for (const batch of chunks(newProjects, deps.batchRows)) {
    await tx.insert(projects).values(
      batch.map((p) => ({
        id: projectIds.get(p.name)!,
        teamId,
        name: p.name,
        description: p.description,
        archived: p.archived,
      })),
    )
  }
  created.projects = newProjects.length
  const newTags = [...file.tags.entries()].filter(([key]) => !tagIds.has(key))
  for (const [key] of newTags) tagIds.set(key, newId())
  for (const batch of chunks(newTags, deps.batchRows)) {
    await tx
      .insert(tags)
      .values(batch.map(([key, t]) => ({ id: tagIds.get(key)!, teamId, name: t.name, color: t.color })))
  }
  created.tags = newTags.length

  // lock the projects written into, so concurrent creates cannot take the same positions
  const used = [...new Set(file.tasks.map((t) => projectIds.get(t.projectName)!))]
  if (used.length) await tx.select({ id: projects.id }).from(projects).where(inArray(projects.id, used)).for('update')
  const position = new Map<string, number>()
  for (const id of used) position.set(id, await nextPosition(tx, id))
  const taskIds = new Map<string, string>()
  for (const t of file.tasks) taskIds.set(t.key, newId())
  for (const batch of chunks(file.tasks, deps.batchRows)) {
    await tx.insert(tasks).values(
      batch.map((t) => {
        const projectId = projectIds.get(t.projectName)!
        const at = position.get(projectId)!
        position.set(projectId, at + 1)
        const status = t.status ?? 'todo'
        return {
          id: taskIds.get(t.key)!,
          teamId,
          projectId,
          parentId: t.parentId ? taskIds.get(t.parentId)! : null,
          title: t.title,
          description: t.description ?? null,
          status,
          priorityRank: rankOf(t.priority ?? 'medium'),
          dueAt: t.dueAt ? new Date(t.dueAt) : null,
          remindAt: t.remindAt ? new Date(t.remindAt) : null,
          assigneeId: t.assigneeEmail ? members.get(t.assigneeEmail)! : null,
          position: at,
          recurrence: t.recurrence ?? null,
          completedAt: status === 'done' ? new Date(t.completedAt ?? now) : null,
          createdBy,
          createdAt: t.createdAt ? new Date(t.createdAt) : now,
          updatedAt: t.updatedAt ? new Date(t.updatedAt) : now,
        }
      }),
    )
    const links = batch.flatMap((t) =>
      [...new Set((t.tags ?? []).map((n) => tagIds.get(n.toLowerCase())!))].map((tagId) => ({
        taskId: taskIds.get(t.key)!,
        tagId,
      })),
    )
    for (const part of chunks(links, deps.batchRows)) await tx.insert(taskTags).values(part)
  }
  created.tasks = file.tasks.length
  for (const batch of chunks(file.comments, deps.batchRows)) {
    await tx.insert(comments).values(
      batch.map((c) => ({
        id: newId(),
        taskId: taskIds.get(c.taskId)!,
        teamId,
        authorId: (c.authorEmail && members.get(c.authorEmail)) || null,
        body: c.body,
        createdAt: c.createdAt ? new Date(c.createdAt) : now,
        updatedAt: c.updatedAt ? new Date(c.updatedAt) : now,
      })),
    )
  }
  created.comments = file.comments.length
  return created
}

/** What the file would create, for a dry run (the team's existing projects and tags are reused). */
async function wouldCreate(db: Db, teamId: string, file: CheckedImport): Promise<Created> {
  const { projectIds, tagIds } = await existing(db, teamId, file)
  return {
    projects: [...file.projects.keys()].filter((n) => !projectIds.has(n)).length,
    tags: [...file.tags.keys()].filter((k) => !tagIds.has(k)).length,
    tasks: file.tasks.length,
    comments: file.comments.length,
  }
}

const none: Created = { projects: 0, tags: 0, tasks: 0, comments: 0 }

/**
 * Runs an import: reads the uploaded file as a stream, checks every record, then writes everything
 * in one transaction together with the job's result and one `import.completed` entry, or nothing.
 * The transaction first locks the job row as this run's: a run that lost the job writes nothing, and
 * a second run waits for the first and then finds the job done.
 */
export async function runImport(deps: ImportDeps, run: Run): Promise<'done' | 'failed'> {
  const { db } = deps.database
  const params = run.job.params as { format: 'tasklane' | 'csv'; dryRun?: boolean }
  const dryRun = params.dryRun === true
  const input = await deps.storage.get(run.job.inputKey!)
  const raw = params.format === 'csv' ? await parseCsv(input, deps.maxRows) : await parseTasklane(input, deps.maxRows)
  const members = await membersByEmail(db, run.job.teamId)
  const file: CheckedImport = raw.fatal
    ? {
        projects: new Map(),
        tags: new Map(),
        tasks: [],
        comments: [],
        errors: [{ row: 0, path: 'file', message: raw.fatal }],
        errorCount: 1,
      }
    : checkImport(raw, new Set(members.keys()))
  const total = file.tasks.length + file.comments.length
  await run.progress(0, total)

  const failed = (errors: ImportError[], created: Created) =>
    db.transaction((tx) =>
      finishJob(tx, run, {
        status: 'failed',
        result: { created, errors, dryRun },
        error: `${file.errorCount} error${file.errorCount === 1 ? '' : 's'} in the file: nothing was imported`,
      }),
    )
  if (file.errorCount) {
    await failed(file.errors, none)
    return 'failed'
  }
  if (dryRun) {
    const created = await wouldCreate(db, run.job.teamId, file)
    await db.transaction((tx) =>
      finishJob(tx, run, { status: 'done', result: { created, errors: [], dryRun }, progress: total }),
    )
    return 'done'
  }
  await db.transaction(async (tx) => {
    const [mine] = await tx
      .select({ id: jobs.id })
      .from(jobs)
      .where(and(eq(jobs.id, run.job.id), eq(jobs.runId, run.runId)))
      .for('update')
    if (!mine) throw new JobLost(run.job.id)
    deps.log.info({ jobId: run.job.id, rows: total }, 'import writing')
    const created = await writeImport(tx, run, file, members, deps)
    await recordActivity(tx, {
      actorId: run.job.createdBy,
      action: 'import.completed',
      entityType: 'import',
      entityId: run.job.id,
      teamId: run.job.teamId,
      changes: Object.fromEntries(Object.entries(created).map(([k, n]) => [k, { from: null, to: n }])),
    })
    await finishJob(tx, run, { status: 'done', result: { created, errors: [], dryRun }, progress: total })
    deps.log.info({ jobId: run.job.id, ...created }, 'import written')
  })
  return 'done'
}
