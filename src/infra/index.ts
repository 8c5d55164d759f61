import type { Logger } from 'pino'
import type { Config } from '../config.ts'
import { type Cache, memoryCache, redisCache } from './cache.ts'
import { memoryPubSub, type PubSub, redisPubSub } from './pubsub.ts'
import { memoryRateLimitStore, type RateLimitStore, redisRateLimitStore } from './rate-limit.ts'
import type { ReadinessCheck } from './readiness.ts'
import { connectRedis, whenReady } from './redis.ts'
import { memoryStreamSlots, redisStreamSlots, type StreamSlots } from './stream-slots.ts'

/** Counters the infrastructure keeps for /metrics. */
export interface InfraStats {
  cacheHits: number
  cacheMisses: number
  cacheErrors: number
  rateLimitFallbacks: number
}

/** The optional shared layer: Redis when REDIS_URL is set, in-memory implementations otherwise. */
export interface Infra {
  limits: RateLimitStore
  cache: Cache
  pubsub: PubSub
  /** open event streams per user (the per-user limit holds across instances on one Redis) */
  streams: StreamSlots
  stats: InfraStats
  /** 'absent' without Redis; otherwise whether it answers right now */
  redisState(): 'absent' | 'up' | 'down'
  checks: ReadinessCheck[]
  close(): Promise<void>
}

/** `keyPrefix` separates apps sharing one Redis (tests; several environments). */
export function createInfra(config: Pick<Config, 'REDIS_URL'>, log: Logger, keyPrefix = 'tl:'): Infra {
  const stats: InfraStats = { cacheHits: 0, cacheMisses: 0, cacheErrors: 0, rateLimitFallbacks: 0 }
  const cacheStats = {
    hit: () => void stats.cacheHits++,
    miss: () => void stats.cacheMisses++,
    error: () => void stats.cacheErrors++,
  }
  if (!config.REDIS_URL) {
    return {
      limits: memoryRateLimitStore(),
      cache: memoryCache(10_000, cacheStats),
      pubsub: memoryPubSub(),
      streams: memoryStreamSlots(),
      stats,
      redisState: () => 'absent',
      checks: [],
      close: async () => {},
    }
  }
  const redis = connectRedis(config.REDIS_URL, log, 'main')
  const subscriber = connectRedis(config.REDIS_URL, log, 'subscriber')
  const limits = redisRateLimitStore(redis, log, keyPrefix, () => void stats.rateLimitFallbacks++)
  const pubsub = redisPubSub(redis, subscriber, log, keyPrefix)
  const streams = redisStreamSlots(redis, log, keyPrefix)
  return {
    limits,
    cache: redisCache(redis, keyPrefix, cacheStats),
    pubsub,
    streams,
    stats,
    redisState: () => (redis.status === 'ready' ? 'up' : 'down'),
    // Redis down degrades this instance (local limits, no shared cache) but does not take it out of service
    checks: [
      {
        name: 'redis',
        critical: false,
        check: async () => {
          await whenReady(redis, 1_000)
          await redis.ping()
        },
      },
    ],
    async close() {
      await limits.close()
      await streams.close()
      await pubsub.close()
      redis.disconnect()
      subscriber.disconnect()
    },
  }
}
