import type { Redis } from 'ioredis'
import type { Logger } from 'pino'

/** A fixed-window counter store: one `hit` per request, atomic per key. */
export interface RateLimitStore {
  /** Counts one hit on `key` in its current window and returns the count and the window's end (ms epoch). */
  hit(key: string, windowMs: number): Promise<{ count: number; resetAt: number }>
  close(): Promise<void>
  /** told of each request answered 429, by limit (`api:ip`, `login:email`): /metrics counts them */
  rejected?(limit: string): void
}

/** The per-instance default (and the fallback while Redis is away). */
export function memoryRateLimitStore(): RateLimitStore {
  const windows = new Map<string, { count: number; resetAt: number }>()
  const sweep = setInterval(() => {
    const now = Date.now()
    for (const [key, w] of windows) if (w.resetAt <= now) windows.delete(key)
  }, 30_000)
  sweep.unref()
  return {
    async hit(key, windowMs) {
      const now = Date.now()
      let w = windows.get(key)
      if (!w || w.resetAt <= now) {
        w = { count: 0, resetAt: now + windowMs }
        windows.set(key, w)
      }
      w.count += 1
      return { count: w.count, resetAt: w.resetAt }
    },
    async close() {
      clearInterval(sweep)
      windows.clear()
    },
  }
}

// INCR and set the window's expiry on the first hit, in one round trip, atomically
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`

/**
 * Counters shared by every instance on one Redis. While Redis is unreachable the limits fall back
 * to this instance's memory (each instance then limits on its own) rather than failing requests.
 */
export function redisRateLimitStore(
  redis: Redis,
  log: Logger,
  keyPrefix: string,
  onFallback: () => void = () => {},
  fallback: RateLimitStore = memoryRateLimitStore(),
): RateLimitStore {
  redis.defineCommand('tasklaneHit', { numberOfKeys: 1, lua: HIT })
  const hit = (
    redis as unknown as { tasklaneHit(key: string, ms: number): Promise<[number, number]> }
  ).tasklaneHit.bind(redis)
  let warned = 0
  return {
    async hit(key, windowMs) {
      try {
        const [count, ttl] = await hit(`${keyPrefix}rl:${key}`, windowMs)
        return { count, resetAt: Date.now() + ttl }
      } catch (err) {
        onFallback()
        if (Date.now() - warned > 60_000) {
          warned = Date.now()
          log.warn({ err: (err as Error).message }, 'rate limits use per-instance memory while Redis is unavailable')
        }
        return fallback.hit(key, windowMs)
      }
    },
    close: () => fallback.close(),
  }
}
