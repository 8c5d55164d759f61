import { and, desc, eq, inArray, lt, or, type SQL, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type JobKind, type JobRow, jobs } from '../../db/tables/jobs.ts'
import { teamMembers } from '../../db/tables/teams.ts'
import type { Actor } from '../../http/auth.ts'
import { encodeCursor } from '../../http/cursor.ts'
import { decodeAfter } from '../../http/keyset.ts'
import { notFound } from '../../http/problem.ts'
import type { Queue } from '../../infra/queue.ts'
import { newId } from '../../lib/ids.ts'
import { iso, isoOrNull } from '../../lib/time.ts'
import { recordActivity } from '../activity/index.ts'
import type { ExportFilter, Job, JobListQuery } from './jobs.schema.ts'

/** How long a job and its file are kept after it was made. */
export const JOB_TTL_MS = 7 * 86_400_000
/** The pg-boss queue of each kind. */
export const JOB_QUEUE: Record<JobKind, string> = {
  export: 'jobs.export',
  import: 'jobs.import',
  report: 'jobs.report',
}

/** What the job was asked for, as the API shows it (the stored params carry no more than this). */
function paramsOf(row: JobRow): Job['params'] {
  const p = row.params as Record<string, unknown>
  if (row.kind === 'export') {
    return { format: p.format === 'json' ? 'json' : 'csv', filter: (p.filter ?? {}) as ExportFilter }
  }
  if (row.kind === 'import') {
    return {
      format: p.format === 'csv' ? 'csv' : 'tasklane',
      dryRun: p.dryRun === true,
      filename: String(p.filename ?? 'file'),
      size: Number(p.size ?? 0),
    }
  }
  // a range as it was given (any offset) is shown as the instants it names, in UTC
  return { from: iso(new Date(String(p.from))), to: iso(new Date(String(p.to))) }
}

export const toJob = (row: JobRow): Job => ({
  id: row.id,
  kind: row.kind,
  teamId: row.teamId,
  projectId: row.projectId,
  status: row.status,
  params: paramsOf(row),
  progress: { done: row.progressDone, total: row.progressTotal },
  result: (row.result as Job['result']) ?? null,
  error: row.error,
  createdBy: row.createdBy,
  createdAt: iso(row.createdAt),
  startedAt: isoOrNull(row.startedAt),
  finishedAt: isoOrNull(row.finishedAt),
  expiresAt: iso(row.expiresAt),
})

/**
 * The one visibility rule of jobs: their creator and the team's admins and owners see them (a
 * global admin sees all); anyone else gets a 404.
 */
function jobVisibleTo(actor: Actor): SQL | undefined {
  if (actor.role === 'admin') return undefined
  return or(
    eq(jobs.createdBy, actor.userId),
    inArray(
      jobs.teamId,
      sql`(select ${teamMembers.teamId} from ${teamMembers} where ${teamMembers.userId} = ${actor.userId} and ${teamMembers.role} in ('owner', 'admin'))`,
    ),
  )
}

/** A job's change on the activity log (→ /events): its creator's entry, in no team, so only they follow it. */
export const publishJob = (
  tx: Db,
  row: Pick<JobRow, 'id' | 'createdBy'>,
  action: 'job.created' | 'job.updated',
  changes: Record<string, { from: unknown; to: unknown }>,
) => recordActivity(tx, { actorId: row.createdBy, action, entityType: 'job', entityId: row.id, teamId: null, changes })

/**
 * Writes the job row and queues its pg-boss job in one transaction: both exist or neither. `prepare`
 * runs inside it first (an import's upload is named by the row it returns).
 */
export async function createJob(
  deps: { db: Db; queue: Queue },
  actor: Actor,
  input: {
    /** given when the job's upload is stored under its id first */
    id?: string
    kind: JobKind
    teamId: string
    projectId?: string | null
    params: Record<string, unknown>
    inputKey?: string
  },
): Promise<Job> {
  const now = new Date()
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(jobs)
      .values({
        id: input.id ?? newId(),
        kind: input.kind,
        teamId: input.teamId,
        projectId: input.projectId ?? null,
        createdBy: actor.userId,
        params: input.params,
        inputKey: input.inputKey ?? null,
        createdAt: now,
        expiresAt: new Date(now.getTime() + JOB_TTL_MS),
      })
      .returning()
    await deps.queue.send(JOB_QUEUE[input.kind], { jobId: row!.id }, { tx })
    await publishJob(tx, row!, 'job.created', {
      status: { from: null, to: 'queued' },
      kind: { from: null, to: input.kind },
    })
    return toJob(row!)
  })
}

/** A job the caller may see, of this kind; 404 otherwise. */
export async function jobFor(db: Db, actor: Actor, kind: JobKind, id: string): Promise<JobRow> {
  const [row] = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.id, id), eq(jobs.kind, kind), jobVisibleTo(actor)))
  if (!row) throw notFound(kind, id)
  return row
}

/** The caller's visible jobs of a kind, newest first, one keyset page. */
export async function listJobs(db: Db, actor: Actor, kind: JobKind, query: JobListQuery) {
  const after = decodeAfter(query.cursor, ['uuid'] as const)
  const rows = await db
    .select()
    .from(jobs)
    .where(
      and(
        eq(jobs.kind, kind),
        jobVisibleTo(actor),
        query.teamId ? eq(jobs.teamId, query.teamId) : undefined,
        after ? lt(jobs.id, after[0]) : undefined,
      ),
    )
    .orderBy(desc(jobs.id))
    .limit(query.limit + 1)
  const items = rows.slice(0, query.limit).map(toJob)
  return { items, nextCursor: rows.length > query.limit ? encodeCursor([items.at(-1)!.id]) : null }
}

/**
 * Deletes a job (a running one stops at its next step: it finds its row gone) and queues the
 * removal of its files in the same transaction.
 */
export async function deleteJob(
  deps: { db: Db; queue: Queue },
  actor: Actor,
  kind: JobKind,
  id: string,
  removeObject: string,
): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .delete(jobs)
      .where(and(eq(jobs.id, id), eq(jobs.kind, kind), jobVisibleTo(actor)))
      .returning()
    if (!row) throw notFound(kind, id)
    for (const key of [row.resultKey, row.inputKey]) if (key) await deps.queue.send(removeObject, { key }, { tx })
  })
}
