import type { Db } from '../../db/client.ts'
import type { Cache } from '../../infra/cache.ts'
import { latestActivityId } from './dashboard.queries.ts'

/** How long a cached answer may serve: it bounds what only the clock changes (overdue, due soon, the default range). */
export const DASHBOARD_CACHE_TTL_MS = 30_000

/**
 * A dashboard answer, cached under the team's latest activity id: every write to the team's tasks,
 * projects, tags and members appends an activity entry in its own transaction, so after the
 * caller's write commits the key changes and no cached answer is older than it. Call it after the
 * access check: the cache is shared by everyone who may read the team.
 */
export async function cachedAnswer<T>(
  deps: { db: Db; cache?: Cache },
  teamId: string,
  question: Record<string, unknown>,
  compute: () => Promise<T>,
): Promise<T> {
  if (!deps.cache) return compute()
  const key = `dashboard:${teamId}:${await latestActivityId(deps.db, teamId)}:${JSON.stringify(question)}`
  const hit = await deps.cache.get<T>(key)
  if (hit !== undefined) return hit
  const answer = await compute()
  await deps.cache.set(key, answer, DASHBOARD_CACHE_TTL_MS)
  return answer
}
