import { is, SQL, sql } from 'drizzle-orm'
import PgBoss from 'pg-boss'
import type { Logger } from 'pino'
import { Counter, Gauge, type Registry } from 'prom-client'
import type { Config } from '../config.ts'
import type { Database, Db } from '../db/client.ts'
import { databaseUnavailable, withoutParameters } from '../db/errors.ts'

/** What a handler gets besides the job's data. */
export interface JobContext {
  jobId: string
  /** 0 on the first run, n on the n-th retry */
  retryCount: number
  /** no retry follows if this run fails: a handler records the failure for good */
  lastAttempt: boolean
  log: Logger
}

/** A kind of background job: its name, retry policy and handler. */
export interface JobDefinition<T extends object = Record<string, unknown>> {
  name: string
  /** retries after a failure, each after an exponentially growing delay from `retryDelaySeconds` */
  retryLimit?: number
  retryDelaySeconds?: number
  /** a job still running after this long is taken as lost (its worker died) and retried */
  expireInSeconds?: number
  /** run periodically (cron, UTC) as well as on demand */
  cron?: string
  /** jobs of this kind one process runs at once, unless `JOB_QUEUE_CONCURRENCY` names it (CPU-bound kinds keep it low) */
  concurrency?: number
  /** what it resolves to is kept as the job's output (a sweep's report) */
  handle(data: T, ctx: JobContext): Promise<unknown>
}

interface SendOptions {
  /** the business transaction: the job exists only if it commits */
  tx?: Db
  /**
   * not before this moment. A Date, never pg-boss's numeric seconds: pg-boss sends them as text into
   * a `CASE` that also casts the same value to a timestamp, and once Drizzle numbers each occurrence
   * of a placeholder separately (`toDrizzleSql`), that cast types its own parameter as a timestamp,
   * which "6" is not. An ISO time (what pg-boss makes of a Date) satisfies both branches.
   */
  startAfter?: Date
  /** at most one queued job per key (e.g. one extraction per attachment) */
  singletonKey?: string
}

const DEFAULT_RETRY_LIMIT = 5

/** Modules enqueue by name; workers run the handlers. */
export interface Queue {
  send(name: string, data: object, opts?: SendOptions): Promise<string | null>
  /**
   * Enqueues one job per row of `rows` (a SELECT whose column `data` is a job's data, as json) in
   * one INSERT … SELECT in the business transaction: a cascade that orphans any number of objects
   * queues their removal in one statement, never one per row.
   */
  sendEach(name: string, rows: SQL, opts: { tx: Db }): Promise<void>
  /** Starts running the handlers in this process (a worker; the API too in embedded mode). */
  work(): Promise<void>
  /** jobs per queue and state, from the database (shared by every instance) */
  depth(): Promise<Record<string, Record<string, number>>>
  /**
   * Stops fetching; running jobs get `timeoutMs` to finish, then go back to the queue for a
   * retry. Never loses a job: one whose process dies instead expires and is retried.
   */
  stop(timeoutMs?: number): Promise<void>
  /** Adds queue depth by state and this process's job failures to a metrics registry (/metrics). */
  instrument(registry: Registry): void
}

/**
 * Placeholders `$1…$n` of pg-boss's SQL turned into Drizzle parameters, to run on a Drizzle
 * transaction; a value that is itself SQL (a subquery) is embedded in place of its placeholder.
 */
export function toDrizzleSql(text: string, values: unknown[] = []): SQL {
  const chunks: SQL[] = []
  let last = 0
  for (const m of text.matchAll(/\$(\d+)/g)) {
    chunks.push(sql.raw(text.slice(last, m.index)))
    const value = values[Number(m[1]) - 1] ?? null
    // sql.param keeps arrays and objects as one parameter (a plain interpolation would spread arrays)
    chunks.push(is(value, SQL) ? sql`(${value})` : sql`${sql.param(value)}`)
    last = m.index + m[0].length
  }
  chunks.push(sql.raw(text.slice(last)))
  return sql.join(chunks)
}

const txAdapter = (tx: Db): PgBoss.Db => ({
  executeSql: async (text, values) => (await tx.execute(toDrizzleSql(text, values))) as unknown as { rows: [] },
})

/**
 * pg-boss records how a handler ended (`complete`, `fail`) without awaiting it (`Manager.watch`):
 * an error of that statement is a rejection nobody handles, which ends a process (or, for a lost
 * connection, reaches the process-level guard). These are its two statements (pg-boss 10's plans
 * `completeJobs` and `failJobsById`).
 */
