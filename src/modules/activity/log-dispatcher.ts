import { and, asc, eq, gt, lte, sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import type { Database } from '../../db/client.ts'
import { activity } from '../../db/tables/activity.ts'
import { logCursors } from '../../db/tables/webhooks.ts'
import { ACTIVITY_CHANNEL } from './activity.service.ts'
import { DEFAULT_RETRY, guardedConsumers, type NamedConsumer, type RetryPolicy } from './log-dispatch-failures.ts'
import { createLogFollower } from './log-follower.ts'

/** The migration that created the cursor table: where a new cursor starts. */
const INSTALLED_BY = '0005_webhooks'

export interface LogDispatcherDeps {
  database: Database
  log: Logger
  consumers: NamedConsumer[]
  /** the cursor's name in `log_cursors` */
  name?: string
  pollMs?: number
  batchSize?: number
  /** how an entry a consumer fails on is retried before it is set aside */
  retry?: RetryPolicy
}

/**
 * Reads the activity log forward by id, never past the safe high-water mark (an id below it can no
 * longer appear), and gives each entry to every consumer exactly once: the cursor row is locked
 * (FOR UPDATE) while a batch is handed on, and moves in the same transaction as the jobs the
 * consumers enqueue. Any number of workers may run one; they take turns on the lock, and a crash
 * rolls back both the jobs and the cursor move. A consumer that fails on an entry does not hold the
 * log: the pair is recorded, retried with backoff on later runs, then set aside
 * (see log-dispatch-failures.ts).
 */
export function createLogDispatcher({
  database,
  log,
  consumers,
  name = 'dispatch',
  pollMs = 1000,
  batchSize = 200,
  retry = DEFAULT_RETRY,
}: LogDispatcherDeps) {
  const { db } = database
  const follower = createLogFollower(database)
  const guarded = guardedConsumers({ cursor: name, consumers, retry, log })

  /** Hands on one batch; returns how many entries it held. */
  async function runOnce(): Promise<number> {
    const mark = await follower.advance()
    return db.transaction(async (tx) => {
      const locked = () => tx.select().from(logCursors).where(eq(logCursors.name, name)).for('update')
      let [cursor] = await locked()
      if (!cursor) {
        // first start: from the entries written since this feature was installed (its migration),
        // not all history (no mail about old assignments), and none written before a worker ran
        await tx.execute(sql`insert into ${logCursors} (name, position)
          select ${name}, coalesce(max(id), 0) from ${activity}
          where created_at < (select applied_at from tasklane_migrations where tag = ${INSTALLED_BY})
          on conflict do nothing`)
        ;[cursor] = await locked()
      }
      if (!cursor) return 0
      await guarded.retryDue(tx)
      if (cursor.position >= mark) return 0
      const entries = await tx
        .select()
        .from(activity)
        .where(and(gt(activity.id, cursor.position), lte(activity.id, mark)))
        .orderBy(asc(activity.id))
        .limit(batchSize)
      await guarded.consume(tx, entries)
      const position = entries.at(-1)?.id ?? mark
      await tx.update(logCursors).set({ position, updatedAt: new Date() }).where(eq(logCursors.name, name))
      return entries.length
    })
  }

  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let again = false
  let stopped = false
  let unlisten: (() => Promise<void>) | undefined

  async function drain() {
    do {
      again = false
      try {
        while ((await runOnce()) === batchSize && !stopped) {}
      } catch (err) {
        log.error({ err }, 'log dispatch failed; retrying on the next poll')
      }
      // transactions still in flight hold the mark back: look again soon rather than at the next poll
      if (follower.pending && !stopped) await new Promise((r) => setTimeout(r, 20))
    } while ((again || follower.pending) && !stopped)
  }

  function wake() {
    if (stopped) return
    if (running) {
      again = true
      return
    }
    running = drain().finally(() => {
      running = undefined
    })
  }

  return {
    runOnce,
    /** Runs once now, then on every NOTIFY of the log and every `pollMs` (a missed wake-up costs one poll). */
    async start() {
      await runOnce()
      unlisten = await database.listen(ACTIVITY_CHANNEL, wake)
      timer = setInterval(wake, pollMs)
      timer.unref()
    },
    /** Stops following the log and waits for the batch in hand; a second call does nothing more. */
    async stop() {
      if (stopped) return running
      stopped = true
      clearInterval(timer)
      await unlisten?.()
      await running
    },
  }
}
export type LogDispatcher = ReturnType<typeof createLogDispatcher>
