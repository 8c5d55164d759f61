import { and, asc, eq, gt, lte, sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import type { Database, Db } from '../../db/client.ts'
import { ACTIVITY_CHANNEL } from '../activity/activity.service.ts'
import { type ActivityRow, activity } from '../activity/activity.table.ts'
import { createLogFollower } from '../events/log-follower.ts'
import { logCursors } from './webhooks.table.ts'

/** The migration that created the cursor table: where a new cursor starts. */
const INSTALLED_BY = '0005_webhooks'

/** Hands a batch of log entries on (enqueues jobs) in the transaction that moves the cursor past them. */
export type LogConsumer = (tx: Db, entries: ActivityRow[]) => Promise<void>

export interface LogDispatcherDeps {
  database: Database
  log: Logger
  consumers: LogConsumer[]
  /** the cursor's name in `log_cursors` */
  name?: string
  pollMs?: number
  batchSize?: number
}

/**
 * Reads the activity log forward by id, never past the safe high-water mark (an id below it can no
 * longer appear), and gives each entry to every consumer exactly once: the cursor row is locked
 * (FOR UPDATE) while a batch is handed on, and moves in the same transaction as the jobs the
 * consumers enqueue. Any number of workers may run one; they take turns on the lock, and a crash
 * rolls back both the jobs and the cursor move.
 */
export function createLogDispatcher({
  database,
  log,
  consumers,
  name = 'dispatch',
  pollMs = 1000,
  batchSize = 200,
}: LogDispatcherDeps) {
  const { db } = database
  const follower = createLogFollower(database)

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
      if (!cursor || cursor.position >= mark) return 0
      const entries = await tx
        .select()
        .from(activity)
        .where(and(gt(activity.id, cursor.position), lte(activity.id, mark)))
        .orderBy(asc(activity.id))
        .limit(batchSize)
      for (const consume of consumers) await consume(tx, entries)
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
    async stop() {
      stopped = true
      clearInterval(timer)
      await unlisten?.()
      await running
    },
  }
}
export type LogDispatcher = ReturnType<typeof createLogDispatcher>
