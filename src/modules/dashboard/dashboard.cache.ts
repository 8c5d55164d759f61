import type { Db } from '../../db/client.ts'
import type { Reads } from '../../db/replica.ts'
import type { Cache } from '../../infra/cache.ts'

/** How long a cached answer may serve: it bounds what only the clock changes (overdue, due soon, the default range). */
const DASHBOARD_CACHE_TTL_MS = 30_000

/**
 * A dashboard answer, cached under the team's latest activity id: every write to the team's tasks,
 * projects, tags and members appends an activity entry in its own transaction, so after the
 * caller's write commits the key changes and no cached answer is older than it. Ids are drawn
 * before commit, so an answer is kept only when no transaction was writing the log as the key was
 * read (a lower id committing later would otherwise leave the key unchanged). A miss is computed
 * on the replica only when it has caught up with that same position (see src/db/replica.ts), so no
 * answer cached under the key is older than the key either. Call it after the access check: the
 * cache is shared by everyone who may read the team.
 */
export async function cachedAnswer<T>(
  deps: { reads: Reads; cache?: Cache; log?: { warn(obj: object, msg: string): void } },
  teamId: string,
  question: Record<string, unknown>,
  compute: (db: Db) => Promise<T>,
): Promise<T> {
  if (!deps.cache) return deps.reads.read(teamId, compute, { log: deps.log })
  const position = await deps.reads.position(teamId)
  const key = `dashboard:${teamId}:${position.activityId}:${JSON.stringify(question)}`
  const hit = await deps.cache.get<T>(key)
  if (hit !== undefined) return hit
  const answer = await deps.reads.read(teamId, compute, { position, log: deps.log })
  // while another transaction writes the log, an entry with a lower id than the key may still
  // commit after this answer was computed: the key would not change, so the answer is not kept
  if (position.final) await deps.cache.set(key, answer, DASHBOARD_CACHE_TTL_MS)
  return answer
}
