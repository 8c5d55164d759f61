import { sql } from 'drizzle-orm'
import pino from 'pino'
import { Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDatabase } from '../../test/db.ts'
import type { Database } from '../db/client.ts'
import { createQueue, type JobDefinition, type Queue, toDrizzleSql } from './queue.ts'

const until = async (check: () => boolean | Promise<boolean>, ms = 15_000) => {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 100))
  }
}

let database: Database
let queue: Queue
const seen: string[] = []
let flakyRuns = 0
const jobs: JobDefinition<{ tag: string }>[] = [
  {
    name: 'test-record',
    handle: async ({ tag }) => {
      seen.push(tag)
    },
  },
  {
    name: 'test-flaky',
    retryLimit: 3,
    retryDelaySeconds: 1,
    handle: async ({ tag }) => {
      flakyRuns++
      if (flakyRuns < 2) throw new Error('first run fails')
      seen.push(tag)
    },
  },
  {
    name: 'test-broken',
    retryLimit: 0,
    handle: async () => {
      throw new Error('always fails')
    },
  },
]
const registry = new Registry()

beforeAll(async () => {
  database = await freshDatabase()
  queue = await createQueue({
    database,
    logger: pino({ level: 'silent' }),
    jobs: jobs as JobDefinition<never>[],
    pollingIntervalSeconds: 0.5,
  })
  queue.instrument(registry)
  await queue.work()
})
afterAll(async () => {
  await queue?.stop(1_000)
  await database?.close()
})

describe('toDrizzleSql', () => {
  it('turns $n placeholders into parameters, arrays and objects kept whole', async () => {
    const q = toDrizzleSql('select $1::jsonb as a, $2::int[] as b, $1::jsonb as c', [{ x: 1 }, [1, 2]])
    const { rows } = (await database.db.execute(q)) as unknown as { rows: { a: unknown; b: unknown; c: unknown }[] }
    expect(rows[0]).toEqual({ a: { x: 1 }, b: [1, 2], c: { x: 1 } })
  })
})

describe('job queue', () => {
  it('runs a job sent outside a transaction', async () => {
    await queue.send('test-record', { tag: 'plain' })
    await until(() => seen.includes('plain'))
  })

  it('runs a job sent in a transaction that commits', async () => {
    await database.db.transaction(async (tx) => {
      await queue.send('test-record', { tag: 'committed' }, { tx })
    })
    await until(() => seen.includes('committed'))
  })

  it('never runs a job sent in a transaction that rolls back', async () => {
    const rollback = new Error('rollback')
    await expect(
      database.db.transaction(async (tx) => {
        await queue.send('test-record', { tag: 'rolled-back' }, { tx })
        throw rollback
      }),
    ).rejects.toBe(rollback)
    // a later job in the same queue runs, so the rolled-back one would have run by then
    await queue.send('test-record', { tag: 'after-rollback' })
    await until(() => seen.includes('after-rollback'))
    expect(seen).not.toContain('rolled-back')
    const { rows } = (await database.db.execute(
      sql`select count(*)::int as n from pgboss.job where data->>'tag' = 'rolled-back'`,
    )) as unknown as { rows: { n: number }[] }
    expect(rows[0]!.n).toBe(0)
  })

  it('retries a failed job until it succeeds', async () => {
    await queue.send('test-flaky', { tag: 'flaky' })
    await until(() => seen.includes('flaky'), 20_000)
    expect(flakyRuns).toBe(2)
  })

  it('reports queue depth and failures in metrics', async () => {
    await queue.send('test-broken', { tag: 'x' })
    await until(async () => ((await queue.depth())['test-broken']?.failed ?? 0) === 1)
    const text = await registry.metrics()
    expect(text).toMatch(/tasklane_job_failures_total\{queue="test-broken"\} 1/)
    expect(text).toMatch(/tasklane_job_queue_jobs\{queue="test-broken",state="failed"\} 1/)
  })
})

