import type { Redis } from 'ioredis'

/** A small key/value cache of JSON-able values with a time to live. */
export interface Cache {
  get<T>(key: string): Promise<T | undefined>
  set(key: string, value: unknown, ttlMs: number): Promise<void>
  del(key: string): Promise<void>
}

export interface CacheStats {
  hit(): void
  miss(): void
  error(): void
}

const noStats: CacheStats = { hit() {}, miss() {}, error() {} }

/** Per-instance cache, bounded: the oldest entries go first. */
export function memoryCache(maxEntries = 10_000, stats: CacheStats = noStats): Cache {
  const entries = new Map<string, { value: string; expires: number }>()
  return {
    async get<T>(key: string) {
      const e = entries.get(key)
      if (!e || e.expires <= Date.now()) {
        if (e) entries.delete(key)
        stats.miss()
        return undefined
      }
      stats.hit()
      return JSON.parse(e.value) as T
    },
    async set(key, value, ttlMs) {
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!)
      entries.set(key, { value: JSON.stringify(value), expires: Date.now() + ttlMs })
    },
    async del(key) {
      entries.delete(key)
    },
  }
}

/** A cache shared by every instance. A Redis error is a miss, never a failed request. */
export function redisCache(redis: Redis, keyPrefix: string, stats: CacheStats = noStats): Cache {
  return {
    async get<T>(key: string) {
      try {
        const raw = await redis.get(`${keyPrefix}cache:${key}`)
        if (raw === null) {
          stats.miss()
          return undefined
        }
        stats.hit()
        return JSON.parse(raw) as T
      } catch {
        stats.error()
        return undefined
      }
    },
    async set(key, value, ttlMs) {
      try {
        await redis.set(`${keyPrefix}cache:${key}`, JSON.stringify(value), 'PX', ttlMs)
      } catch {
        stats.error()
      }
    },
    async del(key) {
      try {
        await redis.del(`${keyPrefix}cache:${key}`)
      } catch {
        stats.error()
      }
    },
  }
}
