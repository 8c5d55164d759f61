import { and, eq, inArray, sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import type { Db } from '../../db/client.ts'
import { type JobRow, type JobStatus, jobs } from '../../db/tables/jobs.ts'
import { newId } from '../../lib/ids.ts'
import { JOB_TTL_MS, publishJob } from './jobs.service.ts'

/** This run no longer owns its job: the job was deleted, or ran again elsewhere. It stops quietly. */
export class JobLost extends Error {
  constructor(readonly jobId: string) {
    super(`job ${jobId} is no longer this run's`)
    this.name = 'JobLost'
  }
}

/** One run of a job: the row as claimed, and the run's id that every later write is conditioned on. */
export interface Run {
  job: JobRow
  runId: string
  /** records progress (and publishes it every tenth or so); throws JobLost when the run lost its job */
  progress(done: number, total?: number): Promise<void>
}

const mine = (run: { job: JobRow; runId: string }) => and(eq(jobs.id, run.job.id), eq(jobs.runId, run.runId))

/**
 * Claims a job for this run: a queued job, or a running one whose earlier run died (pg-boss runs a
 * job again only once its last run expired or failed). Null when it is finished or gone.
 */
export async function claimJob(db: Db, jobId: string, log?: Logger): Promise<Run | null> {
  const runId = newId()
  const job = await db.transaction(async (tx) => {
    const [row] = await tx
      .update(jobs)
      .set({ runId, status: 'running', startedAt: new Date(), progressDone: 0, attempts: sql`${jobs.attempts} + 1` })
      .where(and(eq(jobs.id, jobId), inArray(jobs.status, ['queued', 'running'])))
      .returning()
    if (row) await publishJob(tx, row, 'job.updated', { status: { from: 'queued', to: 'running' } })
    return row
  })
  if (!job) return null
  let published = 0
  const run: Run = {
    job,
    runId,
    async progress(done, total) {
      const [row] = await db
        .update(jobs)
        .set({ progressDone: done, ...(total === undefined ? {} : { progressTotal: total }) })
        .where(mine(run))
        .returning({ total: jobs.progressTotal, createdBy: jobs.createdBy, id: jobs.id })
      if (!row) throw new JobLost(jobId)
      // the log hears of progress in steps of a tenth, not on every batch
      const step = Math.floor((done * 10) / Math.max(row.total, 1))
      if (step > published) {
        published = step
        log?.info({ jobId, done, total: row.total }, 'job progress')
        await db.transaction((tx) =>
          publishJob(tx, row, 'job.updated', { progress: { from: null, to: { done, total: row.total } } }),
        )
      }
    },
  }
  return run
}

/** What finishing writes besides the status. */
export interface Outcome {
  status: Extract<JobStatus, 'done' | 'failed'>
  result?: Record<string, unknown> | null
  error?: string | null
  resultKey?: string | null
  progress?: number
}

/**
 * Finishes the run in `tx` (the transaction of an import's writes, or a short one): the status, the
 * result and its object's key together, and only if the run still owns the job (JobLost otherwise,
 * which rolls the transaction back). The row stops naming the import's upload: the caller removes it
 * after the commit (or the sweep does, if the process dies first).
 */
export async function finishJob(tx: Db, run: Run, outcome: Outcome) {
  const finishedAt = new Date()
  const [row] = await tx
    .update(jobs)
    .set({
      status: outcome.status,
      result: outcome.result ?? null,
      error: outcome.error ?? null,
      resultKey: outcome.resultKey ?? null,
      inputKey: null,
      finishedAt,
      expiresAt: new Date(finishedAt.getTime() + JOB_TTL_MS),
      ...(outcome.progress === undefined ? {} : { progressDone: outcome.progress }),
    })
    .where(mine(run))
    .returning()
  if (!row) throw new JobLost(run.job.id)
  await publishJob(tx, row, 'job.updated', { status: { from: 'running', to: outcome.status } })
  return row
}
