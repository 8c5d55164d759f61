import { ACTIVITY_LOG_WRITERS } from '../../db/activity-log.ts'
import type { Database } from '../../db/client.ts'

/**
 * The safe high-water mark of the activity log: the highest id below which every entry that will
 * ever commit has committed. Ids come from a sequence and are taken before commit, so a reader that
 * has seen id 11 could otherwise miss id 10 committing a moment later.
 *
 * A probe records the sequence's last value, then the transactions writing to the log right now:
 * an INSERT takes its lock on the table before it draws an id, so every transaction holding an id
 * up to that value has either ended or holds the lock. Once those have all ended, every id up to
 * the value is final (committed, or rolled back for good) and the mark moves there. Readers never
 * read past the mark, so they never step over a gap that could still fill. Only writers of this
 * log hold it back, not unrelated transactions elsewhere in the cluster (pg_locks spans every
 * database, and clones of one template share the table's oid: the database is part of the match).
 */
export function createLogFollower(database: Database) {
  const { sql } = database
  let mark = 0
  // when the read that established `mark` was sent (performance.now()): every transaction that
  // committed before then has its entries at or below the mark
  let coveredAt = 0
  let probe: { maxId: number; writers: string[]; readAt: number } | null = null
  let running: Promise<number> | null = null

  async function lastIssuedId(): Promise<number> {
    const { rows } = await sql.query<{ last_value: string; is_called: boolean }>(
      `select last_value::text, is_called from activity_id_seq`,
    )
    return rows[0]?.is_called ? Number(rows[0].last_value) : 0
  }

  async function step(): Promise<number> {
    if (probe) {
      const { rows } = await sql.query<{ vxid: string }>(ACTIVITY_LOG_WRITERS)
      const still = new Set(rows.map((r) => r.vxid))
      if (probe.writers.some((w) => still.has(w))) return mark
      mark = Math.max(mark, probe.maxId)
      coveredAt = Math.max(coveredAt, probe.readAt)
      probe = null
    }
    const readAt = performance.now()
    const maxId = await lastIssuedId()
    if (maxId <= mark) {
      coveredAt = Math.max(coveredAt, readAt)
      return mark
    }
    const { rows } = await sql.query<{ vxid: string }>(ACTIVITY_LOG_WRITERS)
    if (rows.length === 0) {
      mark = maxId
      coveredAt = Math.max(coveredAt, readAt)
    } else probe = { maxId, writers: rows.map((r) => r.vxid), readAt }
    return mark
  }

  /** Advances until no probe is pending or `maxWaitMs` passed: read-your-writes for request-time readers. */
  async function settle(maxWaitMs: number): Promise<number> {
    const until = Date.now() + maxWaitMs
    let current = await advance()
    while (probe && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 5))
      current = await advance()
    }
    return current
  }

  function advance(): Promise<number> {
    running ??= step().finally(() => {
      running = null
    })
    return running
  }

  return {
    /** Moves the mark as far as is safe now and returns it. Concurrent callers share one step. */
    advance,
    settle,
    /** true while transactions seen in flight keep the mark from moving: advance again soon */
    get pending() {
      return probe !== null
    },
    get mark() {
      return mark
    },
    /**
     * The mark with the moment (performance.now()) it holds for: every transaction committed before
     * `coveredAt` wrote its entries at or below `mark`.
     */
    position: () => ({ mark, coveredAt }),
  }
}
export type LogFollower = ReturnType<typeof createLogFollower>
