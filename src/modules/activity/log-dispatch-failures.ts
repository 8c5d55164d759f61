import { and, asc, eq, inArray, isNull, lte, sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import { Gauge, type Registry } from 'prom-client'
import type { Db } from '../../db/client.ts'
import { type ActivityRow, activity } from '../../db/tables/activity.ts'
import { logDispatchFailures } from '../../db/tables/webhooks.ts'

/** Hands a batch of log entries on (enqueues jobs) in the transaction that moves the cursor past them. */
export type LogConsumer = (tx: Db, entries: ActivityRow[]) => Promise<void>

/** A consumer under its own name: failures are recorded and retried per (entry, consumer). */
export interface NamedConsumer {
  name: string
  consume: LogConsumer
}

/** How often an entry a consumer failed on is tried in all, and the first retry's delay (doubling after). */
export interface RetryPolicy {
  attempts: number
  baseDelayMs: number
}

/** About 2.5 minutes of retries (5, 10, 20, 40, 80 s): past a passing outage, short of blocking anyone. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 5_000 }

const RETRY_BATCH = 50
const MAX_ERROR_CHARS = 2_000

const message = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR_CHARS)

/**
 * Gives entries to consumers inside savepoints, so that one consumer failing on one entry costs
 * that pair alone: the batch is tried whole first (the usual case, one savepoint), and on a failure
 * entry by entry; what still fails is recorded for a retry while the cursor moves on. An error that
 * breaks the transaction itself (the database went away) also breaks the recording, and so rolls
 * back the whole batch with the cursor, as before.
 */
export function guardedConsumers(deps: {
  cursor: string
  consumers: NamedConsumer[]
  retry: RetryPolicy
  log: Logger
}) {
  const { cursor, consumers, retry, log } = deps
  const inSavepoint = async (tx: Db, c: NamedConsumer, entries: ActivityRow[]) => {
    try {
      await tx.transaction((sp) => c.consume(sp, entries))
      return undefined
    } catch (err) {
      return err ?? new Error('consumer failed')
    }
  }
  const delay = (attempt: number) => sql`now() + ${retry.baseDelayMs * 2 ** (attempt - 1)} * interval '1 millisecond'`

  function setAside(e: ActivityRow, c: NamedConsumer, attempts: number, err: unknown) {
    log.error(
      { err, cursor, consumer: c.name, activityId: e.id, action: e.action, attempts },
      'log entry set aside: a consumer failed on it every time; later entries go on',
    )
  }

  async function firstFailure(tx: Db, c: NamedConsumer, e: ActivityRow, err: unknown) {
    const done = retry.attempts <= 1
    await tx
      .insert(logDispatchFailures)
      .values({
        cursor,
        activityId: e.id,
        consumer: c.name,
        attempts: 1,
        lastError: message(err),
        nextAttemptAt: delay(1),
        setAsideAt: done ? sql`now()` : null,
      })
      .onConflictDoNothing()
    if (done) setAside(e, c, 1, err)
    else log.warn({ err, cursor, consumer: c.name, activityId: e.id, action: e.action }, 'log entry failed; will retry')
  }

  return {
    /** Every consumer on the batch; the pairs that fail are recorded instead of failing the batch. */
    async consume(tx: Db, entries: ActivityRow[]) {
      for (const c of consumers) {
        const err = await inSavepoint(tx, c, entries)
        if (!err) continue
        if (entries.length === 1) {
          await firstFailure(tx, c, entries[0]!, err)
          continue
        }
        for (const e of entries) {
          const one = await inSavepoint(tx, c, [e])
          if (one) await firstFailure(tx, c, e, one)
        }
      }
    },

    /** Tries again the recorded failures that are due (under the cursor's lock, so one dispatcher at a time). */
    async retryDue(tx: Db) {
      const byName = new Map(consumers.map((c) => [c.name, c]))
      const due = await tx
        .select({ failure: logDispatchFailures, entry: activity })
        .from(logDispatchFailures)
        .leftJoin(activity, eq(activity.id, logDispatchFailures.activityId))
        .where(
          and(
            eq(logDispatchFailures.cursor, cursor),
            isNull(logDispatchFailures.setAsideAt),
            lte(logDispatchFailures.nextAttemptAt, sql`now()`),
            inArray(logDispatchFailures.consumer, [...byName.keys()]),
          ),
        )
        .orderBy(asc(logDispatchFailures.nextAttemptAt))
        .limit(RETRY_BATCH)
      for (const { failure, entry } of due) {
        const key = and(
          eq(logDispatchFailures.cursor, cursor),
          eq(logDispatchFailures.activityId, failure.activityId),
          eq(logDispatchFailures.consumer, failure.consumer),
        )
        const c = byName.get(failure.consumer)!
        const err = entry ? await inSavepoint(tx, c, [entry]) : undefined
        if (!err) {
          await tx.delete(logDispatchFailures).where(key)
          continue
        }
        const attempts = failure.attempts + 1
        const done = attempts >= retry.attempts
        await tx
          .update(logDispatchFailures)
          .set({
            attempts,
            lastError: message(err),
            nextAttemptAt: delay(attempts),
            setAsideAt: done ? sql`now()` : null,
          })
          .where(key)
        if (done) setAside(entry!, c, attempts, err)
        else
          log.debug(
            { err, cursor, consumer: c.name, activityId: failure.activityId, attempts },
            'log entry failed again',
          )
      }
    },
  }
}

/** Entries waiting for a retry and set aside, by cursor and consumer, from the database (every instance shows all). */
export function instrumentLogDispatch(registry: Registry, db: Db, log: Logger) {
  new Gauge({
    name: 'tasklane_log_dispatch_failed_entries',
    help: 'Activity log entries a dispatcher consumer (webhooks, notifications) failed on, by state: retrying (due again with backoff) or set_aside (gave up; later entries went on)',
    labelNames: ['cursor', 'consumer', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset()
      try {
        const rows = await db
          .select({
            cursor: logDispatchFailures.cursor,
            consumer: logDispatchFailures.consumer,
            setAside: sql<boolean>`${logDispatchFailures.setAsideAt} is not null`,
            n: sql<number>`count(*)::int`,
          })
          .from(logDispatchFailures)
          .groupBy(sql`1, 2, 3`)
        for (const r of rows) {
          this.set({ cursor: r.cursor, consumer: r.consumer, state: r.setAside ? 'set_aside' : 'retrying' }, r.n)
        }
      } catch (err) {
        log.warn({ err }, 'could not count failed log entries')
      }
    },
  })
}