const RECORDS_OUTCOME =
  /^\s*WITH (?:results AS \(\s*UPDATE \S+\.job\s+SET completed_on = now\(\)|deleted_jobs AS \(\s*DELETE FROM \S+\.job\s+WHERE name = \$1 AND id IN)/
/** what pg-boss reads of an outcome statement's answer (`mapCommandResponse`): nothing recorded */
const NOTHING_RECORDED = { rows: [{ count: '0' }] } as unknown as { rows: [] }
/** how long a job's outcome is retried while the database is away, before the job is left to expire */
const OUTCOME_RETRY_MS = 30_000

/**
 * pg-boss on the application's own connections. On PGlite, whose one session runs one query at a
 * time, pg-boss's multi-statement scripts (schema creation, maintenance: `BEGIN; …; COMMIT`) go
 * through `exec`; the pg pool runs them as one simple query. A job's outcome is written again
 * while the database is away (a restart), so the job is not run a second time, and never rejects.
 */
function databaseAdapter(
  database: Database,
  isStopped: () => boolean,
  log: Logger,
): PgBoss.Db & { settled(): Promise<void> } {
  const inFlight = new Set<Promise<unknown>>()
  const execute = async (text: string, values?: unknown[]) => {
    if (database.kind === 'pglite' && !values?.length && /;\s*\S/.test(text.trim().replace(/;\s*$/, ''))) {
      await database.sql.exec(text)
      return { rows: [] }
    }
    return (await database.sql.query(text, values)) as { rows: [] }
  }
  const recordOutcome = async (text: string, values?: unknown[]) => {
    const giveUpAt = Date.now() + OUTCOME_RETRY_MS
    for (let attempt = 0; ; attempt++) {
      try {
        return await execute(text, values)
      } catch (err) {
        const wait = Math.min(200 * 2 ** attempt, 2_000)
        if (isStopped() || !databaseUnavailable(err) || Date.now() + wait > giveUpAt) {
          log.warn(
            { err: withoutParameters(err), jobIds: values?.[1] },
            'could not record how a job ended: it stays active until it expires, then runs again',
          )
          return NOTHING_RECORDED
        }
        await new Promise((r) => setTimeout(r, wait))
      }
    }
  }
  return {
    executeSql: async (text, values) => {
      const outcome = RECORDS_OUTCOME.test(text)
      // a handler that outlived the stop's grace period finishes after the database may be closed:
      // its bookkeeping is dropped, the job stays active, expires and runs again (never lost)
      if (isStopped()) return outcome ? NOTHING_RECORDED : { rows: [] }
      const running = outcome ? recordOutcome(text, values) : execute(text, values)
      inFlight.add(running)
      try {
        return await running
      } finally {
        inFlight.delete(running)
      }
    },
    /** pg-boss records a finished job without waiting: the stop waits for those statements */
    settled: async () => {
      await Promise.allSettled([...inFlight])
    },
  }
}

export interface QueueDeps {
  database: Database
  logger: Logger
  jobs: JobDefinition<never>[]
  /** seconds between polls of an idle queue for new jobs (at least 0.5, pg-boss's minimum) */
  pollingIntervalSeconds?: number
  /** jobs of one queue this process runs at once, for kinds without their own `concurrency` */
  concurrency?: number
  /** per queue name: jobs this process runs at once (over the kind's own and `concurrency`) */
  queueConcurrency?: Record<string, number>
}

/** The queue's settings from the configuration (`JOB_*`): the same for `serve` and `worker`. */
export function queueSettings(
  config: Pick<Config, 'JOB_CONCURRENCY' | 'JOB_QUEUE_CONCURRENCY' | 'JOB_POLL_INTERVAL_MS'>,
) {
  return {
    concurrency: config.JOB_CONCURRENCY,
    queueConcurrency: config.JOB_QUEUE_CONCURRENCY,
    pollingIntervalSeconds: config.JOB_POLL_INTERVAL_MS / 1000,
  }
}

/** a pg-boss worker of ours sleeps this long when nobody wakes it (the queue's own poll does) */
const BACKSTOP_POLL_SECONDS = 300

/** Background jobs on pg-boss, in the same PostgreSQL (or PGlite) as the data. */
export async function createQueue({
  database,
  logger,
  jobs,
  pollingIntervalSeconds = 2,
  concurrency = 10,
  queueConcurrency = {},
}: QueueDeps): Promise<Queue> {
  const log = logger.child({ component: 'queue' })
  const unknown = Object.keys(queueConcurrency).filter((name) => !jobs.some((j) => j.name === name))
  if (unknown.length) throw new Error(`JOB_QUEUE_CONCURRENCY names no queue: ${unknown.join(', ')}`)
  let stopped = false
  const adapter = databaseAdapter(database, () => stopped, log)
  const boss = new PgBoss({
    db: adapter,
    schema: 'pgboss',
    // embedded: the one process supervises; on PostgreSQL every instance may, pg-boss takes turns with a lock
    supervise: true,
    schedule: true,
    // expiry of jobs whose worker died is noticed at most this late (one instance does it per interval)
    maintenanceIntervalSeconds: 10,
    monitorStateIntervalSeconds: 30,
  })
  boss.on('error', (err) => log.error({ err }, 'job queue error'))
  await boss.start()
  for (const job of jobs) {
    const options = {
      name: job.name,
      retryLimit: job.retryLimit ?? DEFAULT_RETRY_LIMIT,
      retryDelay: job.retryDelaySeconds ?? 10,
      retryBackoff: true,
      expireInSeconds: job.expireInSeconds ?? 15 * 60,
    }
    // createQueue is not idempotent under concurrent starts; an existing queue gets its options refreshed
    if (await boss.getQueue(job.name)) await boss.updateQueue(job.name, options)
    else await boss.createQueue(job.name, options).catch(async () => boss.updateQueue(job.name, options))
    if (job.cron) await boss.schedule(job.name, job.cron, {}, { tz: 'UTC' })
  }

  let failures: Counter<'queue'> | undefined
  let completed: Counter<'queue'> | undefined
  const depth = async () => {
    // countStates is public in pg-boss 10 but missing from its types
    const counting = boss as unknown as { countStates(): Promise<{ queues: Record<string, Record<string, number>> }> }
    const states = await counting.countStates()
    return states.queues
  }

  /** Runs one job of `job`'s kind: the handler, its log line and counters. */
  const run = async (job: JobDefinition<never>, j: PgBoss.JobWithMetadata<Record<string, unknown>>) => {
    const jobLog = log.child({ job: job.name, jobId: j.id, retryCount: j.retryCount })
    const started = Date.now()
    try {
      const output = await job.handle(j.data as never, {
        jobId: j.id,
        retryCount: j.retryCount,
        lastAttempt: j.retryCount >= (job.retryLimit ?? DEFAULT_RETRY_LIMIT),
        log: jobLog,
      })
      completed?.inc({ queue: job.name })
      jobLog.info({ ms: Date.now() - started }, 'job completed')
      return output
    } catch (err) {
      failures?.inc({ queue: job.name })
      jobLog.warn({ err, ms: Date.now() - started }, 'job failed')
      // pg-boss stores the error in the job's row: a failed query's parameters must not go with it
      throw withoutParameters(err)
    }
  }

  /**
   * One queue's workers. pg-boss 10 runs a worker as "fetch, handle, wait for the interval", one job
   * at a time, and leaves concurrency to its user: several `work()` calls. Here the queue is polled
   * once per interval while idle (the ticker below wakes one idle worker), and a worker that got a
   * job wakes an idle sibling (or starts one, up to the limit) and fetches again as soon as it is
   * done, so a backlog is drained by `limit` workers without pause, and an idle queue costs one
   * fetch per interval however high the limit.
   */
  const pool = (job: JobDefinition<never>, limit: number) => {
    const workers: { id?: string; busy: boolean }[] = []
    let next = 0
    const add = async () => {
      const worker: { id?: string; busy: boolean } = { busy: false }
      workers.push(worker)
      worker.id = await boss.work<Record<string, unknown>>(
        job.name,
        { includeMetadata: true, batchSize: 1, pollingIntervalSeconds: BACKSTOP_POLL_SECONDS },
        async ([j]) => {
          if (!j) return
          worker.busy = true
          // there may be more waiting: another worker looks at once
          wake(worker)
          try {
            return await run(job, j)
          } finally {
            worker.busy = false
            // and so does this one, instead of sleeping until the next poll
            if (worker.id) boss.notifyWorker(worker.id)
          }
        },
      )
    }
    /** Wakes an idle worker other than `except`, or starts one while under the limit. */
    const wake = (except?: { id?: string; busy: boolean }) => {
      for (let i = 0; i < workers.length; i++) {
        const w = workers[(next + i) % workers.length]!
        if (w !== except && !w.busy && w.id) {
          next = (next + i + 1) % workers.length
          boss.notifyWorker(w.id)
          return
        }
      }
      if (workers.length < limit && !closing) {
        add().catch((err) => log.warn({ err, queue: job.name }, 'could not start a job worker'))
      }
    }
    return { add, wake }
  }

  let working = false
  let closing = false
  let ticker: NodeJS.Timeout | undefined
  return {
    async send(name, data, opts = {}) {
      return boss.send(name, data, {
        ...(opts.tx ? { db: txAdapter(opts.tx) } : {}),
        ...(opts.startAfter ? { startAfter: opts.startAfter } : {}),
        ...(opts.singletonKey ? { singletonKey: opts.singletonKey } : {}),
      })
    },
    async sendEach(name, rows, { tx }) {
      // pg-boss's own bulk insert (queue policy and retry defaults applied as for send), its JSON
      // array of jobs ($1) built by the database from `rows` instead of sent from here
      const jobs = sql`select coalesce(json_agg(json_build_object('name', ${name}::text, 'data', r.data)), '[]'::json)
        from (${rows}) r`
      const db: PgBoss.Db = {
        executeSql: async (text, values = []) =>
          (await tx.execute(toDrizzleSql(text, [jobs, ...values.slice(1)]))) as unknown as { rows: [] },
      }
      await boss.insert([], { db })
    },
    async work() {
      if (working) return
      working = true
      const pools: ReturnType<typeof pool>[] = []
      for (const job of jobs) {
        // a periodic sweep gets one worker: its runs do not overlap
        const p = pool(job, queueConcurrency[job.name] ?? job.concurrency ?? (job.cron ? 1 : concurrency))
        await p.add()
        pools.push(p)
      }
      ticker = setInterval(() => {
        for (const p of pools) p.wake()
      }, pollingIntervalSeconds * 1000)
      ticker.unref()
    },
    depth,
    instrument(registry) {
      failures = new Counter({
        name: 'tasklane_job_failures_total',
        help: 'Background job runs that failed in this process, by queue',
        labelNames: ['queue'] as const,
        registers: [registry],
      })
      completed = new Counter({
        name: 'tasklane_jobs_completed_total',
        help: 'Background job runs that completed in this process, by queue',
        labelNames: ['queue'] as const,
        registers: [registry],
      })
      new Gauge({
        name: 'tasklane_job_queue_jobs',
        help: 'Background jobs by queue and state (created = waiting, retry = failed and waiting to retry, failed = gave up)',
        labelNames: ['queue', 'state'] as const,
        registers: [registry],
        async collect() {
          this.reset()
          try {
            for (const [queue, counts] of Object.entries(await depth())) {
              for (const [state, n] of Object.entries(counts)) this.set({ queue, state }, n)
            }
          } catch (err) {
            log.warn({ err }, 'could not count jobs')
          }
        },
      })
    },
    async stop(timeoutMs = 10_000) {
      closing = true
      clearInterval(ticker)
      await boss.stop({ graceful: true, timeout: timeoutMs, wait: true, close: true })
      await adapter.settled()
      stopped = true
    },
  }
}

/**
 * A queue that starts pg-boss on first use, or when `open()` is called; a failed start (database
 * down) is tried again on the next use instead of failing the process that builds it.
 */
export function lazyQueue(start: () => Promise<Queue>): Queue & { open(): Promise<void> } {
  const registries: Registry[] = []
  let opened: Promise<Queue> | undefined
  const get = () => {
    opened ??= start().then(
      (q) => {
        for (const r of registries) q.instrument(r)
        return q
      },
      (err) => {
        opened = undefined
        throw err
      },
    )
    return opened
  }
  return {
    open: async () => {
      await get()
    },
    send: async (name, data, opts) => (await get()).send(name, data, opts),
    sendEach: async (name, rows, opts) => (await get()).sendEach(name, rows, opts),
    work: async () => (await get()).work(),
    depth: async () => (opened ? (await get()).depth() : {}),
    stop: async (timeoutMs) => {
      const q = await opened?.catch(() => undefined)
      await q?.stop(timeoutMs)
    },
    instrument(registry) {
      registries.push(registry)
      void opened?.then((q) => q.instrument(registry)).catch(() => {})
    },
  }
}