describe('concurrency', () => {
  it('drains a backlog at each queue’s limit (JOB_QUEUE_CONCURRENCY over the default), never above, without waiting for polls', async () => {
    const names = ['test-held-default', 'test-held-named'] as const
    const running: Record<string, number> = { [names[0]]: 0, [names[1]]: 0 }
    const peak = { ...running }
    let done = 0
    let release = () => {}
    const released = new Promise<void>((r) => {
      release = r
    })
    const held = (name: string): JobDefinition<never> => ({
      name,
      handle: async () => {
        running[name]!++
        peak[name] = Math.max(peak[name]!, running[name]!)
        await released
        running[name]!--
        done++
      },
    })
    const q = await createQueue({
      database,
      logger: pino({ level: 'silent' }),
      jobs: names.map(held),
      // an idle queue is polled every 30 s: a backlog that waited for polls would take minutes
      pollingIntervalSeconds: 30,
      concurrency: 4,
      queueConcurrency: { 'test-held-named': 2 },
    })
    try {
      // a burst of changes: the jobs wait before any worker runs
      for (let i = 0; i < 8; i++) for (const name of names) await q.send(name, {})
      await q.work()
      await until(() => running['test-held-default']! >= 4 && running['test-held-named']! >= 2)
      // held at their limits while the rest wait
      await new Promise((r) => setTimeout(r, 1_000))
      expect(peak).toEqual({ 'test-held-default': 4, 'test-held-named': 2 })
      release()
      await until(() => done === 16)
      expect(peak).toEqual({ 'test-held-default': 4, 'test-held-named': 2 })
    } finally {
      release()
      await q.stop(1_000)
    }
  })
})

describe('graceful stop', () => {
  const run = async (jobMs: number, timeoutMs: number) => {
    let finished = false
    let started = false
    const name = `test-slow-${jobMs}`
    const q = await createQueue({
      database,
      logger: pino({ level: 'silent' }),
      jobs: [
        {
          name,
          retryLimit: 2,
          handle: async () => {
            started = true
            await new Promise((r) => setTimeout(r, jobMs))
            finished = true
          },
        },
      ],
      pollingIntervalSeconds: 0.5,
    })
    await q.work()
    const id = await q.send(name, {})
    await until(() => started)
    await q.stop(timeoutMs)
    const { rows } = (await database.db.execute(
      sql`select state from pgboss.job where id = ${id}::uuid`,
    )) as unknown as { rows: { state: string }[] }
    return { finished, state: rows[0]?.state }
  }

  it('lets a running job finish within the timeout', async () => {
    // a wide margin: on a loaded machine the job's bookkeeping after it returns takes its time too
    expect(await run(1_000, 15_000)).toEqual({ finished: true, state: 'completed' })
  })

  it('returns a job still running at the timeout to the queue for a retry', async () => {
    expect(await run(4_000, 1_000)).toEqual({ finished: false, state: 'retry' })
  })
})

// pg-boss records how a handler ended without awaiting it: an error there was an unhandled rejection
// (the restart test saw `connect ECONNREFUSED` from Manager.complete reach the process-level guard)
describe('a job whose outcome cannot be recorded at once', () => {
  const unhandled: unknown[] = []
  const onUnhandled = (err: unknown) => unhandled.push(err)
  beforeAll(() => {
    process.on('unhandledRejection', onUnhandled)
  })
  afterAll(() => {
    process.off('unhandledRejection', onUnhandled)
  })

  /** A queue whose statements recording a completion fail `refusals` times with `error`. */
  const run = async (refusals: number, error: () => Error) => {
    const lines: { msg: string; jobIds?: string[] }[] = []
    let refused = 0
    let runs = 0
    const refusing: Database = {
      ...database,
      sql: {
        ...database.sql,
        query: async (text, params) => {
          if (/SET completed_on = now\(\)/.test(text) && refused < refusals) {
            refused++
            throw error()
          }
          return database.sql.query(text, params)
        },
      },
    }
    const name = `test-outcome-${refusals}-${error().message.replaceAll(/\W/g, '')}`
    const q = await createQueue({
      database: refusing,
      logger: pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) }),
      jobs: [{ name, handle: async () => void runs++ }],
      pollingIntervalSeconds: 0.5,
    })
    try {
      await q.work()
      const id = await q.send(name, {})
      const state = async () =>
        (
          (await database.db.execute(sql`select state from pgboss.job where id = ${id}::uuid`)) as unknown as {
            rows: { state: string }[]
          }
        ).rows[0]?.state
      await until(() => refused === refusals)
      return { id, state, lines, runs: () => runs }
    } finally {
      // a short grace: what is still being recorded is waited for by the stop (settled)
      await q.stop(5_000)
    }
  }

  it('writes it again while the database is away, so the job completes once and nothing is left unhandled', async () => {
    const lost = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
    const { state, lines, runs } = await run(3, lost)
    expect(await state()).toBe('completed')
    expect(runs()).toBe(1)
    expect(lines).toEqual([])
    expect(unhandled).toEqual([])
  })

  it('logs an outcome the database refuses, leaves the job to expire and run again, and rejects nothing', async () => {
    const refused = () =>
      Object.assign(new Error('permission denied for table job'), { code: '42501', severity: 'ERROR' })
    const { id, state, lines } = await run(1, refused)
    expect(await state()).toBe('active')
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'could not record how a job ended: it stays active until it expires, then runs again',
        jobIds: [id],
      }),
    ])
    expect(unhandled).toEqual([])
  })
})
