import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'

/** Long-lived connections per owner (a user's event streams), counted across every instance sharing Redis. */
export interface StreamSlots {
  /** Takes one of `max` slots of `owner`; null when all are taken. What it returns gives the slot back. */
  take(owner: string, max: number): Promise<(() => void) | null>
  close(): Promise<void>
}

/** One instance's slots, in memory. */
export function memoryStreamSlots(): StreamSlots {
  const held = new Map<string, number>()
  return {
    async take(owner, max) {
      const n = held.get(owner) ?? 0
      if (n >= max) return null
      held.set(owner, n + 1)
      let given = false
      return () => {
        if (given) return
        given = true
        const left = (held.get(owner) ?? 1) - 1
        if (left > 0) held.set(owner, left)
        else held.delete(owner)
      }
    },
    close: async () => held.clear(),
  }
}

// a sorted set per owner: one member per open slot, scored by when it lapses (Redis's own clock, so
// instances with skewed clocks agree); lapsed members are dropped before counting
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`

const REFRESH = `
local t = redis.call('TIME')
local lapse = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', lapse, ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 0`

type SlotCommands = {
  tasklaneTakeSlot(key: string, max: number, ttlMs: number, member: string): Promise<number>
  tasklaneRefreshSlots(key: string, ttlMs: number, ...members: string[]): Promise<number>
}

/**
 * Slots shared by every instance on one Redis. Each slot lapses `ttlMs` after it was last
 * refreshed; the instance holding it refreshes it every `refreshMs`, so the slots of an instance
 * that died free themselves within `ttlMs`. While Redis is unreachable, slots are taken from this
 * instance's memory (each instance then limits on its own) rather than refusing streams.
 */
export function redisStreamSlots(
  redis: Redis,
  log: Logger,
  keyPrefix: string,
  opts: { ttlMs?: number; refreshMs?: number } = {},
  fallback: StreamSlots = memoryStreamSlots(),
): StreamSlots {
  const ttlMs = opts.ttlMs ?? 45_000
  redis.defineCommand('tasklaneTakeSlot', { numberOfKeys: 1, lua: TAKE })
  redis.defineCommand('tasklaneRefreshSlots', { numberOfKeys: 1, lua: REFRESH })
  const commands = redis as unknown as SlotCommands
  /** this instance's slots in Redis, by key */
  const held = new Map<string, Set<string>>()
  let warned = 0

  const refresh = setInterval(() => {
    for (const [key, members] of held) {
      commands.tasklaneRefreshSlots(key, ttlMs, ...members).catch((err) => {
        // a slot not refreshed lapses: the stream stays open, only uncounted until Redis is back
        if (Date.now() - warned > 60_000) {
          warned = Date.now()
          log.warn({ err: (err as Error).message }, 'could not refresh stream slots in Redis')
        }
      })
    }
  }, opts.refreshMs ?? 15_000)
  refresh.unref()

  return {
    async take(owner, max) {
      const key = `${keyPrefix}streams:${owner}`
      const member = randomUUID()
      try {
        if (!(await commands.tasklaneTakeSlot(key, max, ttlMs, member))) return null
      } catch (err) {
        if (Date.now() - warned > 60_000) {
          warned = Date.now()
          log.warn({ err: (err as Error).message }, 'stream limits use per-instance memory while Redis is unavailable')
        }
        return fallback.take(owner, max)
      }
      const members = held.get(key) ?? new Set<string>()
      held.set(key, members.add(member))
      return () => {
        if (!members.delete(member)) return
        if (!members.size) held.delete(key)
        // a slot that cannot be given back now lapses by itself
        redis.zrem(key, member).catch(() => {})
      }
    },
    async close() {
      clearInterval(refresh)
      await fallback.close()
    },
  }
}
