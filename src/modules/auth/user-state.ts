import { and, eq, gt, isNotNull } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { sessions } from '../../db/tables/sessions.ts'
import { users } from '../../db/tables/users.ts'
import type { GlobalRole } from '../../http/auth.ts'

/** What every authenticated request needs to know about its user, cached. */
export interface UserState {
  role: GlobalRole
  disabled: boolean
  /** session families revoked recently enough that their access tokens could still be unexpired */
  revokedFamilies: ReadonlySet<string>
}

/** Lookups answered from a cache and lookups that went to the database, for /metrics. */
export interface CacheStats {
  hits: number
  misses: number
}

/**
 * A small TTL cache of per-user auth state, so the per-request check costs no query. Every write
 * that changes it (logout, disable, role change) calls `invalidate`; other instances learn of it
 * through the `onInvalidate` fan-out when one is wired (Redis pub/sub), and by the TTL otherwise.
 * A TTL of 0 turns the cache off (every request loads the state: `npm run bench` compares the two).
 */
export function userStates(db: Db, accessTtlSeconds: number, ttlMs = 30_000, maxEntries = 50_000) {
  const entries = new Map<string, { state: UserState | null; expires: number }>()
  const listeners: ((userId: string) => void)[] = []
  const stats: CacheStats = { hits: 0, misses: 0 }

  async function load(userId: string): Promise<UserState | null> {
    const [user] = await db
      .select({ role: users.role, disabled: users.disabled })
      .from(users)
      .where(eq(users.id, userId))
    if (!user) return null
    const since = new Date(Date.now() - accessTtlSeconds * 1000 - 60_000)
    const revoked = await db
      .selectDistinct({ familyId: sessions.familyId })
      .from(sessions)
      .where(and(eq(sessions.userId, userId), isNotNull(sessions.revokedAt), gt(sessions.revokedAt, since)))
    return { ...user, revokedFamilies: new Set(revoked.map((r) => r.familyId)) }
  }

  return {
    stats,
    async get(userId: string): Promise<UserState | null> {
      const hit = entries.get(userId)
      if (hit && hit.expires > Date.now()) {
        stats.hits++
        return hit.state
      }
      stats.misses++
      const state = await load(userId)
      if (ttlMs <= 0) return state
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!)
      entries.set(userId, { state, expires: Date.now() + ttlMs })
      return state
    },
    /** Drops the cached state here and tells the other instances. */
    invalidate(userId: string) {
      entries.delete(userId)
      for (const l of listeners) l(userId)
    },
    /** Drops the cached state here only (a message from another instance). */
    forget(userId: string) {
      entries.delete(userId)
    },
    onInvalidate(listener: (userId: string) => void) {
      listeners.push(listener)
    },
  }
}
export type UserStates = ReturnType<typeof userStates>
