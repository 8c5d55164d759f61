import { eq, lt, or } from 'drizzle-orm'
import { Histogram, type Registry } from 'prom-client'
import type { Config } from '../../config.ts'
import type { Database } from '../../db/client.ts'
import { type JobKind, jobs } from '../../db/tables/jobs.ts'
import type { JobContext, JobDefinition } from '../../infra/queue.ts'
import type { Storage } from '../../infra/storage.ts'
import { JOBS_PREFIX, runExport } from './jobs.export.ts'
import { runImport } from './jobs.import.ts'
import { runReport } from './jobs.report.ts'
import { claimJob, finishJob, JobLost, type Outcome, type Run } from './jobs.run.ts'
import { JOB_QUEUE } from './jobs.service.ts'

const JOBS_SWEEP_JOB = 'jobs.sweep'
/** An object under jobs/ younger than this may belong to a run still finishing. */
const ORPHAN_MIN_AGE_MS = 60 * 60_000

export interface JobsDeps {
  config: Config
  database: Database
  storage: Storage
  registry?: Registry
}

const lost = (err: unknown) => err instanceof JobLost || (err as { cause?: unknown })?.cause instanceof JobLost

function durations(registry: Registry | undefined) {
  if (!registry) return undefined
  const name = 'tasklane_jobs_duration_seconds'
  return (
    (registry.getSingleMetric(name) as Histogram<'kind' | 'outcome'> | undefined) ??
    new Histogram({
      name,
      help: 'Runs of exports, imports and reports by kind and outcome (done, failed: the job ended so; retried: the run failed and the job runs again; lost: deleted, or run again elsewhere), with how long each took',
      labelNames: ['kind', 'outcome'] as const,
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
      registers: [registry],
    })
  )
}

/** The worker's side of exports, imports and reports, and the sweep of expired files. */
export function jobKindJobs(deps: JobsDeps): JobDefinition<never>[] {
  const { database, storage, config } = deps
  const db = database.db
  const timer = durations(deps.registry)

  /** Finishes a run that made an object: the result row and the key in one commit, or the object goes. */
  async function commit(run: Run, outcome: Outcome) {
    try {
      await db.transaction((tx) => finishJob(tx, run, outcome))
    } catch (err) {
      if (outcome.resultKey) await storage.delete(outcome.resultKey).catch(() => {})
      throw err
    }
    await removeInput(run)
    return outcome.status
  }
  /** The import's upload, once its row no longer names it (the sweep removes it if this fails). */
  const removeInput = async (run: Run) => {
    if (run.job.inputKey) await storage.delete(run.job.inputKey).catch(() => {})
  }

  /** Each kind's work: it finishes the job, and says how it ended. */
  const work: Partial<Record<JobKind, (run: Run, ctx: JobContext) => Promise<Outcome['status']>>> = {
    export: async (run) => commit(run, await runExport({ database, storage, batchRows: config.JOB_BATCH_ROWS }, run)),
    report: async (run) => commit(run, await runReport({ database, storage }, run)),
    import: async (run, ctx) => {
      const batchRows = config.JOB_BATCH_ROWS
      const status = await runImport(
        { database, storage, batchRows, maxRows: config.IMPORT_MAX_ROWS, log: ctx.log },
        run,
      )
      await removeInput(run)
      return status
    },
  }

  const definition = (
    kind: JobKind,
    run: (run: Run, ctx: JobContext) => Promise<Outcome['status']>,
  ): JobDefinition<{ jobId: string }> => ({
    name: JOB_QUEUE[kind],
    // a run that outlives JOB_TIMEOUT_SECONDS is taken for dead and run again: each such retry counts
    retryLimit: 5,
    retryDelaySeconds: 5,
    // each streams a whole team: two at a time per process keeps memory and the database's share bounded
    concurrency: 2,
    expireInSeconds: config.JOB_TIMEOUT_SECONDS,
    handle: async ({ jobId }, ctx) => {
      const started = Date.now()
      // the log's outcome is the run's (finished, failed, retried, lost); the metric's says how the job ended
      const observe = (outcome: string, status?: Outcome['status']) => {
        timer?.observe({ kind, outcome: status ?? outcome }, (Date.now() - started) / 1000)
        ctx.log.info({ jobId, kind, outcome, status, ms: Date.now() - started }, 'job run ended')
      }
      const claimed = await claimJob(db, jobId, ctx.log)
      if (!claimed) return { outcome: 'skipped', reason: 'finished or deleted' }
      try {
        observe('finished', await run(claimed, ctx))
        return { outcome: 'finished' }
      } catch (err) {
        if (lost(err)) {
          observe('lost')
          return { outcome: 'lost', reason: 'deleted, or run again elsewhere' }
        }
        if (!ctx.lastAttempt) {
          observe('retried')
          throw err
        }
        observe('failed', 'failed')
        ctx.log.error({ err, jobId }, 'job failed for good')
        await db
          .transaction((tx) => finishJob(tx, claimed, { status: 'failed', error: 'The job failed; try again later' }))
          .then(() => removeInput(claimed))
          .catch((e) => {
            if (!lost(e)) throw e
          })
        return { outcome: 'failed' }
      }
    },
  })

  const sweep: JobDefinition<Record<string, never>> = {
    name: JOBS_SWEEP_JOB,
    cron: '7 * * * *',
    retryLimit: 1,
    expireInSeconds: 30 * 60,
    handle: async () => sweepJobs({ db, storage }),
  }
  const kinds = Object.entries(work).map(([kind, run]) => definition(kind as JobKind, run))
  return [...kinds, sweep] as JobDefinition<never>[]
}

/**
 * Removes jobs past `expiresAt` (their rows, then their objects), then objects under jobs/ that no
 * row names (a run that died between writing its object and committing it, or one that lost its job).
 */
export async function sweepJobs(deps: { db: Database['db']; storage: Storage }, now = new Date()) {
  const rows = await deps.db
    .delete(jobs)
    .where(lt(jobs.expiresAt, now))
    .returning({ resultKey: jobs.resultKey, inputKey: jobs.inputKey })
  // rows first: an object whose delete fails here is named by no row, and the loop below gets it next time
  for (const r of rows)
    for (const key of [r.resultKey, r.inputKey]) if (key) await deps.storage.delete(key).catch(() => {})
  let orphans = 0
  for await (const o of deps.storage.list(JOBS_PREFIX, { olderThan: new Date(now.getTime() - ORPHAN_MIN_AGE_MS) })) {
    const [named] = await deps.db
      .select({ id: jobs.id })
      .from(jobs)
      .where(or(eq(jobs.resultKey, o.key), eq(jobs.inputKey, o.key)))
    if (named) continue
    await deps.storage.delete(o.key)
    orphans++
  }
  return { expired: rows.length, orphans }
}
