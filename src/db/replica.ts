import { ACTIVITY_LOG_WRITERS } from './activity-log.ts'
import type { Database, Db } from './client.ts'

/** Where the primary stood when a request began: what the replica must have caught up with to answer it. */
interface Position {
  /** the team's latest activity id (0: none): every write through the API appends one in its transaction */
  activityId: number
  /** the primary's WAL insert position, read only when a replica is configured */
  lsn?: string
  /**
   * no transaction was writing the activity log when the position was read: no entry with a lower
   * id can still commit, so an answer computed now stays true for `activityId` (safe to cache under it)
   */
  final: boolean
}

/** What became of one read: served by the replica, or by the primary because the replica lagged, failed or is resting after a failure. */
type ReplicaRead = 'replica' | 'behind' | 'error' | 'down'

interface Log {
  warn(obj: object, msg: string): void
}

/**
 * The handle heavy reads go through. Without a replica every read runs on the primary; with one,
 * a read runs on the replica only when the replica has every change the primary had committed when
 * the request began, so an answer is never older than the caller's own last write.
 */
export interface Reads {
  /** the team's latest activity id on the primary (and, with a replica, the primary's WAL position) */
  position(teamId: string): Promise<Position>
  /**
   * Runs `run` on the replica when it has caught up with `position` (read now when not given), or
   * does within REPLICA_WAIT_MS, otherwise on the primary. A failing replica is a warning and a fallback, never a failed request.
   */
  read<T>(teamId: string, run: (db: Db) => Promise<T>, opts?: { position?: Position; log?: Log }): Promise<T>
  /** reads by outcome since start, for /metrics */
  readonly stats: Record<ReplicaRead, number>
}

/** After a failure the replica rests this long: no request pays a connection timeout twice in a row. */
const REPLICA_RETRY_MS = 5_000
/**
 * How long a read waits for the replica to catch up, asking every 2 ms, before it goes to the
 * primary. A standby replays within milliseconds, but under writes it is rarely at the very position
 * read on the primary a moment before: with 2,800 inserts/s on a local standby, 2% of reads found it
 * there at once, 96% after 5 ms, all within 10 ms (p50 3 ms).
 */
const REPLICA_WAIT_MS = 10
const POLL_MS = 2

/*
 * Caught up, on the replica, means both:
 * - it holds the team's latest activity entry the primary showed. Enough for a copy that is not a
 *   streaming standby (the same database, a logical subscriber), where the check below cannot run.
 * - a streaming standby has replayed the WAL up to the primary's insert position read at the start
 *   of the request: every transaction committed by then, in every team. Activity ids are taken
 *   before commit, so holding entry 11 alone does not prove holding entry 10 committed after it.
 */
const FINAL = `not exists (${ACTIVITY_LOG_WRITERS})`
const POSITION = `select max(id)::text as id, ${FINAL} as final from activity where team_id = $1`
const PRIMARY_POSITION = `select max(id)::text as id, ${FINAL} as final, pg_current_wal_insert_lsn()::text as lsn
  from activity where team_id = $1`
const CAUGHT_UP = `select coalesce((select max(id) from activity where team_id = $1), 0) >= $2::bigint
  and (not pg_is_in_recovery() or coalesce(pg_last_wal_replay_lsn() >= $3::pg_lsn, false)) as caught_up`

export function createReads(opts: {
  primary: Database
  replica?: Database
  log: Log
  retryAfterMs?: number
  /** how long a read waits for the replica to catch up (REPLICA_WAIT_MS) */
  waitMs?: number
}): Reads {
  const { primary, replica } = opts
  const stats: Record<ReplicaRead, number> = { replica: 0, behind: 0, error: 0, down: 0 }
  let restUntil = 0

  async function position(teamId: string): Promise<Position> {
    const { rows } = await primary.sql.query<{ id: string | null; final: boolean; lsn?: string }>(
      replica ? PRIMARY_POSITION : POSITION,
      [teamId],
    )
    const row = rows[0]
    return {
      activityId: Number(row?.id ?? 0),
      final: row?.final === true,
      ...(replica && row?.lsn ? { lsn: row.lsn } : {}),
    }
  }

  async function caughtUp(replica: Database, teamId: string, at: Position): Promise<boolean> {
    const until = Date.now() + (opts.waitMs ?? REPLICA_WAIT_MS)
    for (;;) {
      const { rows } = await replica.sql.query<{ caught_up: boolean }>(CAUGHT_UP, [teamId, at.activityId, at.lsn])
      if (rows[0]?.caught_up === true) return true
      if (Date.now() + POLL_MS > until) return false
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
  }

  return {
    position,
    stats,
    async read(teamId, run, { position: given, log = opts.log } = {}) {
      if (!replica) return run(primary.db)
      if (Date.now() < restUntil) {
        stats.down++
        return run(primary.db)
      }
      const at = given ?? (await position(teamId))
      const failed = (err: unknown) => {
        restUntil = Date.now() + (opts.retryAfterMs ?? REPLICA_RETRY_MS)
        stats.error++
        log.warn({ err, teamId }, 'read replica failed: reading from the primary')
        return run(primary.db)
      }
      let fresh: boolean
      try {
        fresh = await caughtUp(replica, teamId, at)
      } catch (err) {
        return failed(err)
      }
      if (!fresh) {
        stats.behind++
        return run(primary.db)
      }
      try {
        const answer = await run(replica.db)
        stats.replica++
        return answer
      } catch (err) {
        return failed(err)
      }
    },
  }
}
